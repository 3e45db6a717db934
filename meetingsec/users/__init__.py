"""People: accounts, roles, login, sessions and lockout."""
