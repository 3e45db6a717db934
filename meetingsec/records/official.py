"""What every record of the official layout prints in its header and footer."""

from meetingsec.audit.checkpoints import latest_printed, printed_key
from meetingsec.audit.services import chain_head
from meetingsec.core.db import utcnow
from meetingsec.meetings.queries import load_people


def official_context(meeting) -> dict:
    """What the official layout's header and footer need: the host agency and its parent,
    the moment of generation and the audit chain's head at that moment."""
    load_people(meeting)  # the chair and organiser sign; templates never query
    unit = meeting.host_unit
    return {
        "meeting": meeting,
        "agency": unit.name,
        "parent_agency": unit.parent.name if unit.parent else "",
        "generated_at": utcnow(),
        "head": chain_head(),
        "checkpoint": latest_printed(),
        "key_fingerprint": printed_key(),
    }
