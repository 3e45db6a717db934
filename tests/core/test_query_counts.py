"""Pages run a fixed number of statements, whatever the size of the meeting: templates never
query (``no_template_queries``) and no page queries once per row. Each page is measured
at two sizes of data; an N+1 would make the larger one run more statements."""

import pytest

from meetingsec.devices.services import add_device
from meetingsec.door.commitment import commitment_for
from meetingsec.extensions import db
from tests.factories import PASSWORD, organiser_of
from tests.helpers import check_in, signature_json

pytestmark = pytest.mark.usefixtures("no_template_queries")

#: Statements per page (the login session and the user's roles included)
#: (the door card reads the attendee's numbered invitation copy; the lists and pages that
#: say which records are due read, for all their meetings at once, which lost a copy: the
#: immediate report is due for those)
#: (the login session comes with its user and roles, the meeting with its members, the
#: attendee with their check-in: one statement each)
EXPECTED = {
    "door card": 8,
    "door card, not yet in": 4,
    "door search": 6,
    "door counters": 3,
    "door scan": 4,
    "door confirm": 15,
    "meetings list": 12,
    "meetings list past the door": 13,
    "meeting page": 16,
    "meeting's devices": 8,
    "closing": 15,
}


def _client_of(app, user):
    """A tablet of its own, logged in as ``user``."""
    client = app.test_client()
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 303
    return client


#: The signature's strokes and image: only the records read them
SIGNATURE = ("signature_png", "signature_strokes")


def _measure(count_queries, client, url, *, unread=()) -> int:
    """The statements of GET ``url``; none of them may read the columns ``unread``."""
    with count_queries() as q:
        resp = client.get(url)
    assert resp.status_code == 200, resp.status_code
    print(f"\n{url}: {q}")
    for column in unread:
        assert not [s for s in q.statements if column in s], f"{url} reads {column}"
    return q.count


def _assert_fixed(name, counts):
    small, large = counts
    assert small == large, f"{name}: {small} statements with little data, {large} with more"
    assert large == EXPECTED[name], f"{name}: {large} statements"


def _door(open_door, n, checked_in):
    meeting, clerk, people = open_door(n)
    for person in people[:checked_in]:
        check_in(meeting, clerk, person)
    db.session.commit()
    return meeting, clerk, people


def test_door_pages_run_a_fixed_number_of_statements(app, client, open_door, count_queries):
    card, fresh, search, counters = [], [], [], []
    for n, checked_in in ((5, 2), (200, 20)):
        meeting, clerk, people = _door(open_door, n, checked_in)
        client = _client_of(app, clerk)
        base = f"/meetings/{meeting.id}/door"
        card.append(
            _measure(count_queries, client, f"{base}/attendees/{people[0].id}", unread=SIGNATURE)
        )
        fresh.append(_measure(count_queries, client, f"{base}/attendees/{people[-1].id}"))
        search.append(
            _measure(count_queries, client, f"{base}/search?q=kh%C3%A1ch", unread=SIGNATURE)
        )
        counters.append(_measure(count_queries, client, f"{base}/counters"))
    _assert_fixed("door card", card)
    _assert_fixed("door card, not yet in", fresh)
    _assert_fixed("door search", search)
    _assert_fixed("door counters", counters)


#: A write on PostgreSQL also takes the audit chain's advisory lock (audit.services)
CHAIN_LOCK = {"sqlite": 0, "postgresql": 1}


def test_the_door_round_runs_a_fixed_number_of_statements(
    app, client, open_door, count_queries, request
):
    """What the tablet sends per attendee: the scan, answered with the card, and the
    confirm, answered with the door page (its claim ticket and counters)."""
    scan, confirm = [], []
    for n, checked_in in ((5, 2), (200, 20)):
        meeting, clerk, people = _door(open_door, n, checked_in)
        client = _client_of(app, clerk)
        base, person = f"/meetings/{meeting.id}/door", people[-1]
        with count_queries() as q:
            resp = client.post(
                f"{base}/",
                data={"code": person.invitation_code, "key": f"scan-key-{n:04d}"},
                headers={"HX-Request": "true"},
            )
        assert resp.status_code == 200 and 'name="n_phone"' in resp.get_data(as_text=True)
        scan.append(q.count)
        with count_queries() as q:
            resp = client.post(
                f"{base}/check-in",
                data={
                    "code": person.invitation_code,
                    "key": f"confirm-key-{n:04d}",
                    "n_phone": "1",
                    "signature": signature_json(),
                    "commitment_sha256": commitment_for(meeting)[1],
                },
                headers={"HX-Request": "true"},
            )
        assert resp.status_code == 200 and "HX-Push-Url" in resp.headers
        confirm.append(q.count)
    _assert_fixed("door scan", scan)
    lock = CHAIN_LOCK[request.config.getoption("--db")]
    _assert_fixed("door confirm", [n - lock for n in confirm])


