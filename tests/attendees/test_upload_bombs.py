"""No upload can stall the app: files built to unpack or parse into something huge (a zip
bomb whose sheet holds millions of rows, one row millions of cells wide, a table of
millions of shared strings, thousands of zip members, a CSV of tens of thousands of lines
or one line of a million cells) are refused at once, and the door keeps checking people
in meanwhile.

The bombs are built here, each under the app's 2 MB upload limit: the XML variants
unpack to about 100 MB (as in the reports that got workers killed).
"""

import functools
import http.client
import io
import os
import secrets
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from meetingsec.attendees import importing, sheets
from meetingsec.attendees.models import AttendeeImport
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from tests.attendees.workbooks import HEADER, MB, PERSON, repeat, stored, xlsx
from tests.conftest import make_app
from tests.factories import organiser_of
from tests.gunicorn import Tablet, free_port, serve
from tests.helpers import snapshot

#: What the bombs unpack to (the XML ones): the size that got workers killed
BOMB_XML = 100 * MB


@functools.cache
def bomb(kind: str) -> tuple[str, bytes]:
    """``(filename, data)`` of each kind of bomb (built once per test run)."""
    if kind == "many_rows":
        return "ds.xlsx", xlsx(rows=repeat(PERSON, BOMB_XML))
    if kind == "wide_row":
        cells = repeat(b'<c t="s"><v>5</v></c>', BOMB_XML)
        return "ds.xlsx", xlsx(rows=[b"<row>", *cells, b"</row>"])
    if kind == "shared_strings":
        si = "<si><t>Nguyễn Văn An</t></si>".encode()
        return "ds.xlsx", xlsx(rows=[PERSON], strings=repeat(si, BOMB_XML))
    if kind == "zip_members":
        return "ds.xlsx", xlsx(rows=[PERSON], members=10_000)
    header = ",".join(HEADER).encode() + b"\n"
    if kind == "csv_lines":
        line = "Nguyễn Văn An,Chuyên viên,Sở Nội vụ,,\n".encode()
        return "ds.csv", header + b"".join(repeat(line, 2 * MB - 4096))
    if kind == "csv_wide_line":
        return "ds.csv", header + b"".join(repeat(b"a,", 2 * MB - 4096))
    raise ValueError(kind)


BOMBS = ("many_rows", "wide_row", "shared_strings", "zip_members", "csv_lines", "csv_wide_line")


def test_the_bombs_fit_in_an_upload():
    for kind in BOMBS:
        _name, data = bomb(kind)
        assert len(data) < importing.MAX_BYTES, kind


# -- the pure reading function -------------------------------------------------------------
# Bounds on the work a read does: this process's CPU seconds, which a machine busy with
# other work does not stretch as it stretches the wall clock (a bomb read whole would take
# many CPU seconds).


@pytest.mark.parametrize("kind", BOMBS)
def test_a_bomb_is_refused_in_under_a_second(app, kind):
    name, data = bomb(kind)
    started = time.process_time()
    with pytest.raises(DomainError) as e:
        importing.read_file(name, data)
    assert time.process_time() - started < 1.0
    assert e.value.code == "import_too_large"
    assert e.value.field == "file" and str(e.value.message)


