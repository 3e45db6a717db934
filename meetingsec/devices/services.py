"""The device registry and the police checks of a meeting's devices and venue.

Every function validates, changes, audits in the same transaction and flushes; the caller
commits. Recording functions take a ``key`` made when the form was shown: a double tap or
a retry after the Wi-Fi dropped returns the first record instead of writing a second.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.audit.services import create_or_update, record
from meetingsec.core import codes
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.seals import check_seal_format, normalize_seal
from meetingsec.devices.choices import DeviceKind, InspectionResult
from meetingsec.devices.models import (
    Device,
    Inspection,
    MeetingDevice,
    SealCheck,
    VenueCheck,
)
from meetingsec.devices.queries import devices_of, list_open_meetings_using, venue_checks_of
from meetingsec.extensions import db
from meetingsec.incidents.services import record_incident
from meetingsec.meetings.access import Reading, is_on_team, log_download
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.models import Meeting
from meetingsec.org.choices import FunctionalBody
from meetingsec.org.queries import body_of
from meetingsec.users.roles import Role

# -- the registry --------------------------------------------------------------------------------


def can_manage_device(user, owner_unit_id: int | None) -> bool:
    """The registry is kept per owner unit: administrators keep every device (and those of
    no unit), organisers their own unit's."""
    if user.has_role(Role.ADMIN):
        return True
    return (
        user.has_role(Role.ORGANISER) and user.unit_id is not None and owner_unit_id == user.unit_id
    )


def require_device_manager(device: Device | None, *, actor) -> None:
    """Refuse unless ``actor`` may register a device (``device`` None) or change this one.

    A device on the list of a meeting that is not over (closed or cancelled) is that
    meeting's: changing its kind or serial would change the meeting's checklist and its
    inspection record, so only that meeting's team may (and only if they keep the registry).
    """
    if device is None and not can_manage_device(actor, actor.unit_id):
        raise NotAllowed(
            _l("Devices are registered by administrators, and by organisers for their unit."),
            "not_owner_unit",
        )
    if device is not None and not can_manage_device(actor, device.owner_unit_id):
        raise NotAllowed(
            _l("Only administrators and organisers of the device's owner unit can change it."),
            "not_owner_unit",
        )
    in_use = list_open_meetings_using(device.id) if device is not None else []
    if not all(is_on_team(actor, m) for m in in_use):
        raise NotAllowed(
            _l(
                "This device is on the list of a meeting that is not closed: "
                "only that meeting's team can change it."
            ),
            "device_in_use",
        )


def save_device(
    device: Device | None,
    *,
    actor,
    kind: str,
    make: str,
    model: str,
    serial: str,
    owner_unit,
    ban_co_yeu: bool,
    notes: str,
    active: bool = True,
) -> Device:
    """Register a device (``device`` None: it gets a new tag code) or change one.
    ``actor`` None is the system (the command line, the demo)."""
    if actor is not None:
        require_device_manager(device, actor=actor)
        if not can_manage_device(actor, owner_unit.id if owner_unit else None):
            raise NotAllowed(
                _l("Choose your own unit: organisers keep their unit's devices only."),
                "not_owner_unit",
                field="owner_unit_id",
            )
    values = {
        "kind": DeviceKind(kind).value,
        "make": make,
        "model": model,
        "serial": serial,
        "owner_unit_id": owner_unit.id if owner_unit else None,
        "ban_co_yeu": ban_co_yeu,
        "notes": notes,
        "active": active,
    }
    if device is None:
        code = codes.new_code()
        while db.session.scalar(select(Device.id).where(Device.tag_code == code)):
            code = codes.new_code()  # 50 random bits: practically never
        values["tag_code"] = code
    return create_or_update(Device, device, values, actor=actor, kind="device")


def require_labels(devices: list[Device], *, actor) -> None:
    if not all(can_manage_device(actor, d.owner_unit_id) for d in devices):
        raise NotAllowed(
            _l("You can print the labels of your own unit's devices only."), "not_owner_unit"
        )


def open_labels(devices: list[Device], *, actor) -> None:
    """QR labels of registry devices leave the app: only those of devices ``actor`` keeps
    (refused as a whole otherwise); audited. The view checks ``require_labels`` before it
    renders them and calls this after."""
    require_labels(devices, actor=actor)
    log_download(
        Reading.DEVICE_LABELS,
        actor=actor,
        data={"devices": [{"id": d.id, "tag": d.tag_code} for d in devices]},
    )


