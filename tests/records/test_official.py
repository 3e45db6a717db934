"""Every record of one closed-out meeting, read back from its PDF as an office clerk and a
police inspector read it (Nghị định 30/2020/NĐ-CP, Phụ lục I; Thông tư 24/2020/TT-BCA)."""

import io
import re

import pikepdf

from meetingsec.devices.queries import devices_of
from meetingsec.records import queries
from meetingsec.records.choices import RecordKind
from meetingsec.records.queries import evaluate_checklist
from tests import pdf
from tests.factories import chair_of, organiser_of
from tests.records.test_services import check_official_layout, generate

#: What a record left unfilled looks like: a dotted blank, a missing value
PLACEHOLDERS = re.compile(r"\.{4,}|…{2,}|\bNone\b|\{\{|\}\}|\(\s*\)|: ;|: \.")
#: Nghị định 30/2020: margins top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
TOP, BOTTOM, LEFT, RIGHT = 20, 297 - 20, 30, 210 - 15
#: Thông tư 24/2020, Mẫu 02: the mark's inner size, in mm
MARK = {"mat": 20, "toi_mat": 30, "tuyet_mat": 40}
#: Pages are read at 200 dpi: a line's edge is known to a pixel and a half (0.2 mm)
DPI = 200
PX = 0.2
#: A border that must stay inside a margin: within one pixel (0.13 mm)
EDGE = 0.13


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
    found = PLACEHOLDERS.findall(body)
    assert not found, (kind, found)
    assert "meetingsec" not in body.casefold(), kind  # the product is named in metadata only
    return body


def check_pages(kind: RecordKind, data: bytes, classification: str) -> None:
    """Every page: the ink inside the margins, the mark's size; page 1 its mark under the
    number line, the others in the top margin."""
    pages = int(pdf.info(data)["Pages"])
    lines = pdf.word_boxes(data)
    number_line = next(w for w in lines[0] if w[4] == "Số:")
    for n in range(1, pages + 1):
        image = pdf.raster(data, n, DPI)
        left, top, right, bottom = pdf.ink_box(image, DPI)
        assert left >= LEFT - PX and right <= RIGHT + EDGE, (kind, n, left, right)
        assert bottom <= BOTTOM, (kind, n, bottom)
        body = pdf.ink_box(image, DPI, below_mm=TOP - 0.5)
        assert body[1] >= TOP - PX, (kind, n, body)  # only the number and mark above it
        mark = pdf.mark_box(image, DPI)
        assert mark is not None, (kind, n)
        width, height = mark["inner"]
        assert abs(width - MARK[classification]) < 0.3 and abs(height - 8) < 0.3, (kind, n, mark)
        m_left, m_top, m_right, m_bottom = mark["outer"]
        if n == 1:  # under the number and symbol, centred in the agency's column
            assert m_top > number_line[3] * 25.4 / 72, (kind, mark, number_line)
            centre = (number_line[0] + number_line[2]) / 2 * 25.4 / 72
            assert m_left < centre < m_right, (kind, mark, number_line)
        else:  # in the top margin, clear of the body
            assert m_left >= LEFT - 0.1 and m_bottom <= TOP - 2, (kind, n, mark)
        for word in (w for w in lines[n - 1] if w[4] == "STT"):
            check_inside_its_cell(kind, n, image, word)


def check_inside_its_cell(kind, n, image, word) -> None:
    """A column heading stays between its column's borders."""
    x_min, y_min, x_max, _y_max, _text = word
    rules = pdf.vertical_rules(image, y_min - 1.5, DPI)  # through the cell's padding
    clear = 0.3 * 72 / 25.4
    before = [x for x in rules if x < x_min - clear]
    after = [x for x in rules if x > x_max + clear]
    between = [x for x in rules if x_min - clear <= x <= x_max + clear]
    assert before and after and not between, (kind, n, word, rules)


