"""Derived checks: computed from a meeting's data on every view, never ticked by hand.

Each check returns an ``Outcome``: met or not, and in plain words why not.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from flask_babel import lazy_gettext as _l

from meetingsec.core.i18n import local_date
from meetingsec.devices import queries as device_queries
from meetingsec.devices.choices import DeviceKind
from meetingsec.documents import queries as documents
from meetingsec.door import queries as door
from meetingsec.door.queries import EntryGaps


@dataclass(frozen=True)
class Outcome:
    met: bool
    reason: object = None  # a lazy translated string when not met


MET = Outcome(True)


class Figures:
    """What the checks read besides the meeting, fetched once per evaluation (the door's
    counters serve five checks). For a page of meetings they are counted for all at once
    and given here (``checklists.services.readiness_by_meeting``). The records missing
    (the rule "records made") are always given: the records package is above the
    checklist and answers it (``records.queries.evaluate_checklist``)."""

    def __init__(self, meeting, *, missing_records: list, door=None, copies=None, entries=None):
        self.meeting = meeting
        self.missing_records = missing_records
        given = {"door": door, "copies": copies, "entries": entries}
        for name, value in given.items():
            if value is not None:
                setattr(self, name, value)

    @cached_property
    def door(self) -> door.Counters:
        return door.counters(self.meeting.id)

    @cached_property
    def copies(self) -> documents.CopyCounts:
        return documents.copy_counts(self.meeting.id)

    @cached_property
    def entries(self) -> EntryGaps:
        return door.entry_gaps(self.meeting.id)


def approval_recorded(meeting, figures: Figures) -> Outcome:
    if meeting.approval_number and meeting.approval_date and meeting.approver_name:
        return MET
    return Outcome(False, _l("The use of the secret content has not been approved yet."))


def venue_closed_room(meeting, figures: Figures) -> Outcome:
    venue = meeting.venue
    if not venue.at_hq:
        return Outcome(False, _l("The venue is not at the headquarters."))
    if not venue.closed_room:
        return Outcome(False, _l("The venue is not a closed meeting room."))
    return MET


def device_decision_recorded(meeting, figures: Figures) -> Outcome:
    if meeting.device_policy:
        return MET
    return Outcome(False, _l("The chair has not recorded the decision on devices."))


def foreign_consent_recorded(meeting, figures: Figures) -> Outcome:
    if (
        meeting.foreign_consent_by
        and meeting.foreign_consent_number
        and meeting.foreign_consent_date
    ):
        return MET
    return Outcome(False, _l("The written consent to foreign participation has not been recorded."))


_NO_DEVICES = _l("No device has been registered for this meeting.")


def _listed(meeting) -> list:
    """The meeting's devices that count: not those withdrawn from it (their history stays
    in the records, ``devices.services.withdraw_device``)."""
    return [d for d in device_queries.devices_of(meeting) if d.withdrawn_at is None]


def _never_passes(kind: str, rule_id: str) -> bool:
    never = DeviceKind(kind).never_passes
    return never is not None and never.rule_id == rule_id


def no_wireless_microphone(meeting, figures: Figures) -> Outcome:
    devices = _listed(meeting)
    if not devices:
        return Outcome(False, _NO_DEVICES)
    # rule wired-mic: the kinds that never pass for it (devices.choices.NEVER_PASSES)
    wireless = [d for d in devices if _never_passes(d.device.kind, "wired-mic")]
    if wireless:
        return Outcome(
            False, _l("%(n)d wireless microphone(s) on the device list.", n=len(wireless))
        )
    return MET


def devices_inspected(meeting, figures: Figures) -> Outcome:
    devices = _listed(meeting)
    if not devices:
        return Outcome(False, _NO_DEVICES)
    waiting = [d for d in devices if not d.inspections]
    failed = [d for d in devices if d.inspections and not d.cleared]
    if waiting or failed:
        reasons = []
        if waiting:
            reasons.append(_l("%(n)d device(s) not inspected yet.", n=len(waiting)))
        if failed:
            reasons.append(
                _l(
                    "%(n)d device(s) failed the inspection: inspect again, or withdraw or "
                    "replace them on the meeting's device list.",
                    n=len(failed),
                )
            )
        return Outcome(False, " ".join(str(r) for r in reasons))
    return MET


def seals_verified(meeting, figures: Figures) -> Outcome:
    """Each sealed device re-checked on the meeting's day, after its latest inspection."""
    devices = _listed(meeting)
    if not devices:
        return Outcome(False, _NO_DEVICES)
    day = local_date(meeting.starts_at)
    sealed = [d for d in devices if d.cleared and d.latest_inspection.result == "pass"]
    if not sealed and any(not d.cleared for d in devices):
        return Outcome(False, _l("The devices have not passed their inspection yet."))
    broken, unchecked = 0, 0
    for d in sealed:
        checks = [c for c in d.seal_checks if c.at >= d.latest_inspection.at]
        if d.seal_broken:
            broken += 1
        elif not any(c.ok and local_date(c.at) == day for c in checks):
            unchecked += 1
    if broken:
        return Outcome(
            False,
            _l(
                "%(n)d device(s) with a broken or mismatched seal: inspect again with a new seal.",
                n=broken,
            ),
        )
    if unchecked:
        return Outcome(
            False, _l("%(n)d seal(s) not re-checked on the day of the meeting.", n=unchecked)
        )
    return MET


