"""Import figures: the preview of a 3,000-person list laid out as offices lay it out (a
title block, a group heading every 50 people, totals, a signature block, names in
capitals, phones and CCCD typed as numbers), as .xlsx, .xls and CSV. The preview is a pure
function of the file's bytes (``importing.preview_file``: read, find the header,
understand every row) then the check of every row against the list (``check_rows``, one
query), as the preview page does it.

    make bench          (or: .venv/bin/python benchmarks/import_bench.py)

Prints figures (the median of 5 runs); asserts nothing. Target: under 2 s per file.
"""

import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meetingsec.attendees import importing  # noqa: E402
from meetingsec.extensions import db  # noqa: E402
from tests.attendees.corpus import PEOPLE, SIGNATURE, TITLE  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402

RUNS = 5
HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số CCCD", "Điện thoại", "Ghi chú"]


def office_rows(people: int) -> list[list]:
    """The rows of a list of ``people`` people as an office lays it out."""
    rows = [*TITLE, HEADER]
    for i in range(people):
        if i % 50 == 0:
            rows.append([f"Nhóm {i // 50 + 1}", f"KHỐI ĐƠN VỊ SỐ {i // 50 + 1}"])
        name, position, unit, phone, cccd = PEOPLE[i % len(PEOPLE)]
        name = f"{name} {i}"
        rows.append(
            [
                i + 1,
                name.upper() if i % 3 == 0 else name,
                position,
                f"{unit} {i % 40}",
                int(f"0010{i:08d}"),
                int(phone),
                "",
            ]
        )
    rows.append([None, f"Tổng cộng: {people} người"])
    return rows + SIGNATURE


def office_workbook(people: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Điền mỗi đại biểu một dòng."])
    sheet = book.create_sheet("Danh sách")
    for row in office_rows(people):
        sheet.append(row)
    sheet.merge_cells("A4:G4")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def office_xls(people: int) -> bytes:
    import xlwt  # a development dependency: the app reads .xls with xlrd

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Danh sách")
    for r, row in enumerate(office_rows(people)):
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def office_csv(people: int) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(
        [["" if v is None else v for v in row] for row in office_rows(people)]
    )
    return out.getvalue().encode("utf-8-sig")


def median_seconds(step) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    people = importing.MAX_ROWS
    files = {
        "ds.xlsx": office_workbook(people),
        "ds.xls": office_xls(people),
        "ds.csv": office_csv(people),
    }
    dbs = Databases("sqlite", Path(tempfile.mkdtemp()))
    try:
        app = make_app(dbs.fresh(), tempfile.mkdtemp())
        with app.app_context():
            meeting = SimpleNamespace(id=0)  # an empty list: every row checked
            print(f"{'file':<10} {'KB':>6} {'people':>7} {'preview (s)':>12} {'+ check (s)':>12}")
            for name, data in files.items():
                found = importing.preview_file(name, data)
                assert len(found.people) == people, (name, len(found.people))
                pure = median_seconds(lambda n=name, d=data: importing.preview_file(n, d))
                page = median_seconds(
                    lambda n=name, d=data: importing.check_rows(
                        meeting, importing.preview_file(n, d).people
                    )
                )
                print(f"{name:<10} {len(data) // 1024:>6} {people:>7} {pure:>12.2f} {page:>12.2f}")
            db.engine.dispose()
    finally:
        dbs.close()


if __name__ == "__main__":
    main()
