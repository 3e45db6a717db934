"""Incidents: what went wrong at a meeting (a broken seal, a refused entry, a lost copy)."""
