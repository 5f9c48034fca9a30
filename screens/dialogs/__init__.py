"""Typed modal dialogs: each returns its answer through `dismiss()`; escape answers None."""