def find_device(typed: str) -> Device:
    """The device whose tag code was scanned or typed, or a clear refusal."""
    code = codes.normalize(typed)
    if code is None:
        raise DomainError(
            _l("This is not a valid tag code. Check the characters and try again."),
            "bad_code",
            field="code",
        )
    device = db.session.scalar(select(Device).where(Device.tag_code == code))
    if device is None:
        raise DomainError(_l("No device has this tag code."), "unknown_code", field="code")
    return device


def meeting_device_for(meeting: Meeting, typed: str) -> MeetingDevice:
    device = find_device(typed)
    md = next((d for d in devices_of(meeting) if d.device_id == device.id), None)
    if md is None:
        raise DomainError(
            _l("This device (%(name)s) is not on this meeting's list.", name=device.name),
            "other_meeting",
            field="code",
        )
    return md


def _require_organiser(meeting: Meeting, actor) -> None:
    if actor.id != meeting.organiser_id:
        raise NotAllowed(
            _l("Only the meeting's organiser can change its devices."), "not_organiser"
        )


def add_device(
    meeting: Meeting, device: Device, *, actor, now: datetime | None = None
) -> MeetingDevice:
    _require_organiser(meeting, actor)
    if not meeting.status.allows(Action.EDIT):
        raise DomainError(_l("The device list is frozen once the meeting is cleared."), "frozen")
    if not device.active:
        raise DomainError(_l("This device is no longer in use."), "inactive", field="code")
    listed = next((d for d in devices_of(meeting) if d.device_id == device.id), None)
    if listed is not None and listed.withdrawn_at is not None:
        raise DomainError(
            _l("This device was withdrawn from this meeting: choose another one."),
            "withdrawn",
            field="code",
        )
    if listed is not None:
        raise DomainError(_l("This device is already on the list."), "duplicate", field="code")
    md = MeetingDevice(
        meeting_id=meeting.id, device_id=device.id, added_by_id=actor.id, added_at=now or utcnow()
    )
    devices_of(meeting).append(md)
    db.session.flush()
    record(
        "meeting.device_added",
        md,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "device_id": device.id, "tag": device.tag_code},
    )
    return md


def remove_device(
    meeting: Meeting, md: MeetingDevice, *, actor, now: datetime | None = None
) -> None:
    _require_organiser(meeting, actor)
    if not meeting.status.allows(Action.EDIT) or md.installed_at or md.inspections:
        raise DomainError(
            _l(
                "A device that was inspected keeps its history: "
                "withdraw it from the meeting instead."
            ),
            "kept",
        )
    record(
        "meeting.device_removed",
        md,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "device_id": md.device_id},
    )
    devices_of(meeting).remove(md)
    db.session.delete(md)


def withdraw_device(
    meeting: Meeting,
    md: MeetingDevice,
    *,
    actor,
    replaced_by: MeetingDevice | None = None,
    now: datetime | None = None,
) -> MeetingDevice:
    """The organiser takes an inspected device off the meeting (it failed, or will not be
    used): it stays in the history and the records ("withdrawn from the meeting") and no
    longer counts for the checklist. An installed device is uninstalled first, by a
    technician."""
    _require_organiser(meeting, actor)
    if not meeting.status.allows(Action.EDIT):
        raise DomainError(_l("The device list is frozen once the meeting is cleared."), "frozen")
    if md.withdrawn_at is not None:
        raise DomainError(_l("This device was already withdrawn from the meeting."), "withdrawn")
    if md.installed_at is not None:
        raise DomainError(
            _l("This device is installed: a technician uninstalls it first."), "installed"
        )
    now = now or utcnow()
    state = md.state
    md.withdrawn_at = now
    record(
        "meeting.device_withdrawn",
        md,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "device_id": md.device_id,
            "state": state.value,
            "replaced_by": replaced_by.device_id if replaced_by else None,
        },
    )
    return md


def replace_device(
    meeting: Meeting, md: MeetingDevice, device: Device, *, actor, now: datetime | None = None
) -> MeetingDevice:
    """Withdraw ``md`` and put ``device`` on the list in its place, in one step."""
    new = add_device(meeting, device, actor=actor, now=now)
    withdraw_device(meeting, md, actor=actor, replaced_by=new, now=now)
    return new


def uninstall(
    meeting: Meeting, md: MeetingDevice, *, actor, now: datetime | None = None
) -> MeetingDevice:
    """A technician takes an installed device out of the room (so that it can be
    withdrawn, or inspected again)."""
    _require_technician(meeting, actor)
    _require_checking(meeting)
    return _mark_installed(meeting, md, installed=False, actor=actor, now=now)


