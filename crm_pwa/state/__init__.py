"""Shared UI state: who is signed in. Imports no page."""
