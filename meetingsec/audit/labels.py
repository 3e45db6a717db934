"""The audit log in people's words: a translated label for every action, object type and
payload field, and a payload summary to read instead of JSON.

The chain stores codes (``door.exited``, ``attendee_movements``, canonical JSON) and keeps
them: they are what is hashed. The pages show these labels; an unknown code (an event
written by a newer version, a test's ``thing.made``) is shown as it is, never dropped.
``tests/audit/test_labels.py`` checks that every action the code writes has its label here.
"""

import json
import re
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from meetingsec.core.i18n import short_date_time

ACTIONS = {
    # signing in and accounts
    "auth.logged_in": _l("Logged in"),
    "auth.logged_out": _l("Logged out"),
    "auth.login_failed": _l("Failed login"),
    "auth.locked": _l("Account locked after failed logins"),
    "auth.session_expired": _l("Session expired"),
    "user.created": _l("User account created"),
    "user.updated": _l("User account changed"),
    "user.unlocked": _l("User account unlocked"),
    "user.password_changed": _l("Own password changed"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.locale_changed": _l("Language changed"),
    "unit.created": _l("Unit created"),
    "unit.updated": _l("Unit changed"),
    "venue.created": _l("Venue created"),
    "venue.updated": _l("Venue changed"),
    "rule.citation_updated": _l("Legal citation of a rule corrected"),
    # meetings
    "meeting.created": _l("Meeting created"),
    "meeting.updated": _l("Meeting changed"),
    "meeting.approved": _l("Secret content approved"),
    "meeting.cleared": _l("Meeting declared cleared to start"),
    "meeting.started": _l("Session started"),
    "meeting.ended": _l("Session ended"),
    "meeting.closed": _l("Meeting closed"),
    "meeting.cancelled": _l("Meeting cancelled"),
    "meeting.access_denied": _l("Access to a meeting refused"),
    "meeting.device_decision": _l("Chair's decision on devices recorded"),
    "meeting.device_added": _l("Device added to the meeting"),
    "meeting.device_removed": _l("Device removed from the meeting"),
    "meeting.device_withdrawn": _l("Device withdrawn from the meeting"),
    "meeting.exported": _l("Meeting data exported (.xlsx)"),
    "checklist.generated": _l("Checklist generated"),
    "checklist.item_marked": _l("Checklist item marked"),
    # devices and venue
    "device.created": _l("Device registered"),
    "device.updated": _l("Device changed"),
    "device.inspected": _l("Device inspected"),
    "device.installed": _l("Device installed"),
    "device.uninstalled": _l("Device uninstalled"),
    "device.seal_checked": _l("Device seal re-checked"),
    "venue.checked": _l("Venue security check recorded"),
    # attendees and the door
    "attendees.added": _l("Attendees added"),
    "attendees.approved": _l("Attendee list approved"),
    "attendees.import_uploaded": _l("Attendee list file uploaded"),
    "attendees.import_columns_chosen": _l("Columns of an attendee list chosen"),
    "attendees.import_converted": _l("Attendee list converted from TCVN3"),
    "attendee.removal_requested": _l("Removal of an attendee requested"),
    "attendee.removed": _l("Attendee removed"),
    "door.checked_in": _l("Checked in at the door"),
    "door.exited": _l("Went out"),
    "door.reentered": _l("Came back in"),
    "door.refused": _l("Refused entry"),
    "door.returned": _l("Deposited items handed back"),
    "door.unclaimed": _l("Deposited items recorded as unclaimed"),
    "door.commitment_changed": _l("Commitment text changed"),
    # documents, incidents, records
    "document.registered": _l("Secret document registered"),
    "document.copies_authorised": _l("Copying authorisation recorded"),
    "document.handed_out": _l("Document copy handed out"),
    "document.recovered": _l("Document copy recovered"),
    "document.lost": _l("Document copy reported lost"),
    "invitation.numbered": _l("Invitations numbered as copies of a secret document"),
    "incident.recorded": _l("Incident recorded"),
    "record.requested": _l("Record requested"),
    "record.generated": _l("Record generated"),
    "record.downloaded": _l("Record downloaded"),
    "invitations.downloaded": _l("Invitations downloaded"),
    "copy_labels.downloaded": _l("Copy labels downloaded"),
    "claim_tickets.downloaded": _l("Claim tickets downloaded"),
    "device_labels.downloaded": _l("Device labels downloaded"),
    "report.exported": _l("Periodic report exported"),
    "report.narrative_saved": _l("Periodic report's text saved"),
    "report.generated": _l("Periodic report generated"),
    # the installation
    "backup.made": _l("Backup made"),
    "backup.restored": _l("Backup restored"),
    "backup.key_replaced": _l("Backup signing key replaced"),
    "software.selfcheck": _l("Software self-check"),
    "agency.updated": _l("Agency settings changed"),
    "records.series_updated": _l("Number series of a record changed"),
    "records.signers_saved": _l("Signers of a record set"),
    "door.identity_checked": _l("Identity checked with the CCCD"),
    "door.passport_checked": _l("Identity checked with the passport"),
    "door.identity_refused": _l("Refused at the door: identity did not match"),
    "room.sealed": _l("Room sealed for the night"),
    "room.seal_found": _l("Room seal checked in the morning"),
    "room.seal_broken": _l("Room seal found broken"),
}

#: The object of an event: its table (``record(obj)``) or a named kind
OBJECTS = {
    "users": _l("User"),
    "units": _l("Unit"),
    "venues": _l("Venue"),
    "meetings": _l("Meeting"),
    "meeting_members": _l("Meeting team member"),
    "checklist_items": _l("Checklist item"),
    "rule_citations": _l("Rule citation"),
    "devices": _l("Device"),
    "meeting_devices": _l("Meeting device"),
    "inspections": _l("Inspection"),
    "seal_checks": _l("Seal check"),
    "venue_checks": _l("Venue check"),
    "incidents": _l("Incident"),
    "attendees": _l("Attendee"),
    "attendee_imports": _l("Imported list"),
    "attendee_column_choices": _l("Remembered column choices"),
    "check_ins": _l("Check-in"),
    "attendee_movements": _l("Exit or re-entry"),
    "deposits": _l("Deposited item"),
    "commitment_texts": _l("Commitment text"),
    "secret_documents": _l("Secret document"),
    "document_copies": _l("Document copy"),
    "records": _l("Record"),
    "record_jobs": _l("Record job"),
    "login_sessions": _l("Login session"),
    "login_locks": _l("Login lock"),
    "user_roles": _l("User role"),
    "audit_events": _l("Audit event"),
    "audit_checkpoints": _l("Audit checkpoint"),
    "backup": _l("Backup"),
    "software": _l("Software"),
    "agency_settings": _l("Agency settings"),
    "commitment_choices": _l("Commitment text in use"),
    "identity_checks": _l("Identity check"),
    "number_series": _l("Number series"),
    "record_numbers": _l("Record number"),
    "record_signers": _l("Record signers"),
    "report_narratives": _l("Periodic report's text"),
    "room_seals": _l("Room seal"),
}

#: Payload fields
FIELDS = {
    "accepted_by_option": _l("Accepted by option"),
    "account_locked": _l("Account locked"),
    "active": _l("Active"),
    "added": _l("Added"),
    "added_count": _l("Files added"),
    "address": _l("Address"),
    "addresses": _l("Addresses"),
    "addresses_locked": _l("Addresses locked"),
    "approval_date": _l("Approval date"),
    "approval_number": _l("Approval number"),
    "approver_name": _l("Approver"),
    "approver_position": _l("Approver's position"),
    "article_text": _l("Text of the article"),
    "at_hq": _l("At headquarters"),
    "attendee_id": _l("Attendee"),
    "attendee_ids": _l("Attendees"),
    "attendees": _l("Attendees"),
    "ban_co_yeu": _l("Supplied by Ban Cơ yếu"),
    "body": _l("Inspecting body"),
    "carries_none": _l("Carries no device"),
    "chair_id": _l("Chair"),
    "cases": _l("Cases of disclosure or loss"),
    "changed": _l("Changed"),
    "changed_count": _l("Files changed"),
    "checked": _l("Files checked"),
    "citation": _l("Citation"),
    "classification": _l("Classification"),
    "clerks": _l("Door clerks"),
    "closed_room": _l("Closed room"),
    "code": _l("Code"),
    "codes": _l("Codes"),
    "columns": _l("Columns"),
    "commitment_sha256": _l("Commitment text (SHA-256)"),
    "copies": _l("Copies"),
    "copy_authorisation": _l("Copying authorisation"),
    "copy_count": _l("Number of copies"),
    "copy_number": _l("Copy number"),
    "day": _l("Day"),
    "deposits": _l("Deposited items"),
    "description": _l("Description"),
    "device_id": _l("Device"),
    "device_policy": _l("Devices"),
    "devices": _l("Devices"),
    "document_id": _l("Document"),
    "ends_at": _l("Ends"),
    "expected": _l("Expected"),
    "file": _l("File"),
    "filename": _l("File name"),
    "fingerprint": _l("Key fingerprint"),
    "folder": _l("Folder"),
    "foreign_consent_by": _l("Consent given by"),
    "foreign_consent_date": _l("Date of the written consent"),
    "foreign_consent_number": _l("Number of the written consent"),
    "foreign_participation": _l("Foreign parties attend"),
    "format": _l("Format"),
    "from": _l("Converted from"),
    "first_copy": _l("First copy number"),
    "full_name": _l("Full name"),
    "head": _l("Chain head"),
    "host_unit_id": _l("Host unit"),
    "id_document": _l("Identity document"),
    "id_number": _l("ID number"),
    "idle_minutes": _l("Idle minutes"),
    "inside_notes": _l("Notes on the inside"),
    "intact": _l("Seal intact"),
    "key_kind": _l("Key"),
    "kind": _l("Kind"),
    "locale": _l("Language"),
    "make": _l("Make"),
    "matched": _l("Matched"),
    "meeting_id": _l("Meeting"),
    "meetings": _l("Meetings"),
    "mismatch": _l("Mismatch"),
    "missing": _l("Missing"),
    "missing_count": _l("Files missing"),
    "model": _l("Model"),
    "name": _l("Name"),
    "name_key": _l("Name (for comparison)"),
    "needs_approval": _l("Needs the chair's approval"),
    "new_fingerprint": _l("New key fingerprint"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "number": _l("Number"),
    "ok": _l("Result"),
    "old_fingerprint": _l("Old key fingerprint"),
    "old_key_kept_as": _l("Old key kept as"),
    "outside_notes": _l("Notes on the outside"),
    "owner_unit_id": _l("Owner unit"),
    "page": _l("Page"),
    "pages": _l("Pages"),
    "parts": _l("Parts of the text"),
    "period": _l("Period"),
    "parent_id": _l("Parent unit"),
    "position": _l("Position"),
    "reason": _l("Reason"),
    "recording_planned": _l("Recording planned"),
    "invitations_secret": _l("Invitations carry secret content"),
    "removed": _l("Removed"),
    "replaced_by": _l("Replaced by device"),
    "result": _l("Result"),
    "roles": _l("Roles"),
    "rows": _l("Rows"),
    "rule": _l("Rule"),
    "ruleset": _l("Ruleset"),
    "ruleset_id": _l("Ruleset"),
    "ruleset_version": _l("Ruleset version"),
    "seal_number": _l("Seal number"),
    "serial": _l("Serial number"),
    "sha256": _l("SHA-256"),
    "sheets": _l("Sheets"),
    "signature_sha256": _l("Signature (SHA-256)"),
    "signers": _l("Signers"),
    "size": _l("Size"),
    "slots": _l("Slots"),
    "source": _l("Source"),
    "starts_at": _l("Starts"),
    "state": _l("State"),
    "status": _l("Status"),
    "tag": _l("Tag"),
    "team": _l("Team"),
    "technicians": _l("Technicians"),
    "text": _l("Text"),
    "title": _l("Title"),
    "unit": _l("Unit"),
    "unit_id": _l("Unit"),
    "until": _l("Until"),
    "username": _l("Username"),
    "venue_id": _l("Venue"),
    "verified": _l("Verified"),
    "version": _l("Version"),
    "via": _l("How"),
    "what": _l("What"),
}

#: The identity documents the door checks (``attendees.models.CCCD``, ``PASSPORT``)
_DOCUMENTS = {"cccd": _l("Citizen identity card (CCCD)"), "passport": _l("Passport")}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str | None) -> str:
    if not object_type:
        return ""
    label = OBJECTS.get(object_type)
    return str(label) if label is not None else object_type


def field_label(key: str) -> str:
    label = FIELDS.get(key)
    return str(label) if label is not None else key


_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _value(key: str, value, titles: dict) -> str:
    """One payload value for people: yes/no, old → new, lists joined, codes titled."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str):
        titled = titles.get(key, {}).get(value)
        if titled is not None:
            return str(titled)
        if _ISO_TIME.match(value):
            try:
                return short_date_time(datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        if len(value) == 2 and key not in _LIST_KEYS:
            # a change: [old, new]
            return f"{_value(key, value[0], titles)} → {_value(key, value[1], titles)}"
        return ", ".join(_value(key, v, titles) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {_value(k, v, titles)}" for k, v in value.items())
    return str(value)


#: Fields whose value is a list of things, not an [old, new] change
_LIST_KEYS = {"attendee_ids", "codes", "addresses", "added", "changed", "missing", "deposits"}


def payload_summary(payload: str, values: dict | None = None) -> list[tuple[str, str]]:
    """An event's payload as (label, text) pairs for people to read. ``values``: the titles
    of other packages' codes by field (``{"status": {"closed": "Closed", …}}``), given by
    the app, which sees them all (``meetingsec.create_app``: the meeting's statuses); the
    audit log sits below every package that writes to it."""
    try:
        data = json.loads(payload)
    except ValueError:
        return [("", payload)]
    titles = {"id_document": _DOCUMENTS, **(values or {})}
    if not isinstance(data, dict):
        return [("", _value("", data, titles))]
    return [(field_label(k), _value(k, v, titles)) for k, v in data.items()]
