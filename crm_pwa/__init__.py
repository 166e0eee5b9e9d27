"""Rapport: a mobile-first relationship CRM."""
