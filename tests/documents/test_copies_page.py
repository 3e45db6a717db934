"""The register of copies (issue 17, item 5): found by document and state on the server, a
page at a time, the same statements whether 6 copies or 300."""

import pytest

from meetingsec.documents import services as documents
from meetingsec.extensions import db
from meetingsec.workflows import services as workflows
from tests.factories import PASSWORD, organiser_of
from tests.helpers import check_in, error_codes

pytestmark = pytest.mark.usefixtures("no_template_queries")


def _document(meeting, number, copies):
    return workflows.register_document(
        meeting,
        actor=organiser_of(meeting),
        number=number,
        title=f"Tài liệu {number}",
        classification=meeting.classification,
        copy_count=copies,
        copy_authorisation="Giám đốc cho phép",
    )


def test_copies_are_found_by_document_and_state(app, open_door):
    meeting, clerk, people = open_door(2)
    first = _document(meeting, "01/KH", 3)
    second = _document(meeting, "02/KH", 4)
    check_in(meeting, clerk, people[0])
    documents.hand_out(
        meeting,
        actor=clerk,
        key="k1",
        attendee_code=people[0].invitation_code,
        copy_code=second.copies[1].code,
    )
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": organiser_of(meeting).username, "password": PASSWORD})
    url = f"/meetings/{meeting.id}/documents/"
    page = client.get(url).get_data(as_text=True)
    assert page.count('<tr id="copy-') == 7
    page = client.get(url, query_string={"document": first.id}).get_data(as_text=True)
    assert page.count('<tr id="copy-') == 3
    resp = client.get(url, query_string={"state": "handed_out"}, headers={"HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert "<html" not in body and body.count('<tr id="copy-') == 1
    assert people[0].full_name in body
    resp = client.get(url, query_string={"document": 999999})
    assert resp.status_code == 422 and "invalid" in error_codes(resp)


def test_the_register_reads_a_fixed_number_of_statements(app, open_door, count_queries):
    meeting, _clerk, _people = open_door(1)
    client = app.test_client()
    client.post("/login", data={"username": organiser_of(meeting).username, "password": PASSWORD})
    counts = []
    for n, copies in enumerate((3, 150)):
        _document(meeting, f"0{n}/KH", copies)
        _document(meeting, f"1{n}/KH", copies)
        db.session.commit()
        with count_queries() as q:
            page = client.get(f"/meetings/{meeting.id}/documents/").get_data(as_text=True)
        assert page.count('<tr id="copy-') == (6 if n == 0 else 50)
        counts.append(q.count)
    assert counts[0] == counts[1], counts
