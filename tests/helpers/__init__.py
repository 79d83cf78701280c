"""Helpers for the test suite: fixed data, real child processes."""
