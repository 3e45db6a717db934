"""Applying field values to a model and recording what really changed."""

from meetingsec.audit.services import record
from meetingsec.extensions import db


def apply_changes(obj, values: dict) -> dict:
    """Set ``values`` on ``obj``; return ``{field: [old, new]}`` for the fields that changed."""
    changed = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [old, new]
            setattr(obj, name, new)
    return changed


def create_or_update(model, obj, values: dict, *, actor, kind: str):
    """Create a ``model`` from ``values`` (``obj`` None) or change ``obj``; audit it as
    ``<kind>.created`` or ``<kind>.updated`` (nothing is written when nothing changed)."""
    if obj is None:
        obj = model(**values)
        db.session.add(obj)
        record(f"{kind}.created", obj, actor=actor, data=values)
        return obj
    changed = apply_changes(obj, values)
    if changed:
        record(f"{kind}.updated", obj, actor=actor, data=changed)
    return obj
