"""The import's pages: a list as offices keep it goes from upload to preview (what was
understood, the fixes, the rows skipped and why), through the mapping step or the TCVN3
conversion when needed, to the list."""

import io
import re

import pytest

from meetingsec.attendees import services
from meetingsec.extensions import db
from tests.attendees.corpus import needs_mapping, tcvn3_csv, title_block
from tests.factories import chair_of, organiser_of
from tests.helpers import actions, error_codes, snapshot


def _upload(client, meeting, listing):
    resp = client.post(
        f"/meetings/{meeting.id}/attendees/import",
        data={"file": (io.BytesIO(listing.data), listing.filename)},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return resp.headers["Location"]


def test_the_preview_shows_what_was_understood_fixed_and_skipped(client, login, make_meeting):
    meeting = make_meeting()
    login(organiser_of(meeting))
    listing = title_block()
    preview = _upload(client, meeting, listing)
    page = client.get(preview).get_data(as_text=True)
    assert 'id="unsure"' not in page
    assert "Danh sách" in page and "Ghi chú" in page  # the sheet, an ignored column
    skipped = page[page.index('id="skipped"') :]
    assert skipped.count("<tr>") == 1 + sum(listing.skipped.values())
    assert "ĐẠI BIỂU TRUNG ƯƠNG" in skipped and "NGƯỜI LẬP BIỂU" in skipped
    assert page.count('class="hint fix"') == len(listing.people)  # each phone's 0 back
    assert client.post(preview).status_code == 303
    names = [a.full_name for a in services.active_attendees(meeting.id)]
    assert names == [p[0] for p in listing.people]


def test_the_mapping_step_says_what_each_column_is(client, login, make_meeting):
    meeting = make_meeting()
    login(organiser_of(meeting))
    listing = needs_mapping()
    preview = _upload(client, meeting, listing)
    page = client.get(preview).get_data(as_text=True)
    assert 'id="unsure"' in page
    columns = f"{preview}/columns"
    form = client.get(columns).get_data(as_text=True)
    assert len(re.findall(r"<select[^>]*name=\"column_\d+\"", form)) == len(listing.columns)
    assert listing.people[0][2] in form  # a column's first values are shown

    before = snapshot()
    chosen = {f"column_{i}": m for i, m in enumerate(listing.columns)}
    resp = client.post(columns, data={**chosen, "column_3": "ignore"})  # no unit chosen
    assert resp.status_code == 422 and "columns_missing" in error_codes(resp)
    assert snapshot() == before

    assert client.post(columns, data=chosen).status_code == 303
    assert actions()[-1] == "attendees.import_columns_chosen"
    page = client.get(preview).get_data(as_text=True)
    assert 'id="unsure"' not in page and page.count("row-ok") == len(listing.people)
    assert client.post(preview).status_code == 303
    assert len(services.active_attendees(meeting.id)) == len(listing.people)


def test_a_tcvn3_file_is_converted_on_request(client, login, make_meeting):
    meeting = make_meeting()
    login(organiser_of(meeting))
    listing = tcvn3_csv()
    preview = _upload(client, meeting, listing)
    page = client.get(preview).get_data(as_text=True)
    assert 'id="tcvn3"' in page and "NguyÔn V¨n An" in page
    before = snapshot()
    resp = client.post(preview)  # garbled names are not imported
    assert resp.status_code == 422 and "tcvn3_not_converted" in error_codes(resp)
    assert snapshot() == before
    assert client.post(f"{preview}/convert").status_code == 303
    db.session.expire_all()
    page = client.get(preview).get_data(as_text=True)
    assert 'id="tcvn3"' not in page and "Nguyễn Văn An" in page
    assert actions()[-1] == "attendees.import_converted"
    resp = client.post(f"{preview}/convert")  # once only
    assert "not_tcvn3" in error_codes(client.get(resp.headers["Location"]))


@pytest.mark.parametrize("path", ["columns", "convert"])
def test_only_the_organiser_reaches_the_import_steps(client, login, make_meeting, path):
    meeting = make_meeting()
    login(organiser_of(meeting))
    preview = _upload(client, meeting, needs_mapping())
    client.post("/logout")
    login(chair_of(meeting))
    before = snapshot()
    resp = client.post(f"{preview}/{path}", data={"column_0": "full_name"})
    assert resp.status_code == 403
    assert snapshot() == before