def _mark_installed(
    meeting: Meeting, md: MeetingDevice, *, installed: bool, actor, now: datetime | None
) -> MeetingDevice:
    """Record the device put in the room (``installed``) or taken out; once."""
    if (md.installed_at is not None) != installed:
        now = now or utcnow()
        md.installed_at, md.installed_by_id = (now, actor.id) if installed else (None, None)
        record(
            "device.installed" if installed else "device.uninstalled",
            md,
            actor=actor,
            now=now,
            data={"meeting_id": meeting.id, "device_id": md.device_id},
        )
    return md


def _require_listed(md: MeetingDevice) -> None:
    if md.withdrawn_at is not None:
        raise DomainError(
            _l("This device was withdrawn from the meeting: nothing more is recorded on it."),
            "withdrawn",
        )


def _recorded(model, key: str):
    """The record already made with this form key (a double tap or a retry), if any."""
    return db.session.scalar(select(model).where(model.key == key))


def _require_technician(meeting: Meeting, actor) -> None:
    if actor.id not in meeting.member_ids("technician"):
        raise NotAllowed(
            _l("Only a technician on this meeting's team can record checks."), "not_technician"
        )


def inspecting_body(meeting: Meeting, actor) -> FunctionalBody:
    """The body whose technician records a check: the one that inspects for the host unit
    (the police; the functional body of the Ministry of Defence or Ban Cơ yếu Chính phủ for
    their own units, ND 26/2020 Điều 6 khoản 1 and khoản 2 điểm a). A technician of
    another body cannot record it."""
    wanted = body_of(meeting.host_unit)
    if body_of(actor.unit) is not wanted:
        raise NotAllowed(
            _l(
                "The host unit's checks are done by %(body)s: a technician of that body "
                "records them.",
                body=wanted.title,
            ),
            "wrong_body",
        )
    return wanted


def _require_checking(meeting: Meeting) -> None:
    if not meeting.status.allows(Action.CHECK):
        raise DomainError(
            _l("Checks can only be recorded before the meeting is cleared."), "not_checking"
        )


def _locked(md: MeetingDevice) -> MeetingDevice:
    """Re-read the device row under a lock (PostgreSQL; SQLite serialises writers), so two
    technicians saving at once are judged one after the other."""
    db.session.execute(select(MeetingDevice.id).where(MeetingDevice.id == md.id).with_for_update())
    db.session.refresh(md, ["inspections", "seal_checks"])
    return md


def record_inspection(
    meeting: Meeting,
    md: MeetingDevice,
    *,
    actor,
    result: str,
    seal_number: str,
    notes: str,
    key: str,
    based_on: int,
    now: datetime | None = None,
) -> Inspection:
    """Record a police inspection of a device before installation.

    ``based_on`` is the id of the latest inspection the technician saw (0 for none): if
    another one was recorded meanwhile, this one is refused rather than added blindly.
    """
    done = _recorded(Inspection, key)
    if done is not None:
        return done
    _require_technician(meeting, actor)
    _require_checking(meeting)
    body = inspecting_body(meeting, actor)
    _locked(md)
    _require_listed(md)
    latest = md.latest_inspection
    if (latest.id if latest else 0) != based_on:
        raise DomainError(
            _l(
                "%(name)s recorded an inspection of this device a moment ago. "
                "Look at it before recording another.",
                name=latest.technician.full_name,
            ),
            "already_inspected",
        )
    result = InspectionResult(result)
    device = md.device
    seal_number = normalize_seal(seal_number)
    if device.ban_co_yeu and result is not InspectionResult.EXEMPT:
        raise DomainError(
            _l("Ban Cơ yếu equipment is exempt: mark it exempt instead."),
            "ban_co_yeu",
            field="result",
        )
    if result is InspectionResult.EXEMPT and not device.ban_co_yeu:
        raise DomainError(
            _l("Only equipment supplied by Ban Cơ yếu Chính phủ is exempt."),
            "not_ban_co_yeu",
            field="result",
        )
    if result is InspectionResult.PASS:
        never = DeviceKind(device.kind).never_passes  # e.g. rule wired-mic
        if never is not None:
            raise DomainError(never.reason, never.code, field="result")
        check_seal_format(seal_number)
        broken = [c.seal_number for c in md.seal_checks if not c.ok]
        used = {i.seal_number for i in md.inspections} | set(broken)
        if broken and seal_number in used:
            raise DomainError(
                _l("The seal was broken or did not match: put on a new seal with a new number."),
                "seal_reused",
                field="seal_number",
            )
    if result is InspectionResult.FAIL and not notes:
        raise DomainError(_l("Write why the device failed."), "reason_required", field="notes")
    now = now or utcnow()
    inspection = Inspection(
        meeting_device_id=md.id,
        technician_id=actor.id,
        result=result.value,
        seal_number=seal_number if result is InspectionResult.PASS else "",
        notes=notes,
        body=body.value,
        at=now,
        key=key,
    )
    md.inspections.append(inspection)
    if result is InspectionResult.FAIL and md.installed_at:
        md.installed_at, md.installed_by_id = None, None  # a failed device comes out
    db.session.flush()
    record(
        "device.inspected",
        inspection,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "device_id": md.device_id,
            "body": body.value,
            "result": result.value,
            "seal_number": inspection.seal_number,
            "notes": notes,
        },
    )
    return inspection


