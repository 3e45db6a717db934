"""How the agency names itself on its records, set once by the administrator, and each
record kind's number series."""

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db
from meetingsec.org.queries import agency_settings
from meetingsec.records import queries as records
from meetingsec.records import services
from meetingsec.records.choices import RecordKind
from tests.factories import organiser_of
from tests.helpers import actions, error_codes, snapshot


def form(**changes) -> dict:
    data = {
        "parent_agency": "UBND tỉnh Bình Minh",
        "agency": "Văn phòng",
        "abbreviation": "vp",
        "place": "Bình Minh",
    }
    for kind in RecordKind:
        data[f"symbol_{kind.value}"] = kind.entry.symbol
        data[f"next_{kind.value}"] = "1"
    data.update(changes)
    return data


def test_the_administrator_sets_the_agency_once(client, make_user, login):
    login(make_user("admin"))
    page = client.get("/admin/agency")
    assert page.status_code == 200
    resp = client.post("/admin/agency", data=form(next_security="12", symbol_security="BB"))
    assert resp.status_code == 303
    settings = agency_settings()
    assert (settings.parent_agency, settings.agency, settings.abbreviation, settings.place) == (
        "UBND tỉnh Bình Minh",
        "Văn phòng",
        "VP",
        "Bình Minh",
    )
    assert records.number_series()[RecordKind.SECURITY].next_number == 12
    assert "agency.updated" in actions() and "records.series_updated" in actions()
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "agency.updated")
    ).one()
    assert "Bình Minh" in event.payload
    # saved again unchanged: nothing is written
    count = len(actions())
    assert client.post("/admin/agency", data=form(next_security="12")).status_code == 303
    assert len(actions()) == count
    # the page shows what was set
    assert 'value="12"' in client.get("/admin/agency").get_data(as_text=True)


def test_bad_settings_are_refused_and_change_nothing(client, make_user, login):
    login(make_user("admin"))
    before = snapshot()
    for bad in (
        {"agency": ""},
        {"abbreviation": "V P/"},
        {"next_closing": "0"},
        {"symbol_attendance": ""},
    ):
        resp = client.post("/admin/agency", data=form(**bad))
        assert resp.status_code == 422, bad
        assert error_codes(resp), bad
    assert snapshot() == before


def test_only_the_administrator_sets_it(client, make_user, login):
    login(make_user("organiser"))
    assert client.get("/admin/agency").status_code == 403


def test_a_record_takes_its_number_once_and_the_series_restarts_each_year(ended_meeting):
    from datetime import timedelta

    from meetingsec.core.db import utcnow

    meeting, *_rest = ended_meeting()
    first = services.request_record(meeting, "attendance", actor=organiser_of(meeting))
    db.session.commit()
    number = records.record_number(meeting.id, RecordKind.ATTENDANCE)
    assert (number.number, number.symbol) == (1, "DS")
    first.state = "failed"  # a later version keeps the number
    db.session.commit()
    services.request_record(meeting, "attendance", actor=organiser_of(meeting))
    db.session.commit()
    assert records.record_number(meeting.id, RecordKind.ATTENDANCE).number == 1
    services.request_record(meeting, "security", actor=organiser_of(meeting))
    assert records.record_number(meeting.id, RecordKind.SECURITY).number == 1  # its own series
    series = records.number_series()[RecordKind.ATTENDANCE]
    assert series.next_number == 2
    series.year -= 1  # last year's series: a new year starts again at 1
    db.session.commit()
    meeting2, *_rest = ended_meeting()
    services.request_record(
        meeting2, "attendance", actor=organiser_of(meeting2), now=utcnow() + timedelta(seconds=1)
    )
    assert records.record_number(meeting2.id, RecordKind.ATTENDANCE).number == 1
