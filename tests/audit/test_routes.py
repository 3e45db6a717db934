"""The audit log pages: filters, paging, verification in the browser's words."""

from datetime import UTC, datetime

from sqlalchemy import text

from meetingsec.audit.services import record
from meetingsec.extensions import db
from tests.helpers import drop_audit_triggers, error_codes


def _seed(make_user):
    alice = make_user("organiser", username="alice", full_name="Alice Nguyễn")
    record(
        "thing.made",
        object_type="thing",
        object_id=1,
        actor=alice,
        now=datetime(2026, 11, 20, 3, tzinfo=UTC),
    )
    record(
        "thing.made",
        object_type="thing",
        object_id=2,
        actor=None,
        now=datetime(2026, 11, 24, 18, tzinfo=UTC),
    )  # 25/11 01:00 in Hà Nội
    db.session.commit()
    return alice


def test_filters(client, make_user, login):
    alice = _seed(make_user)
    login(make_user("auditor"))
    page = client.get(f"/audit/?actor={alice.id}").get_data(as_text=True)
    assert page.count('<tr id="event-') == 1 and "thing #1" in page  # what alice did
    page = client.get("/audit/?action=thing.made&actor=-1").get_data(as_text=True)
    assert page.count('<tr id="event-') == 1 and "thing #2" in page
    # Dates are the agency's local days: 18:00 UTC on the 24th is the 25th in Hà Nội.
    page = client.get("/audit/?action=thing.made&date_from=2026-11-25&date_to=2026-11-25")
    assert page.get_data(as_text=True).count('<tr id="event-') == 1
    page = client.get("/audit/?object_type=thing&object_id=1").get_data(as_text=True)
    assert page.count('<tr id="event-') == 1


def test_htmx_gets_only_the_results(client, make_user, login):
    _seed(make_user)
    login(make_user("auditor"))
    resp = client.get("/audit/?action=thing.made", headers={"HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert "<html" not in body and body.count('<tr id="event-') == 2
    assert "HX-Request" in resp.headers["Vary"]


def test_invalid_filter_lists_nothing(client, make_user, login):
    _seed(make_user)
    login(make_user("auditor"))
    resp = client.get("/audit/?date_from=2026-11-25&date_to=2026-11-01")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "dates_reversed" in error_codes(resp)
    assert '<tr id="event-' not in body


def test_paging(client, make_user, login, app):
    app.config["AUDIT_PAGE_SIZE"] = 5
    for i in range(12):
        record("thing.made", object_type="thing", object_id=i)
    db.session.commit()
    login(make_user("auditor"))
    body = client.get("/audit/?action=thing.made&page=3").get_data(as_text=True)
    assert body.count('<tr id="event-') == 2 and "Trang 3/3" in body


def test_verify_page_names_the_broken_event(client, make_user, login, backend):
    _seed(make_user)
    login(make_user("auditor"))
    assert "Chuỗi nguyên vẹn" in client.get("/audit/verify").get_data(as_text=True)
    drop_audit_triggers(backend)
    db.session.execute(text("UPDATE audit_events SET action = 'thing.hidden' WHERE seq = 2"))
    db.session.commit()
    body = client.get("/audit/verify").get_data(as_text=True)
    assert "Chuỗi bị đứt tại sự kiện số 2" in body and "đã bị sửa" in body