def check_codes_in_their_column(data: bytes, meeting) -> None:
    """The inspection record: each device's tag code (as its label prints it) and serial
    number stand between the borders of the "Mã thẻ / số sê-ri" column, clear of the
    result column beside it."""
    from meetingsec.core.codes import display

    wanted = {display(md.device.tag_code) for md in devices_of(meeting)}
    wanted |= {md.device.serial for md in devices_of(meeting) if md.device.serial}
    assert any(md.device.serial for md in devices_of(meeting))
    clear = 0.3 * 72 / 25.4
    seen = set()
    for n, words in enumerate(pdf.word_boxes(data), start=1):
        heads = [w for w in words if w[4] == "Mã"]
        if not heads:
            continue
        image = pdf.raster(data, n, DPI)
        rules = pdf.vertical_rules(image, heads[0][1] - 1.5, DPI)  # the heading row's borders
        left = max(x for x in rules if x < heads[0][0])
        right = min(x for x in rules if x > heads[0][2])
        assert right - left > 30 * 72 / 25.4, rules
        cells = [w for w in words if w[1] > heads[0][3] and left < w[0] < right]
        for code in wanted:
            mine = [w for w in cells if w[4] in code]
            if not mine:
                continue
            printed = "".join(w[4] for w in sorted(mine, key=lambda w: (w[1], w[0])))
            assert printed == code, (printed, code)  # whole, even if a line broke it
            seen.add(code)
            for w in mine:
                assert w[0] >= left + clear and w[2] <= right - clear, (n, w, left, right)
        for w in words:  # nothing of another column's text runs into this one either
            if w[1] > heads[0][3] and w[0] < left < w[2]:
                raise AssertionError((n, w, left))
    assert seen == wanted, wanted - seen


def check_drawn_signatures(data: bytes, signed: int) -> None:
    """The attendance sheet's signatures: black (a photocopy keeps them), one in each signed
    row, and every row border of the signature column intact."""
    words_by_page = pdf.word_boxes(data)
    found = 0
    for n, words in enumerate(words_by_page, start=1):
        stt = [w for w in words if w[4] == "STT"]
        heads = [w for w in words if w[4] == "Chữ" and stt and abs(w[1] - stt[0][1]) < 1]
        if not heads:  # no table on this page
            continue
        head = heads[0]
        image = pdf.raster(data, n, DPI)
        rules = pdf.vertical_rules(image, head[1] - 1.5, DPI)
        left = max(x for x in rules if x < head[0])
        right = min(x for x in rules if x > head[2])
        stt_left = min(rules)
        bottom = max(
            w[3] for w in words if w[4] in ("đến", "(ô") or re.fullmatch(r"\d\d/\d\d/\d{4}", w[4])
        )
        top, end = head[1] - 6, bottom + 6
        inside = 0.6 * 72 / 25.4  # in the cells' padding, clear of the drawing
        in_sign = pdf.horizontal_rules(image, left + inside, top, end, DPI)
        in_stt = pdf.horizontal_rules(image, stt_left + inside, top, end, DPI)
        assert in_sign == in_stt >= 3, (n, in_sign, in_stt)  # the same row borders
        ink = pdf.ink_levels(image, (left + 2, head[3] + 4, right - 2, bottom), DPI)
        assert ink and min(ink) <= 20, (n, min(ink or [255]))  # black, not grey
        assert sum(ink) / len(ink) < 110, (n, sum(ink) / len(ink))
        found += len([w for w in words if re.fullmatch(r"\d\d/\d\d/\d{4}", w[4])])
    assert found == signed  # every signed row was on a page we looked at
    listed = pdf.image_list(data)
    assert len(listed) == signed  # one drawing a signature
    for image in listed:  # at 300 dpi or more
        assert int(image["x-ppi"]) >= 300 and int(image["y-ppi"]) >= 300, image
    assert pdf.image_colours(data) <= {(0, 0, 0), (255, 255, 255)}  # pure black, no grey


def check_signatures_keep_company(kind, data: bytes) -> None:
    """The signature blocks are never alone on their page: lines of the body stand above."""
    for words in pdf.word_boxes(data):
        hints = [w for w in words if w[4] == "(Ký,"]
        if not hints:
            continue
        roles_top = min(w[1] for w in hints) - 20  # the signers' positions above the hint
        body = [w for w in words if w[1] > TOP * 72 / 25.4 and w[3] < roles_top]
        assert body, (kind, "the signature blocks stand alone on their page")


