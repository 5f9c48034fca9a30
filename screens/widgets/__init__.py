"""Reusable widgets: the top bar with the language switch, the slot grid, form fields."""
