"""Screens: the console, help and dialogs."""
