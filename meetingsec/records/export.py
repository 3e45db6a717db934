"""The meeting's data as an .xlsx workbook: attendees, check-ins, deposits, inspections,
documents. Cells holding text that a spreadsheet would run as a formula are kept as text."""

import io
from datetime import datetime

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from meetingsec.attendees.models import Attendee
from meetingsec.checklists.choices import Classification
from meetingsec.core.i18n import to_local
from meetingsec.devices.choices import InspectionResult
from meetingsec.documents import queries as documents
from meetingsec.door.models import Deposit
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting


def _cell(ws, value):
    if isinstance(value, datetime):
        value = to_local(value).replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"  # text, never a formula
    return cell


def _sheet(wb, title: str, header: list[str], rows):
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append([_cell(ws, v) for v in row])


def meeting_workbook(meeting: Meeting) -> bytes:
    """Every table of the meeting, one sheet each, headers in Vietnamese."""
    people = list(
        db.session.scalars(
            db.select(Attendee).where(Attendee.meeting_id == meeting.id).order_by(Attendee.id)
        )
    )
    deposits = list(
        db.session.scalars(
            db.select(Deposit).where(Deposit.meeting_id == meeting.id).order_by(Deposit.slot)
        )
    )
    wb = Workbook(write_only=True)
    with force_locale("vi"):
        _sheet(
            wb,
            "Người tham dự",
            ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số định danh", "Điện thoại", "Trạng thái"],
            (
                [
                    i,
                    a.full_name,
                    a.position,
                    a.unit_name,
                    a.id_number,
                    a.phone,
                    {
                        "approved": "Được duyệt",
                        "pending_addition": "Chờ duyệt",
                        "pending_removal": "Chờ duyệt rút tên",
                        "removed": "Đã rút tên",
                    }[a.list_status],
                ]
                for i, a in enumerate(people, start=1)
            ),
        )
        _sheet(
            wb,
            "Vào cửa",
            ["Họ và tên", "Đơn vị", "Giờ vào", "Lễ tân", "Không mang thiết bị", "SHA-256 cam kết"],
            (
                [
                    a.full_name,
                    a.unit_name,
                    a.check_in.at,
                    a.check_in.clerk.full_name,
                    "Có" if a.check_in.carries_none else "",
                    a.check_in.commitment_sha256,
                ]
                for a in people
                if a.check_in is not None
            ),
        )
        _sheet(
            wb,
            "Thiết bị gửi",
            [
                "Ô",
                "Thiết bị",
                "Chủ sở hữu",
                "Gửi lúc",
                "Đã trả lúc",
                "Không có người nhận",
                "Ghi chú",
            ],
            (
                [
                    d.slot,
                    str(d.kind_title),
                    d.attendee.full_name,
                    d.deposited_at,
                    d.returned_at,
                    d.unclaimed_at,
                    d.unclaimed_note,
                ]
                for d in deposits
            ),
        )
        _sheet(
            wb,
            "Kiểm tra thiết bị",
            [
                "Thiết bị",
                "Mã thẻ",
                "Số sê-ri",
                "Kết quả",
                "Số tem",
                "Thời gian",
                "Cán bộ kỹ thuật",
                "Ghi chú",
            ],
            (
                [
                    md.device.name,
                    md.device.tag_code,
                    md.device.serial,
                    str(InspectionResult(i.result).title),
                    i.seal_number,
                    i.at,
                    i.technician.full_name,
                    i.notes,
                ]
                for md in meeting.devices
                for i in md.inspections
            ),
        )
        _sheet(
            wb,
            "Tài liệu",
            [
                "Số, ký hiệu",
                "Trích yếu",
                "Độ mật",
                "Bản số",
                "Mã nhãn",
                "Người nhận",
                "Phát lúc",
                "Thu hồi lúc",
                "Báo mất",
            ],
            (
                [
                    c.document.number,
                    c.document.title,
                    str(Classification(c.document.classification).title),
                    c.copy_number,
                    c.code,
                    c.attendee.full_name if c.attendee else "",
                    c.handed_out_at,
                    c.recovered_at,
                    "Có" if c.lost_incident_id else "",
                ]
                for c in documents.copies_of(meeting.id)
            ),
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
