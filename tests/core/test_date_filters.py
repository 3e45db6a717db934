"""Filter dates at the ends of the calendar: the form says what is wrong, never a 500."""

import pytest

from meetingsec.users.roles import Role

EXTREMES = [
    {"date_from": "0001-01-01"},
    {"date_to": "0001-01-01"},
    {"date_from": "9999-12-31"},
    {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
]

#: The pages with a date filter, and how each answers a filter it refuses
PAGES = {"/meetings/": 200, "/home/organiser": 200, "/audit/": 422}


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("query", EXTREMES)
def test_a_date_at_the_end_of_the_calendar_is_a_field_error(client, make_user, login, path, query):
    login(make_user(roles={Role.ORGANISER, Role.AUDITOR}))
    resp = client.get(path, query_string=query)
    assert resp.status_code == PAGES[path], query
    body = resp.get_data(as_text=True)
    for field in query:  # the error sits under the field that holds the date
        assert f'id="{field}-error"' in body, (query, field)
    # htmx swaps only the results in, which say the filters need correcting
    resp = client.get(path, query_string=query, headers={"HX-Request": "true"})
    assert resp.status_code == PAGES[path], query
    assert 'role="alert"' in resp.get_data(as_text=True), query


@pytest.mark.parametrize("path", sorted(PAGES))
def test_dates_inside_the_range_still_filter(client, make_user, login, path):
    login(make_user(roles={Role.ORGANISER, Role.AUDITOR}))
    resp = client.get(path, query_string={"date_from": "1900-01-01", "date_to": "2999-12-31"})
    assert resp.status_code == 200
    assert '-error"' not in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "times",
    [
        {"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T01:00"},
        {"starts_at": "9999-12-31T22:00", "ends_at": "9999-12-31T23:59"},
        {"ends_at": "0001-01-01T00:00"},  # the start left as it was stored
    ],
)
def test_a_meeting_time_at_the_end_of_the_calendar_is_a_field_error(
    client, make_user, make_meeting, login, times
):
    organiser = make_user("organiser")
    meeting = make_meeting(organiser=organiser)
    login(organiser)
    for path in ("/meetings/new", f"/meetings/{meeting.id}/edit"):
        resp = client.post(path, data={"title": "Họp", **times})
        assert resp.status_code == 422, (path, times)
        body = resp.get_data(as_text=True)
        assert any(f'id="{field}-error"' in body for field in times), (path, times)