def test_meetings_list_runs_a_fixed_number_of_statements(
    app, client, make_user, make_meeting, make_device, count_queries
):
    organiser, chair = make_user("organiser"), make_user("chair")
    counts = []
    made = 0
    for size in (2, 10):
        while made < size:
            meeting = make_meeting(organiser=organiser, chair=chair)
            add_device(meeting, make_device(), actor=organiser)
            db.session.commit()
            made += 1
        client = _client_of(app, organiser)
        counts.append(_measure(count_queries, client, "/meetings/"))
    _assert_fixed("meetings list", counts)


def test_meeting_page_runs_a_fixed_number_of_statements(
    app, client, open_door, make_device, count_queries
):
    counts = []
    for n, devices in ((3, 1), (60, 8)):
        meeting, clerk, people = _door(open_door, n, n // 3)
        meeting.status = "preparing"
        for _ in range(devices):
            add_device(meeting, make_device(), actor=organiser_of(meeting))
        meeting.status = "cleared"
        db.session.commit()
        client = _client_of(app, organiser_of(meeting))
        counts.append(_measure(count_queries, client, f"/meetings/{meeting.id}"))
    _assert_fixed("meeting page", counts)


def test_meeting_workbook_runs_a_fixed_number_of_statements(open_door, count_queries):
    from meetingsec.records.export import meeting_workbook

    counts = []
    for n in (4, 40):
        meeting, _clerk, _people = _door(open_door, n, n // 2)
        db.session.expire_all()
        with count_queries(requests_only=False) as q:
            meeting_workbook(meeting)
        print(f"\nmeeting_workbook({n} attendees): {q}")
        counts.append(q.count)
    assert counts[0] == counts[1] == 8, counts


def test_meetings_list_of_meetings_past_their_door_runs_a_fixed_number_of_statements(
    app, client, make_user, ended_meeting, count_queries
):
    """Meetings whose door has worked and whose session has ended: the checks of entries,
    signatures and records that are still missing are counted for the whole page at once."""
    from tests.factories import stored_record

    auditor = make_user("auditor")  # reads every meeting
    counts = []
    made = 0
    for size in (2, 6):
        while made < size:
            meeting, *_ = ended_meeting()
            stored_record(meeting, "attendance", b"%PDF-1.7 sheet")
            db.session.commit()
            made += 1
        client = _client_of(app, auditor)
        counts.append(_measure(count_queries, client, "/meetings/"))
    _assert_fixed("meetings list past the door", counts)


def test_meeting_devices_page_runs_a_fixed_number_of_statements(
    app, client, make_meeting, make_device, count_queries
):
    """A meeting with hundreds of devices: its list is read a page at a time."""
    meeting = make_meeting()
    meeting.status = "preparing"
    counts = []
    made = 0
    for size in (3, 120):
        while made < size:
            add_device(meeting, make_device(), actor=organiser_of(meeting))
            made += 1
        db.session.commit()
        client = _client_of(app, organiser_of(meeting))
        counts.append(_measure(count_queries, client, f"/meetings/{meeting.id}/devices/"))
    _assert_fixed("meeting's devices", counts)


def test_closing_page_runs_a_fixed_number_of_statements(app, client, open_door, count_queries):
    """Items still held by thousands: the closing page reads them a page at a time."""
    counts = []
    for n, checked_in in ((4, 3), (130, 120)):
        meeting, clerk, _people = _door(open_door, n, checked_in)
        meeting.status = "closing"
        db.session.commit()
        client = _client_of(app, clerk)
        counts.append(_measure(count_queries, client, f"/meetings/{meeting.id}/closing"))
    _assert_fixed("closing", counts)
