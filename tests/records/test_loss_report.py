"""The immediate report (báo cáo đột xuất) to the police of a copy lost at a meeting
(Nghị định 26/2020/NĐ-CP, Điều 8): made from the loss, in the official layout, marked as the
lost document."""

import pytest

from meetingsec.core.errors import DomainError
from meetingsec.documents import services as documents
from meetingsec.extensions import db
from meetingsec.records import queries, services
from meetingsec.records.choices import RecordKind
from tests import pdf
from tests.factories import organiser_of, set_agency
from tests.records.test_official import check_reads_as_one
from tests.records.test_services import check_official_layout, generate


def test_a_lost_copy_is_reported_to_the_police_at_once(ended_meeting, make_user, client, login):
    meeting, _clerk, people, doc = ended_meeting(classification="tuyet_mat")
    set_agency(make_user("admin"))
    db.session.commit()
    # nothing lost, nothing to report
    assert RecordKind.LOSS_REPORT not in queries.kinds_for(meeting)
    with pytest.raises(DomainError) as err:
        services.request_record(meeting, "loss_report", actor=organiser_of(meeting))
    assert err.value.code == "no_such_record"
    db.session.rollback()

    documents.report_lost(
        meeting, doc.copies[0], actor=organiser_of(meeting), reason="Đại biểu để quên trên xe"
    )
    db.session.commit()
    assert RecordKind.LOSS_REPORT in queries.kinds_for(meeting)
    # the recovery page leads the organiser to it
    login(organiser_of(meeting))
    page = client.get(f"/meetings/{meeting.id}/documents/recover").get_data(as_text=True)
    assert "Báo cáo đột xuất gửi cơ quan Công an" in page
    assert f"/meetings/{meeting.id}/records/#record-loss_report" in page

    rec = generate(meeting, "loss_report")
    pdf.save("loss-report.pdf", rec.data)
    check_official_layout(rec.data, mark="TUYỆT MẬT")  # the lost document's classification
    text = check_reads_as_one(RecordKind.LOSS_REPORT, rec.data)
    number = queries.record_number(meeting.id, RecordKind.LOSS_REPORT)
    assert number.symbol == "BC-VP" and f"Số: {number.number:02d}/BC-VP" in text
    assert "BÁO CÁO ĐỘT XUẤT" in text and "Về việc mất tài liệu mật" in text
    assert "Kính gửi: Công an tỉnh (Phòng An ninh chính trị nội bộ)." in text
    # what was lost, who held it, when, where, why, what was done
    holder = people[0]
    for words in (
        "07/KH-BCĐ: Kế hoạch bảo vệ",
        "1/2",
        "Tuyệt mật",
        holder.full_name,
        meeting.venue.name,
        "được báo mất lúc",
        "Đại biểu để quên trên xe.",
        f"{organiser_of(meeting).full_name} đã ghi nhận sự cố",
        "đã thu hồi 0; báo mất 1",
    ):
        assert words in text, words
    recipients = text.split("Nơi nhận:", 1)[1]
    assert "- Công an tỉnh (Phòng An ninh chính trị nội bộ);" in recipients
    assert "- Lưu: VT" in recipients
    # signed by the head of the agency
    assert "CHÁNH VĂN PHÒNG" in text and "Đỗ Văn Thủ Trưởng" in text
