"""The legal checklist: rules as data, their evaluation, and each meeting's items."""
