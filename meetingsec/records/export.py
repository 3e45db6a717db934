"""The meeting's data as an .xlsx workbook: attendees, check-ins, deposits, inspections,
documents."""

from flask_babel import force_locale

from meetingsec.core.xlsx import Sheets
from meetingsec.devices.choices import InspectionResult
from meetingsec.documents import queries as documents
from meetingsec.legal.choices import Classification
from meetingsec.meetings.models import Meeting
from meetingsec.records import queries


def meeting_workbook(meeting: Meeting) -> bytes:
    """Every table of the meeting, one sheet each, headers in Vietnamese, under the
    meeting's classification mark."""
    people, deposits, devices = queries.workbook_rows(meeting.id)
    with force_locale("vi"):
        book = Sheets(mark=str(Classification(meeting.classification).title).upper())
        book.sheet(
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
        book.sheet(
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
        book.sheet(
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
        book.sheet(
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
                for md in devices
                for i in md.inspections
            ),
        )
        book.sheet(
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
    return book.bytes()


def file_name(classification: str, name: str) -> str:
    """A secret file's name starts with its classification: ``tuyet-mat-<name>``."""
    return f"{classification.replace('_', '-')}-{name}"
