"""Citas Kiosk: the application shell (command line, settings, translations)."""
