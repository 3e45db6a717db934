"""Devices: the agency's registry, QR tags, police inspection, security seals, venue checks."""
