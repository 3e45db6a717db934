"""Applying field values to a model and telling what really changed."""


def apply_changes(obj, values: dict) -> dict:
    """Set ``values`` on ``obj``; return ``{field: [old, new]}`` for the fields that changed."""
    changed = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [old, new]
            setattr(obj, name, new)
    return changed
