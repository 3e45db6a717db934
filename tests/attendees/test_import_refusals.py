"""Every refusal of an attendee list says what to do next (issue 17, item 9): the message
shown beside the file field, under its code, names the step that gets the list in."""

import html
import io
import re

import pytest

from meetingsec.attendees import importing, xls
from tests.factories import organiser_of
from tests.helpers import snapshot

HEADER = "Họ và tên,Chức vụ,Đơn vị,Số hiệu hoặc CCCD,Điện thoại\n"
MANY = HEADER + "".join(f"Người {i},,Sở Nội vụ,,\n" for i in range(importing.MAX_ROWS + 1))

#: (file name, bytes, the refusal's code, its next step as shown)
REFUSALS = {
    "empty": ("ds.csv", b"", "import_refused", "lưu lại rồi tải lên lại"),
    "too large": (
        "ds.csv",
        b"x" * (importing.MAX_BYTES + 1),
        "import_too_large",
        "chỉ giữ lại danh sách người dự trong tệp",
    ),
    "wrong type": (
        "ds.pdf",
        b"%PDF-1.4",
        "import_refused",
        "Hãy lưu lại danh sách dưới dạng .xlsx",
    ),
    "unreadable or encrypted .xlsx": (
        "ds.xlsx",
        b"PK\x03\x04 not a zip",
        "import_refused",
        "hãy gỡ mật khẩu; sau đó mở tệp bằng Excel, lưu lại dưới dạng .xlsx rồi tải lên lại",
    ),
    "unreadable .xls": (
        "ds.xls",
        xls.MAGIC + b"\x00" * 600,
        "import_refused",
        "hãy gỡ mật khẩu; sau đó mở tệp bằng Excel, lưu lại dưới dạng .xlsx rồi tải lên lại",
    ),
    "binary as .csv": (
        "ds.csv",
        b"\x00\x01\x02binary",
        "import_refused",
        'Hãy lưu lại danh sách dưới dạng .xlsx hoặc "CSV UTF-8" rồi tải lên lại',
    ),
    "no header row": (
        "ds.csv",
        "Tên,Tuổi\nA,3\n".encode(),
        "import_no_header",
        "hãy thêm dòng đó phía trên người đầu tiên",
    ),
    "no names": (
        "ds.csv",
        HEADER.encode(),
        "import_refused",
        "Hãy ghi người dự vào các dòng dưới dòng tiêu đề",
    ),
    "too many rows": (
        "ds.csv",
        MANY.encode(),
        "import_too_large",
        "Hãy chia danh sách thành nhiều tệp",
    ),
    "a line too long": (
        "ds.csv",
        (HEADER + "x" * 6000 + "\n").encode(),
        "import_too_large",
        "Hãy tải lên tệp chứa danh sách, hoặc lưu riêng danh sách dưới dạng .xlsx",
    ),
    "too many cells": (
        "ds.csv",
        (HEADER + "," * 60 + "\n").encode(),
        "import_too_large",
        "Hãy tải lên tệp chứa danh sách, hoặc lưu riêng danh sách dưới dạng .xlsx",
    ),
}

_ERROR = re.compile(r'<p class="error" id="file-error" data-error-code="([a-z_]+)">(.*?)</p>', re.S)


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_of_a_list_names_the_next_step(client, make_meeting, login, case):
    name, data, code, next_step = REFUSALS[case]
    meeting = make_meeting()
    login(organiser_of(meeting))
    before = snapshot()
    resp = client.post(
        f"/meetings/{meeting.id}/attendees/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    # past the request's limit (2 MB with the form around it) the server refuses at once
    assert resp.status_code == (413 if case == "too large" else 422)
    shown = [(c, html.unescape(text)) for c, text in _ERROR.findall(resp.get_data(as_text=True))]
    assert len(shown) == 1, shown
    assert shown[0][0] == code
    assert next_step in shown[0][1], shown[0][1]
    assert snapshot() == before


def test_a_file_imported_twice_says_what_to_do_instead(app, make_meeting):
    from meetingsec.core.errors import DomainError
    from meetingsec.extensions import db

    meeting = make_meeting()
    read = importing.read_upload(
        meeting,
        actor=organiser_of(meeting),
        filename="ds.csv",
        data=(HEADER + "Lê Văn Tám,,Sở Tư pháp,,\n").encode(),
    )
    batch = importing.stage_import(
        meeting, actor=organiser_of(meeting), filename="ds.csv", read=read
    )
    importing.confirm_import(meeting, batch, actor=organiser_of(meeting))
    db.session.flush()
    with pytest.raises(DomainError) as e:
        importing.confirm_import(meeting, batch, actor=organiser_of(meeting))
    assert e.value.code == "already_imported"
    assert "hãy tải lên một tệp chỉ gồm những người đó" in str(e.value.message)