_BIG = 1_800_000  # bytes of XML: under the upload's 2 MB, stored


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(stored(sheet=PERSON * (_BIG // len(PERSON))), id="rows"),
        pytest.param(stored(sheet=b'<row r="1048576"><c t="s"><v>5</v></c></row>'), id="row-far"),
        pytest.param(
            stored(sheet=b"<row>" + b"<c/>" * 60 + b'<c t="s"><v>5</v></c></row>'), id="col-far"
        ),
        pytest.param(stored(sheet=b'<row><c r="XFD2" t="s"><v>5</v></c></row>'), id="col-xfd"),
        pytest.param(
            stored(sheet=b"<row>" + b'<c t="s"><v>5</v></c>' * (_BIG // 21) + b"</row>"),
            id="wide",
        ),
        pytest.param(stored(sheet=(b"<row>" + b"<c/>" * 15 + b"</row>") * 8000), id="cells"),
        pytest.param(stored(strings=b"<si><t>a</t></si>" * (_BIG // 17)), id="strings"),
    ],
)
def test_a_bomb_the_zip_directory_cannot_show_is_stopped_while_counting(app, data):
    started = time.process_time()
    with pytest.raises(DomainError) as e:
        importing.read_file("ds.xlsx", data)
    assert time.process_time() - started < 1.0
    assert e.value.code == "import_too_large"


def test_a_part_of_too_many_elements_is_stopped(app, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_XML_ELEMENTS", 1000)
    with pytest.raises(DomainError) as e:
        importing.read_file("ds.xlsx", stored(sheet=b"<x/>" * 1001))
    assert e.value.code == "import_too_large"


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_workbook_compressed_as_excel_never_does_is_refused(app, compression):
    """bzip2 and LZMA unpack a chunk whole, however large: only what Excel writes is read."""
    workbook = stored(sheet=PERSON)
    assert len(importing.preview_file("ds.xlsx", workbook).people) == 1  # stored, it reads
    source, out = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name in source.namelist():
            z.writestr(name, source.read(name))
    with pytest.raises(DomainError) as e:
        importing.read_file("ds.xlsx", out.getvalue())
    assert e.value.code == "import_refused"


def _list(n: int) -> list[list]:
    return [HEADER] + [
        [f"Nguyễn Văn Người {i}", "Chuyên viên", f"Sở {i % 40}", f"0010{i:08d}", "0912 345 678"]
        for i in range(n)
    ]


def test_a_real_list_of_3000_people_is_read_quickly(app):
    book = Workbook()
    for row in _list(importing.MAX_ROWS):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    csv_data = "\n".join(",".join(r) for r in _list(importing.MAX_ROWS)).encode()
    for name, data in (("ds.xlsx", out.getvalue()), ("ds.csv", csv_data)):
        started = time.process_time()
        rows = importing.preview_file(name, data).people
        assert time.process_time() - started < 2.0, name
        assert len(rows) == importing.MAX_ROWS
        assert rows[-1].values["full_name"] == f"Nguyễn Văn Người {importing.MAX_ROWS - 1}"
        assert rows[-1].values["id_number"] == f"0010{importing.MAX_ROWS - 1:08d}"


def test_a_bomb_sent_to_the_page_is_a_4xx_that_changes_nothing(
    client, make_meeting, login, kind="wide_row"
):
    meeting = make_meeting()
    login(organiser_of(meeting))
    before = snapshot()
    name, data = bomb(kind)
    resp = client.post(
        f"/meetings/{meeting.id}/attendees/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert 'data-error-code="import_too_large"' in resp.get_data(as_text=True)
    assert snapshot() == before


def test_the_file_is_read_with_no_transaction_open(client, make_meeting, login, monkeypatch):
    """On SQLite a writing transaction holds the lock every door tablet waits for: the
    file is read before the one that saves it begins."""
    meeting = make_meeting()
    login(organiser_of(meeting))
    read, seen = importing.read_file, []

    def spy(filename, data):
        seen.append(db.session().in_transaction())
        return read(filename, data)

    monkeypatch.setattr(importing, "read_file", spy)
    data = (",".join(HEADER) + "\nNguyễn Văn An,Phó Giám đốc,Sở Nội vụ,,\n").encode()
    resp = client.post(
        f"/meetings/{meeting.id}/attendees/import",
        data={"file": (io.BytesIO(data), "ds.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    assert seen == [False]
    assert db.session.scalar(select(func.count()).select_from(AttendeeImport)) == 1


# -- against gunicorn, while the door checks people in ------------------------------------

PASSWORD = "bomb test password 2026"
#: Check-ins sent while one bomb is sent and read, and just after (one every ``PACE``
#: seconds): at least the first, at most the second
CHECK_INS_PER_BOMB = (5, 20)
PACE = 0.05
#: What a gunicorn worker may grow to, whatever is uploaded
MAX_WORKER_MB = 200


def _setup(url: str, instance: Path, people: int):
    """A meeting cleared to start with ``people`` approved attendees; its organiser
    ``org`` and its door clerk ``clerk``."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.core.db import utcnow
    from meetingsec.door import commitment as commitments
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.services import save_unit, save_venue
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user
    from meetingsec.workflows.services import create_meeting

    app = make_app(url, instance)
    with app.app_context():
        u = {
            name: create_user(
                actor=None, username=name, full_name=full, roles={role}, password=PASSWORD
            )
            for name, full, role in (
                ("clerk", "Lê Tân", Role.CLERK),
                ("org", "Tổ Chức", Role.ORGANISER),
                ("chair", "Chủ Trì", Role.CHAIR),
            )
        }
        start = utcnow() + timedelta(hours=1)
        meeting = create_meeting(
            MeetingData(
                title="Hội nghị ở cửa",
                kind="hoi_nghi",
                classification="toi_mat",
                format="in_person",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                venue=save_venue(
                    None, actor=None, name="Phòng 1", address="", at_hq=True, closed_room=True
                ),
                host_unit=save_unit(None, actor=None, name="Văn phòng", parent=None),
                chair=u["chair"],
                clerks=[u["clerk"]],
            ),
            actor=u["org"],
        )
        rows = [{"full_name": f"Người Dự {i}", "unit_name": "Sở A"} for i in range(people)]
        attendees = add_attendees(meeting, rows, actor=u["org"], source="test")
        approve_list(meeting, actor=u["chair"], seen=shown_changes(attendees, []))
        meeting.status = "cleared"
        db.session.commit()
        plan = (
            meeting.id,
            [a.invitation_code for a in attendees],
            commitments.commitment_for(meeting)[1],
        )
        db.session.remove()
        db.engine.dispose()
    return plan


def _count_imports(url: str, instance: Path) -> int:
    app = make_app(url, instance)
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(AttendeeImport))
        db.session.remove()
        db.engine.dispose()
    return n


def _upload(tablet: Tablet, path: str, filename: str, data: bytes):
    """The organiser's browser sending the file (multipart), on a connection of its own."""
    boundary = secrets.token_hex(16)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{tablet.csrf}\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection("127.0.0.1", tablet.port, timeout=120)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": tablet.cookie,
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (http.client.HTTPException, OSError) as err:  # a worker killed, a timeout
        return type(err).__name__, b""
    finally:
        conn.close()


def _workers_mb(master: int, field: str) -> float:
    """The most memory one of gunicorn's worker processes holds, in MB: ``VmRSS`` now, or
    ``VmHWM`` its peak since it started."""
    most = 0.0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:  # a worker killed and replaced meanwhile
            continue
        for line in status.splitlines():
            if line.startswith(f"{field}:"):
                most = max(most, int(line.split()[1]) / 1024)
    return most


class _Door:
    """The app under gunicorn with a meeting at its door, an organiser and a clerk."""

    def __init__(self, databases, workdir: Path):
        self.databases = databases
        self.url = databases.fresh()
        self.instance = workdir / "instance"
        self.meeting_id, self.codes, self.sha = _setup(
            self.url, self.instance, CHECK_INS_PER_BOMB[1] * len(BOMBS)
        )
        self.port = free_port()
        env = {
            **os.environ,
            "MEETINGSEC_SQLALCHEMY_DATABASE_URI": self.url,
            "MEETINGSEC_INSTANCE_PATH": str(self.instance),
        }
        self.process = serve(self.port, env)
        self.org = Tablet(self.port).log_in("org", PASSWORD)
        self.clerk = Tablet(self.port).log_in("clerk", PASSWORD)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.databases.drop(self.url)


@pytest.fixture(scope="module")
def door(databases, tmp_path_factory):
    door = _Door(databases, tmp_path_factory.mktemp("bombs"))
    yield door
    door.stop()


@pytest.mark.parametrize("kind", BOMBS)
def test_a_bomb_is_refused_while_the_door_keeps_checking_people_in(door, kind):
    name, data = bomb(kind)
    least, most = CHECK_INS_PER_BOMB
    codes = door.codes[BOMBS.index(kind) * most :][:most]
    answer = {}

    def send():
        started = time.monotonic()
        answer["status"], answer["body"] = _upload(
            door.org, f"/meetings/{door.meeting_id}/attendees/import", name, data
        )
        answer["seconds"] = time.monotonic() - started

    def watch():  # sampled: a worker killed for its time takes its VmHWM with it
        while uploading.is_alive():
            answer["rss"] = max(answer.get("rss", 0), _workers_mb(door.process.pid, "VmRSS"))
            time.sleep(0.02)

    uploading = threading.Thread(target=send)
    uploading.start()
    watching = threading.Thread(target=watch)
    watching.start()
    check_ins = []  # (status, seconds)
    for i, code in enumerate(codes):
        if i >= least and not uploading.is_alive():
            break
        started = time.monotonic()
        try:
            status, _page = door.clerk.check_in(door.meeting_id, code, f"bomb-{kind}-{i}", door.sha)
        except OSError as err:  # timed out
            status = type(err).__name__
        check_ins.append((status, time.monotonic() - started))
        time.sleep(PACE)
    uploading.join()
    watching.join()
    rss = answer.get("rss", 0)
    peak = max(rss, _workers_mb(door.process.pid, "VmHWM"))
    slowest = max(s for _status, s in check_ins)
    print(
        f"\n{kind}: {len(data) // 1024} KB sent, answered {answer['status']} in "
        f"{answer['seconds']:.2f} s; {len(check_ins)} check-ins, slowest {slowest:.2f} s, "
        f"statuses {sorted({str(s) for s, _t in check_ins})}; worker memory during the "
        f"upload {rss:.0f} MB, peak since start {peak:.0f} MB"
    )
    assert answer["status"] == 422, answer["status"]
    assert b'data-error-code="import_too_large"' in answer["body"]
    assert answer["seconds"] < 1.0
    assert all(status == 303 for status, _s in check_ins), check_ins
    assert slowest < 1.0
    assert peak < MAX_WORKER_MB
    assert _count_imports(door.url, door.instance) == 0


# -- legacy .xls -----------------------------------------------------------------------------


@functools.cache
def xls_bomb(kind: str) -> bytes:
    """An .xls (written by xlwt) whose few bytes name what xlrd would build far too much
    for: a cell on row 60,000 or column 200, more cells than a list has, many sheets."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DS")
    for c, text in enumerate(HEADER):
        sheet.write(0, c, text)
    if kind == "row_far":
        sheet.write(60_000, 0, "Nguyễn Văn An")
    elif kind == "column_far":
        sheet.write(1, 200, "Nguyễn Văn An")
    elif kind == "cells":
        for r in range(1, sheets.MAX_CELLS // 40 + 2):
            for c in range(40):
                sheet.write(r, c, r)
    elif kind == "sheets":
        for i in range(sheets.MAX_SHEETS + 1):
            book.add_sheet(f"Nhóm {i}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["row_far", "column_far", "cells", "sheets"])
def test_an_xls_naming_too_much_is_refused_before_xlrd_builds_it(app, kind):
    data = xls_bomb(kind)
    assert len(data) < importing.MAX_BYTES
    started = time.process_time()
    with pytest.raises(DomainError) as e:
        importing.read_file("ds.xls", data)
    assert time.process_time() - started < 1.0
    assert e.value.code == "import_too_large"