def test_every_record_of_a_closed_out_meeting(closed_out):
    meeting, _clerk, people, _doc = closed_out()
    records = render_all(meeting)
    assert set(records) == set(RecordKind)
    texts = {}
    for kind, data in records.items():
        check_official_layout(data, mark="TUYỆT MẬT")
        check_pages(kind, data, meeting.classification)
        check_signatures_keep_company(kind, data)
        texts[kind] = check_reads_as_one(kind, data)
        number = queries.record_number(meeting.id, kind)
        # the agency's formalities: its parent, its name, the number with its
        # abbreviation, the place and date
        assert f"Số: {number.number:02d}/{number.symbol}" in texts[kind]
        assert number.symbol.endswith("-VP")
        assert "UBND TỈNH BÌNH MINH VĂN PHÒNG" in texts[kind]
        assert re.search(r"Bình Minh, ngày \d\d tháng \d\d? năm 20\d\d", texts[kind])
        assert pdf.info(data)["Creator"] == "meetingsec"

    check_drawn_signatures(records[RecordKind.ATTENDANCE], signed=len(people) - 1)
    check_codes_in_their_column(records[RecordKind.INSPECTION], meeting)

    # every name with its diacritics, as typed
    for person in people:
        assert person.full_name in texts[RecordKind.ATTENDANCE]
    # the files are sound (qpdf's checks, through pikepdf)
    for kind, data in records.items():
        with pikepdf.open(io.BytesIO(data)) as doc:
            assert doc.check_pdf_syntax() == [], kind

    security = texts[RecordKind.SECURITY]
    # the approval line names its date once
    assert "văn bản số 15/QĐ-UBND ngày 02 tháng 12 năm 2026" in security
    # the record's own item reads as made by this record, never as still to do
    made = pdf.phrase_count(records[RecordKind.SECURITY], "Thực hiện bằng biên bản này")
    assert made == 1
    unmet = [
        v
        for v in evaluate_checklist(meeting)
        if v.status == "unmet" and v.rule.id != "records-made"
    ]
    # the others, as the checklist has them
    assert pdf.phrase_count(records[RecordKind.SECURITY], "Chưa đạt") == len(unmet)
    # every record has its "Nơi nhận", the police unit that inspected where it needs it
    police = "- Phòng An ninh chính trị nội bộ, Công an tỉnh Bình Minh;"
    for kind, text in texts.items():
        recipients = text.split("Nơi nhận:", 1)[1]
        assert "- Người chủ trì cuộc họp;" in recipients and "- Lưu: VT" in recipients
        assert (police in recipients) == (kind is not RecordKind.ATTENDANCE), kind
    # signers with their position and name, as set before generating
    assert "NGƯỜI CHỦ TRÌ" in security and chair_of(meeting).full_name in security
    assert "CÁN BỘ KIỂM TRA" in texts[RecordKind.VENUE_CHECK]
    # devices named by their kind, or their make and model when the kind says nothing
    inspection = texts[RecordKind.INSPECTION]
    assert "Micro có dây Bosch CCS 1000" in inspection and "Epson DS-530" in inspection
    assert "Khác" not in inspection
    # the inspection record says when it was made
    assert re.search(r"lập xong hồi \d\d:\d\d, ngày \d\d tháng", texts[RecordKind.INSPECTION])


def test_closed_records_are_served_exactly_as_generated(closed_out, client, login):
    """Once the meeting is closed its records are frozen: each download is the stored
    file, byte for byte."""
    from meetingsec.extensions import db
    from meetingsec.workflows import services as workflows

    meeting, *_rest = closed_out(n=5)  # four come in: one copy each
    records = render_all(meeting)
    workflows.close_meeting(meeting, actor=organiser_of(meeting))
    db.session.commit()
    login(organiser_of(meeting))
    for kind, data in records.items():
        resp = client.get(f"/meetings/{meeting.id}/records/{kind.value}.pdf")
        assert resp.status_code == 200 and resp.data == data, kind
