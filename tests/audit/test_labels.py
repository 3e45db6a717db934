"""The audit log in people's words (issue 17, item 7): every action the code writes, every
object and every payload field has a translated label, the payload reads as a summary."""

import ast
import json
from pathlib import Path

from meetingsec.audit.labels import ACTIONS, FIELDS, OBJECTS
from meetingsec.audit.services import record
from meetingsec.core.db import Base
from meetingsec.extensions import db
from meetingsec.meetings.access import Reading

PACKAGE = Path(__file__).resolve().parents[2] / "meetingsec"

#: Functions whose first argument, or ``action=`` keyword, is an audit action
_WRITERS = {"record", "record_incident", "transition"}
#: Functions whose ``data=`` is a payload
_PAYLOADS = _WRITERS | {"log_download", "open_download", "audited_file"}


def _written():
    """(actions, payload keys) the code writes, read from its source."""
    actions, keys = set(), set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in _WRITERS and node.args and isinstance(node.args[0], ast.Constant):
                actions.add(node.args[0].value)
            for kw in node.keywords:
                if kw.arg == "action" and isinstance(kw.value, ast.Constant):
                    actions.add(kw.value.value)
                if name == "create_or_update" and kw.arg == "kind":
                    actions |= {f"{kw.value.value}.created", f"{kw.value.value}.updated"}
                if name in _PAYLOADS and kw.arg == "data" and isinstance(kw.value, ast.Dict):
                    keys |= {k.value for k in kw.value.keys if isinstance(k, ast.Constant)}
    actions |= {what.action for what in Reading}
    return {a for a in actions if isinstance(a, str)}, keys


def test_every_action_object_and_field_has_a_label(app):
    actions, keys = _written()
    assert len(actions) > 50
    assert sorted(actions - set(ACTIONS)) == []
    assert sorted(set(Base.metadata.tables) - set(OBJECTS)) == []
    assert sorted(keys - set(FIELDS)) == []
    # the columns a created/updated event carries (users, units, venues, devices, meetings)
    from meetingsec.devices.models import Device
    from meetingsec.meetings.models import Meeting
    from meetingsec.org.models import Unit, Venue

    changed = {"name", "parent_id", "address", "at_hq", "closed_room", "active"}
    changed |= {c.key for c in Device.__table__.columns} - {"id", "tag_code", "created_at"}
    changed |= {"title", "kind", "classification", "format", "starts_at", "ends_at"}
    changed |= {"venue_id", "host_unit_id", "chair_id", "recording_planned", "team"}
    changed |= {"ruleset_id", "ruleset_version", "full_name", "position", "unit_id", "roles"}
    assert {Unit, Venue, Meeting}  # imported for their columns' names above
    assert sorted(changed - set(FIELDS)) == []


def test_a_payload_reads_as_a_summary(app):
    # as the pages show it: the app gives the log the titles of the meeting's statuses
    payload_summary = app.jinja_env.filters["payload_summary"]
    summary = dict(
        payload_summary(
            json.dumps(
                {
                    "status": ["preparing", "cleared"],
                    "intact": False,
                    "attendee_ids": [3, 4],
                    "reason": "",
                    "whatever_new": 1,
                }
            )
        )
    )
    assert summary == {
        "Trạng thái": "Đang chuẩn bị → Đủ điều kiện bắt đầu",
        "Tem còn nguyên vẹn": "Không",
        "Người tham dự": "3, 4",
        "Lý do": "—",
        "whatever_new": "1",  # a field a newer version writes: shown as it is
    }


def test_the_log_shows_labels_not_codes(client, make_user, login):
    user = make_user("auditor")
    login(user)
    record("door.exited", object_type="attendee_movements", object_id=5, actor=user)
    record(
        "meeting.started",
        object_type="meetings",
        object_id=7,
        data={"status": ["cleared", "in_session"]},
    )
    db.session.commit()
    page = client.get("/audit/").get_data(as_text=True)
    results = page[page.index('id="audit-results"') :]
    for raw in ("auth.logged_in", "door.exited", "attendee_movements", "in_session", "{"):
        assert raw not in results, raw
    for label in ("Đã đăng nhập", "Ra ngoài", "Lượt ra hoặc vào lại #5", "Phiên họp bắt đầu"):
        assert label in results, label
    assert "Đủ điều kiện bắt đầu → Đang họp" in results
    # the filters offer the same labels, the codes stay the values
    assert '<option value="door.exited">Ra ngoài</option>' in page
    assert '<option value="attendee_movements">Lượt ra hoặc vào lại</option>' in page
