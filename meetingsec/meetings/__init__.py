"""Meetings that carry state secrets: from a draft to "cleared to start" and on."""
