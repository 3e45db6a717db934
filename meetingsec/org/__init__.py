"""The agency: its units (đơn vị) and its venues."""
