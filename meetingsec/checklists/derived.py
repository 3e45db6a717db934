"""Derived checks: computed from a meeting's data on every view, never ticked by hand.

Each check returns an ``Outcome``: met or not, and in plain words why not. Checks whose
data (devices, attendees, documents, records) is not recorded in meetingsec yet report
what is missing; they are never met until that data exists and satisfies the rule.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Outcome:
    met: bool
    reason: object = None  # a lazy translated string when not met


MET = Outcome(True)


def _missing(reason) -> Callable:
    """A check whose data is not recorded yet: not met, saying what is missing."""
    return lambda meeting: Outcome(False, reason)


def approval_recorded(meeting) -> Outcome:
    if meeting.approval_number and meeting.approval_date and meeting.approver_name:
        return MET
    return Outcome(False, _l("The use of the secret content has not been approved yet."))


def venue_closed_room(meeting) -> Outcome:
    venue = meeting.venue
    if not venue.at_hq:
        return Outcome(False, _l("The venue is not at the headquarters."))
    if not venue.closed_room:
        return Outcome(False, _l("The venue is not a closed meeting room."))
    return MET


def device_decision_recorded(meeting) -> Outcome:
    if meeting.device_policy:
        return MET
    return Outcome(False, _l("The chair has not recorded the decision on devices."))


#: Every derived check, by the name a rule's ``check`` field uses
CHECKS: dict[str, Callable] = {
    "approval_recorded": approval_recorded,
    "venue_closed_room": venue_closed_room,
    "device_decision_recorded": device_decision_recorded,
    "attendee_list_approved": _missing(_l("The attendee list has not been drawn up and approved.")),
    "entries_recorded": _missing(_l("No entry at the door has been recorded yet.")),
    "venue_check_passed": _missing(_l("No police security check of the venue has been recorded.")),
    "no_wireless_microphone": _missing(_l("The devices to be installed have not been registered.")),
    "devices_inspected": _missing(
        _l("The devices to be installed have not been registered and inspected.")
    ),
    "seals_verified": _missing(_l("No security seal has been re-checked on the day.")),
    "devices_declared": _missing(_l("No attendee has declared or deposited devices yet.")),
    "commitments_signed": _missing(_l("No attendee has signed the commitment yet.")),
    "copies_registered": _missing(_l("No document copy has been registered.")),
    "copies_recovered": _missing(_l("The recovery of document copies has not been recorded.")),
    "deposits_returned": _missing(_l("The return of deposited devices has not been recorded.")),
    "records_generated": _missing(_l("The records have not been generated.")),
}
