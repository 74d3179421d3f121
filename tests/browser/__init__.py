"""Helpers that drive headless Chromium against a built site (see harness.py)."""
