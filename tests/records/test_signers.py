"""Who signs a record: filled from the meeting, changed by the organiser before generating,
printed as Vietnamese offices sign (KT., TM., Q., TL., TUQ.)."""

from meetingsec.extensions import db
from tests import pdf
from tests.factories import chair_of, organiser_of
from tests.helpers import actions, error_codes, snapshot
from tests.records.test_services import generate

SIGNERS = {
    "left_authority": "",
    "left_principal": "",
    "left_position": "Thư ký",
    "left_name": "Lê Thị Thư Ký",
    "right_authority": "KT.",
    "right_principal": "Chủ tịch",
    "right_position": "Phó Chủ tịch",
    "right_name": "Nguyễn Hữu Chủ Trì",
}


def test_the_organiser_sets_who_signs_before_generating(client, login, ended_meeting):
    meeting, *_rest = ended_meeting()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/records/attendance/signers"
    page = client.get(url).get_data(as_text=True)
    assert (
        chair_of(meeting).full_name in page and organiser_of(meeting).full_name in page
    )  # defaults
    resp = client.post(url, data=SIGNERS)
    assert resp.status_code == 303
    assert actions()[-1] == "records.signers_saved"
    rec = generate(meeting, "attendance")
    body = pdf.plain(rec.data)
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in body and "Nguyễn Hữu Chủ Trì" in body
    assert "THƯ KÝ" in body and "Lê Thị Thư Ký" in body
    assert 'value="Phó Chủ tịch"' in client.get(url).get_data(as_text=True)


def test_a_deputy_signs_for_someone_and_bad_input_changes_nothing(client, login, ended_meeting):
    meeting, clerk, *_rest = ended_meeting()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/records/security/signers"
    db.session.commit()
    before = snapshot()
    for bad, code in (
        ({"right_principal": ""}, "principal_required"),
        ({"right_authority": "XX."}, "invalid"),
        ({"left_name": ""}, "invalid"),
    ):
        resp = client.post(url, data={**SIGNERS, **bad})
        assert resp.status_code == 422, bad
        assert code in error_codes(resp), (bad, error_codes(resp))
    assert snapshot() == before
    assert client.get(f"/meetings/{meeting.id}/records/nonsense/signers").status_code == 404
    client.post("/logout")
    login(clerk)
    assert client.post(url, data=SIGNERS).status_code == 403
