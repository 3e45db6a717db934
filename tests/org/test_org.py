"""Units (a tree) and venues, managed by administrators."""

from sqlalchemy import select

from meetingsec.extensions import db
from meetingsec.org.models import Unit, Venue
from tests.helpers import actions, error_codes, snapshot


def test_admin_builds_a_unit_tree(client, make_user, login):
    login(make_user("admin"))
    assert (
        client.post(
            "/admin/units/new", data={"name": "UBND tỉnh", "parent_id": "0", "active": "y"}
        ).status_code
        == 303
    )
    top = db.session.scalar(select(Unit).where(Unit.name == "UBND tỉnh"))
    assert (
        client.post(
            "/admin/units/new", data={"name": "Văn phòng", "parent_id": str(top.id), "active": "y"}
        ).status_code
        == 303
    )
    page = client.get("/admin/units").get_data(as_text=True)
    assert "UBND tỉnh › Văn phòng" in page
    assert actions()[-2:] == ["unit.created", "unit.created"]


def test_unit_cannot_go_under_its_own_child(client, make_user, login):
    login(make_user("admin"))
    client.post("/admin/units/new", data={"name": "A", "parent_id": "0", "active": "y"})
    a = db.session.scalar(select(Unit).where(Unit.name == "A"))
    client.post("/admin/units/new", data={"name": "B", "parent_id": str(a.id), "active": "y"})
    b = db.session.scalar(select(Unit).where(Unit.name == "B"))
    before = snapshot()
    resp = client.post(
        f"/admin/units/{a.id}", data={"name": "A", "parent_id": str(b.id), "active": "y"}
    )
    assert resp.status_code == 422
    assert "unit_cycle" in error_codes(resp)
    assert snapshot() == before


def test_duplicate_unit_name_is_refused(client, make_user, login):
    login(make_user("admin"))
    client.post("/admin/units/new", data={"name": "Sở Nội vụ", "parent_id": "0"})
    before = snapshot()
    resp = client.post("/admin/units/new", data={"name": "sở nội vụ", "parent_id": "0"})
    assert resp.status_code == 422 and "duplicate_name" in error_codes(resp)
    assert snapshot() == before


def test_saving_unchanged_unit_writes_no_event(client, make_user, login):
    login(make_user("admin"))
    client.post("/admin/units/new", data={"name": "C", "parent_id": "0", "active": "y"})
    unit = db.session.scalar(select(Unit).where(Unit.name == "C"))
    count = len(actions())
    client.post(f"/admin/units/{unit.id}", data={"name": "C", "parent_id": "0", "active": "y"})
    assert len(actions()) == count


def test_admin_manages_venues(client, make_user, login):
    login(make_user("admin"))
    resp = client.post(
        "/admin/venues/new",
        data={"name": "Hội trường Khách sạn", "address": "25 Lê Lợi", "closed_room": "y"},
    )
    assert resp.status_code == 303
    venue = db.session.scalar(select(Venue))
    assert (venue.at_hq, venue.closed_room, venue.active) == (False, True, False)
    resp = client.post(
        f"/admin/venues/{venue.id}",
        data={
            "name": "Hội trường Khách sạn",
            "address": "25 Lê Lợi",
            "at_hq": "y",
            "closed_room": "y",
            "active": "y",
        },
    )
    assert resp.status_code == 303
    db.session.refresh(venue)
    assert venue.at_hq and venue.active
    assert actions()[-2:] == ["venue.created", "venue.updated"]
    page = client.get("/admin/venues").get_data(as_text=True)
    assert "Hội trường Khách sạn" in page and "25 Lê Lợi" in page


def test_bad_venue_forms_change_nothing(client, make_user, login):
    login(make_user("admin"))
    client.post("/admin/venues/new", data={"name": "Phòng 1", "active": "y"})
    before = snapshot()
    for data in (
        {"name": ""},
        {"name": "x" * 201},
        {"name": "Phòng\x001"},
        {"name": "Phòng 1"},
        {"name": "ok", "address": "a" * 10_000},
    ):
        assert client.post("/admin/venues/new", data=data).status_code == 422, data
    assert snapshot() == before


def test_admin_marks_a_unit_of_the_ministry_of_defence(client, make_user, login):
    from meetingsec.org.choices import FunctionalBody
    from meetingsec.org.queries import body_of

    login(make_user("admin"))
    data = {"name": "Bộ Tư lệnh Quân khu 7", "parent_id": "0", "active": "y", "body": "defence"}
    assert client.post("/admin/units/new", data=data).status_code == 303
    top = db.session.scalar(select(Unit).where(Unit.name == "Bộ Tư lệnh Quân khu 7"))
    child = {"name": "Phòng Bảo vệ", "parent_id": str(top.id), "active": "y"}
    assert client.post("/admin/units/new", data=child).status_code == 303
    below = db.session.scalar(select(Unit).where(Unit.name == "Phòng Bảo vệ"))
    assert body_of(below) is FunctionalBody.DEFENCE  # a unit under a marked one is one too
    page = client.get("/admin/units").get_data(as_text=True)
    assert str(FunctionalBody.DEFENCE.title) in page
    assert '<option selected value="defence">' in client.get(f"/admin/units/{top.id}").get_data(
        as_text=True
    )
    bad = client.post("/admin/units/new", data={**child, "name": "X", "body": "navy"})
    assert bad.status_code == 422