def venue_check_passed(meeting, figures: Figures) -> Outcome:
    checks = device_queries.venue_checks_of(meeting)
    if not checks:
        return Outcome(False, _l("No police security check of the venue has been recorded."))
    if checks[-1].result != "pass":
        return Outcome(False, _l("The latest security check of the venue did not pass."))
    return MET


def attendee_list_approved(meeting, figures: Figures) -> Outcome:
    c = figures.door
    if c.expected + c.pending == 0:
        return Outcome(False, _l("The attendee list is empty."))
    if c.pending:
        return Outcome(
            False, _l("%(n)d addition(s) to the list await the chair's approval.", n=c.pending)
        )
    if c.removals:
        return Outcome(
            False, _l("%(n)d removal(s) from the list await the chair's approval.", n=c.removals)
        )
    return MET


def entries_recorded(meeting, figures: Figures) -> Outcome:
    if figures.door.checked_in == 0:
        return Outcome(False, _l("No entry at the door has been recorded yet."))
    return MET


def devices_declared(meeting, figures: Figures) -> Outcome:
    if figures.door.checked_in == 0:
        return Outcome(False, _l("No attendee has checked in yet."))
    undeclared = figures.entries.undeclared
    if undeclared:
        return Outcome(
            False, _l("%(n)d attendee(s) entered without declaring devices.", n=undeclared)
        )
    return MET


def identities_verified(meeting, figures: Figures) -> Outcome:
    """Tuyệt mật: every attendee who entered had their citizen identity card (a foreign
    guest: their passport) checked against their invitation at the door (``door.identity``)."""
    if figures.door.checked_in == 0:
        return Outcome(False, _l("No attendee has checked in yet."))
    unverified = door.unverified_check_ins(meeting.id)
    if unverified:
        return Outcome(
            False,
            _l(
                "%(n)d attendee(s) entered without their identity verified by the CCCD or "
                "passport.",
                n=unverified,
            ),
        )
    return MET


def room_sealed_overnight(meeting, figures: Figures) -> Outcome:
    """Every day but the last: the room sealed, and found intact with the same seal the
    next morning (``meetings.room_seals``)."""
    from meetingsec.meetings import room_seals

    seals = room_seals.seals_of(meeting.id)
    broken = [s.day for s in seals.values() if s.found_ok is False]
    if broken:
        return Outcome(
            False,
            _l(
                "The room's seal was found broken or changed after %(day)s.",
                day=min(broken).strftime("%d/%m/%Y"),
            ),
        )
    open_nights = [d for d in room_seals.nights(meeting) if d not in seals]
    if open_nights:
        return Outcome(False, _l("%(n)d night(s) without the room sealed.", n=len(open_nights)))
    unchecked = [s for s in seals.values() if s.found_at is None]
    if unchecked:
        return Outcome(
            False,
            _l("%(n)d seal(s) of the room not yet found intact in the morning.", n=len(unchecked)),
        )
    return MET


def commitments_signed(meeting, figures: Figures) -> Outcome:
    if figures.door.checked_in == 0:
        return Outcome(False, _l("No attendee has signed the commitment yet."))
    unsigned = figures.entries.unsigned
    if unsigned:
        return Outcome(False, _l("%(n)d attendee(s) entered without signing.", n=unsigned))
    return MET


def deposits_returned(meeting, figures: Figures) -> Outcome:
    c = figures.door
    if c.held:
        return Outcome(
            False,
            _l("%(n)d deposited item(s) neither handed back nor recorded unclaimed.", n=c.held),
        )
    return MET


def copies_registered(meeting, figures: Figures) -> Outcome:
    """Copies are numbered when registered; copying them needs the competent person's
    permission (Luật 29/2018 Điều 11), recorded for each document."""
    c = figures.copies
    if c.documents == 0:
        return Outcome(False, _l("No secret document has been registered."))
    if c.unauthorised:
        return Outcome(
            False,
            _l(
                "%(n)d document(s) without the permission to copy them recorded.",
                n=c.unauthorised,
            ),
        )
    return MET


def copies_recovered(meeting, figures: Figures) -> Outcome:
    c = figures.copies
    if c.outstanding:
        return Outcome(
            False,
            _l(
                "%(n)d copy(ies) handed out and neither recovered nor reported lost.",
                n=c.outstanding,
            ),
        )
    return MET


def records_generated(meeting, figures: Figures) -> Outcome:
    missing = figures.missing_records
    if missing:
        return Outcome(
            False,
            _l(
                "To generate after the last change: %(kinds)s.",
                kinds=", ".join(str(k.title) for k in missing),
            ),
        )
    return MET


#: Every derived check, by the name a rule's ``check`` field uses
CHECKS: dict[str, Callable] = {
    "approval_recorded": approval_recorded,
    "venue_closed_room": venue_closed_room,
    "device_decision_recorded": device_decision_recorded,
    "foreign_consent_recorded": foreign_consent_recorded,
    "attendee_list_approved": attendee_list_approved,
    "entries_recorded": entries_recorded,
    "venue_check_passed": venue_check_passed,
    "no_wireless_microphone": no_wireless_microphone,
    "devices_inspected": devices_inspected,
    "seals_verified": seals_verified,
    "devices_declared": devices_declared,
    "commitments_signed": commitments_signed,
    "identities_verified": identities_verified,
    "room_sealed_overnight": room_sealed_overnight,
    "copies_registered": copies_registered,
    "copies_recovered": copies_recovered,
    "deposits_returned": deposits_returned,
    "records_generated": records_generated,
}
