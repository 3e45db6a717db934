"""A long attendee list (issue 17, item 5): found by name or state on the server, a page at
a time, the same few statements whether 30 or 3,000 people; a refused addition comes back
at the form with the error beside its field."""

import pytest

from meetingsec.attendees import services
from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
from meetingsec.extensions import db
from tests.factories import PASSWORD, chair_of, organiser_of
from tests.helpers import error_codes, snapshot

pytestmark = pytest.mark.usefixtures("no_template_queries")


def _people(meeting, n, start=0, prefix="Nguyễn Văn Khách"):
    return add_attendees(
        meeting,
        [{"full_name": f"{prefix} {i}", "unit_name": "Sở Nội vụ"} for i in range(start, start + n)],
        actor=organiser_of(meeting),
        source="test",
    )


def _client(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_the_list_is_found_by_name_and_state(client, login, make_meeting):
    meeting = make_meeting()
    approved = _people(meeting, 3)
    approve_list(meeting, actor=chair_of(meeting), seen=shown_changes(approved, []))
    _people(meeting, 2, prefix="Trần Thị Đào")
    db.session.commit()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/"
    page = client.get(url, query_string={"show": "pending"}).get_data(as_text=True)
    assert page.count('<tr id="attendee-') == 2 and "Trần Thị Đào 0" in page
    page = client.get(url, query_string={"q": "tran thi dao 1"}).get_data(as_text=True)
    assert page.count('<tr id="attendee-') == 1 and "Trần Thị Đào 1" in page
    page = client.get(url, query_string={"q": "%", "show": "approved"}).get_data(as_text=True)
    assert page.count('<tr id="attendee-') == 0 and "Không có ai trong danh sách khớp" in page
    resp = client.get(url, query_string={"show": "approved"}, headers={"HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert "<html" not in body and body.count('<tr id="attendee-') == 3
    resp = client.get(url, query_string={"show": "everyone"})
    assert resp.status_code == 422 and "invalid" in error_codes(resp)
    assert '<tr id="attendee-' not in resp.get_data(as_text=True)


def test_a_refused_duplicate_comes_back_at_its_field(client, login, make_meeting):
    meeting = make_meeting()
    _people(meeting, 1)
    db.session.commit()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/"
    before = snapshot()
    resp = client.post(url, data={"full_name": "Nguyễn Văn Khách 0", "unit_name": "Sở Nội vụ"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and snapshot() == before
    # the error is the name field's, the form posts back to itself at the form
    assert 'id="full_name" ' in page and 'aria-invalid="true"' in page
    assert 'id="full_name-error" data-error-code="duplicate"' in page
    assert f'action="{url}#add-attendee"' in page


@pytest.mark.parametrize("who", ["chair", "organiser"])
def test_the_list_page_reads_a_fixed_number_of_statements(app, make_meeting, count_queries, who):
    meeting = make_meeting()
    counts = []
    for total in (30, 3000):
        have = services.active_attendees(meeting.id)
        _people(meeting, total - len(have), start=len(have))
        db.session.commit()
        client = _client(app, {"chair": chair_of, "organiser": organiser_of}[who](meeting))
        url = f"/meetings/{meeting.id}/attendees/?page=1"
        with count_queries() as q:
            resp = client.get(url)
        assert resp.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    print(f"\n{who}: {counts} statements (benchmarks/lists_bench.py has the time)")
