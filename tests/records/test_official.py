"""Every record of one closed-out meeting, read back from its PDF as an office clerk and a
police inspector read it (Nghị định 30/2020/NĐ-CP, Phụ lục I; Thông tư 24/2020/TT-BCA)."""

import re

from meetingsec.checklists.services import evaluate
from meetingsec.records import queries
from meetingsec.records.choices import RecordKind
from tests import pdf
from tests.records.test_services import generate

#: What a record left unfilled looks like: a dotted blank, a missing value
PLACEHOLDERS = re.compile(r"\.{4,}|…{2,}|\bNone\b|\{\{|\}\}|\(\s*\)|: ;|: \.")


def render_all(meeting) -> dict[RecordKind, bytes]:
    out = {}
    for kind in queries.kinds_for(meeting):
        out[kind] = generate(meeting, kind.value).data
        pdf.save(f"official-{kind.value}.pdf", out[kind])
    return out


def check_reads_as_one(kind: RecordKind, data: bytes) -> str:
    """No doubled word, no placeholder; returns the record's text."""
    assert not pdf.doubled_words(data), (kind, pdf.doubled_words(data))
    body = pdf.plain(data)
    header = re.compile(r"Số: \.+/|\.+, ngày")  # the agency's formalities: filled below
    found = PLACEHOLDERS.findall(header.sub("", body))
    assert not found, (kind, found)
    return body


def test_every_record_of_a_closed_out_meeting_reads_as_one(closed_out):
    meeting, clerk, people, doc = closed_out()
    records = render_all(meeting)
    assert set(records) == set(RecordKind)
    texts = {kind: check_reads_as_one(kind, data) for kind, data in records.items()}

    security = texts[RecordKind.SECURITY]
    # the approval line names its date once
    assert "văn bản số 15/QĐ-UBND ngày 02 tháng 12 năm 2026" in security
    # the record's own item reads as made by this record, never as still to do
    assert security.count("Thực hiện bằng biên bản này") == 1
    unmet = [v for v in evaluate(meeting) if v.status == "unmet" and v.rule.id != "records-made"]
    assert security.count("Chưa đạt") == len(unmet)  # the others, as the checklist has them
    # the inspection record says when it was made
    assert re.search(r"lập xong hồi \d\d:\d\d, ngày \d\d tháng", texts[RecordKind.INSPECTION])