def install(
    meeting: Meeting, md: MeetingDevice, *, actor, now: datetime | None = None
) -> MeetingDevice:
    """Mark a device installed: only after it passed (inspection before installation)."""
    _require_technician(meeting, actor)
    _require_checking(meeting)
    _require_listed(md)
    if not md.cleared or md.seal_broken:
        raise DomainError(
            _l("A device can be installed only after it passed the inspection."), "not_passed"
        )
    return _mark_installed(meeting, md, installed=True, actor=actor, now=now)


def check_seal(
    meeting: Meeting,
    md: MeetingDevice,
    *,
    actor,
    seal_number: str,
    intact: bool,
    key: str,
    now: datetime | None = None,
) -> SealCheck:
    """On the day: the seal is re-scanned. A broken seal or another number is an incident,
    and the device must be inspected again with a new seal."""
    done = _recorded(SealCheck, key)
    if done is not None:
        return done
    _require_technician(meeting, actor)
    _require_checking(meeting)
    _locked(md)
    _require_listed(md)
    last = md.latest_inspection
    if last is None or last.result != InspectionResult.PASS.value:
        raise DomainError(
            _l("Only a device that passed its inspection carries a seal to check."), "no_seal"
        )
    seal_number = normalize_seal(seal_number)
    check_seal_format(seal_number)
    now = now or utcnow()
    ok = intact and seal_number == last.seal_number
    check = SealCheck(
        meeting_device_id=md.id,
        technician_id=actor.id,
        seal_number=seal_number,
        intact=intact,
        ok=ok,
        at=now,
        key=key,
    )
    md.seal_checks.append(check)
    db.session.flush()
    record(
        "device.seal_checked",
        check,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "device_id": md.device_id,
            "seal_number": seal_number,
            "expected": last.seal_number,
            "intact": intact,
            "ok": ok,
        },
    )
    if not ok:
        kind = "seal_broken" if not intact else "seal_mismatch"
        description = (
            f"{md.device.name} ({codes.display(md.device.tag_code)}): "
            f"{'tem bị rách' if not intact else 'số tem không khớp'}; "
            f"tem kiểm tra {last.seal_number}, tem thấy {seal_number}"
        )
        record_incident(
            meeting,
            actor=actor,
            kind=kind,
            description=description,
            meeting_device_id=md.id,
            action="incident.recorded",
            data={"meeting_id": meeting.id, "kind": kind, "description": description},
            now=now,
        )
    return check


def record_venue_check(
    meeting: Meeting,
    *,
    actor,
    result: str,
    inside_notes: str,
    outside_notes: str,
    key: str,
    now: datetime | None = None,
) -> VenueCheck:
    """The police security check of a venue outside headquarters."""
    done = _recorded(VenueCheck, key)
    if done is not None:
        return done
    _require_technician(meeting, actor)
    _require_checking(meeting)
    body = inspecting_body(meeting, actor)
    if result not in ("pass", "fail"):
        raise DomainError(
            _l("Choose one of the options in the list."), "bad_result", field="result"
        )
    if not inside_notes or not outside_notes:
        raise DomainError(
            _l("Describe what was checked inside and around the venue."),
            "notes_required",
            field="inside_notes",
        )
    now = now or utcnow()
    check = VenueCheck(
        meeting_id=meeting.id,
        technician_id=actor.id,
        result=result,
        inside_notes=inside_notes,
        outside_notes=outside_notes,
        body=body.value,
        at=now,
        key=key,
    )
    venue_checks_of(meeting).append(check)
    db.session.flush()
    record(
        "venue.checked",
        check,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "venue_id": meeting.venue_id,
            "body": body.value,
            "result": result,
            "inside_notes": inside_notes,
            "outside_notes": outside_notes,
        },
    )
    return check
