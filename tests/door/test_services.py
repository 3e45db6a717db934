"""The door through its services: one check-in per person whatever happens, deposits with
claim tickets, the signed commitment, refusals, exits, re-entries and returns."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from meetingsec.checklists.services import sync_items
from meetingsec.core.errors import DomainError
from meetingsec.documents.queries import CODE_KINDS
from meetingsec.door import commitment as commitments
from meetingsec.door import deposits as door_deposits
from meetingsec.door import entry as door_entry
from meetingsec.door import queries, services, signature
from meetingsec.door.models import CheckIn, CommitmentText, Deposit
from meetingsec.extensions import db
from meetingsec.records.queries import evaluate_checklist
from meetingsec.workflows import services as workflows
from tests.factories import organiser_of
from tests.helpers import actions, signature_json, snapshot

SIG = signature_json()


def _check_in(meeting, clerk, person, key="key-00001", items=None, none=False, sig=SIG, sha=None):
    return workflows.check_in(
        meeting,
        person.invitation_code,
        actor=clerk,
        key=key,
        items=items if items is not None else {"phone": 1},
        carries_none=none,
        signature=sig,
        commitment_sha256=sha or commitments.commitment_for(meeting)[1],
    )


def _status(meeting, rule_id):
    return next(v for v in evaluate_checklist(meeting) if v.rule.id == rule_id)


def test_check_in_deposits_with_tickets_and_a_signature(open_door):
    meeting, clerk, (a, b, _c) = open_door()
    entry = _check_in(meeting, clerk, a, items={"phone": 1, "laptop": 1})
    db.session.commit()
    deposits = queries.deposits_of(a.id)
    assert [(d.kind, d.slot) for d in deposits] == [("phone", 1), ("laptop", 2)]
    assert all(len(d.claim_code) == 11 for d in deposits)
    default = commitments.default_commitment(meeting.ruleset_id)
    assert db.session.get(CommitmentText, entry.commitment_id).text == default
    assert entry.commitment_sha256 == commitments.sha256(default)
    assert json.loads(entry.signature_strokes)["strokes"][0][0] == [10.0, 40.0, 0]
    assert entry.signature_png.startswith(b"\x89PNG")
    assert actions()[-1] == "door.checked_in"
    _check_in(meeting, clerk, b, key="key-00002", items={"phone": 1})
    assert queries.deposits_of(b.id)[0].slot == 3
    c = queries.counters(meeting.id)
    assert (c.expected, c.checked_in, c.inside, c.deposited, c.held) == (3, 2, 2, 3, 3)


def test_the_same_key_records_one_check_in(open_door):
    meeting, clerk, (a, *_rest) = open_door()
    first = _check_in(meeting, clerk, a)
    db.session.commit()
    before = snapshot()
    again = _check_in(meeting, clerk, a)  # a retry after the Wi-Fi dropped
    db.session.commit()
    assert again.id == first.id and snapshot() == before


def test_a_second_clerk_is_told_already_checked_in(open_door, make_user):
    meeting, clerk, (a, *_rest) = open_door()
    _check_in(meeting, clerk, a)
    db.session.commit()
    with pytest.raises(services.AlreadyDone) as e:
        _check_in(meeting, clerk, a, key="key-other")
    assert e.value.code == "already_checked_in"
    assert clerk.full_name in str(e.value.message) and "Đã vào lúc" in str(e.value.message)


def test_two_tablets_at_once_record_exactly_one_check_in(app, open_door):
    """Two requests for the same invitation, each in its own session and transaction."""
    meeting, clerk, (a, *_rest) = open_door()
    ids = (meeting.id, clerk.id, a.id)
    sha = commitments.commitment_for(meeting)[1]

    def tablet(key):
        with app.app_context():
            from meetingsec.attendees.models import Attendee
            from meetingsec.core.transactions import attempt
            from meetingsec.meetings.models import Meeting
            from meetingsec.users.models import User

            m, u, p = db.session.get(Meeting, ids[0]), db.session.get(User, ids[1]), None
            p = db.session.get(Attendee, ids[2])
            _r, err = attempt(lambda: _check_in(m, u, p, key=key, sha=sha))
            db.session.remove()
            return err.code if err else "ok"

    for round_ in range(5):
        db.session.execute(CheckIn.__table__.delete())
        db.session.execute(Deposit.__table__.delete())
        db.session.commit()
        with ThreadPoolExecutor(2) as pool:
            results = sorted(pool.map(tablet, [f"tablet-a-{round_}", f"tablet-b-{round_}"]))
        assert results == ["already_checked_in", "ok"], results
        db.session.expire_all()
        assert db.session.query(CheckIn).count() == 1


def _waiting_for_a_lock(backend) -> bool:
    """Whether another connection waits for a row lock (PostgreSQL); SQLite's second
    writer waits in its BEGIN IMMEDIATE, which no view shows: give it a moment."""
    if backend != "postgresql":
        time.sleep(0.3)
        return True
    with db.engine.connect() as conn:
        return bool(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            ).scalar()
        )


def test_a_retry_while_the_first_try_holds_the_lock_gets_the_same_check_in(app, open_door, backend):
    """The tablet resends (Wi-Fi dropped) while its first request still holds the meeting's
    lock: once the first commits, the retry answers the same check-in, not "already
    checked in by you"."""
    meeting, clerk, (a, *_rest) = open_door()
    ids = (meeting.id, clerk.id, a.id)
    sha = commitments.commitment_for(meeting)[1]
    first_holds_the_lock, let_first_commit = threading.Event(), threading.Event()
    db.session.commit()  # the test's own transaction holds SQLite's write lock

    def tablet(hold: bool):
        with app.app_context():
            from meetingsec.attendees.models import Attendee
            from meetingsec.core.db import begin_writing
            from meetingsec.meetings.models import Meeting
            from meetingsec.users.models import User

            m, u = db.session.get(Meeting, ids[0]), db.session.get(User, ids[1])
            p = db.session.get(Attendee, ids[2])
            begin_writing(db.session)
            try:
                entry = _check_in(m, u, p, key="key-retried", sha=sha)
                db.session.flush()
                if hold:
                    first_holds_the_lock.set()
                    assert let_first_commit.wait(10)
                db.session.commit()
                return entry.id
            except DomainError as err:
                db.session.rollback()
                return err.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(tablet, True)
        assert first_holds_the_lock.wait(10)
        retry = pool.submit(tablet, False)
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(backend) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not retry.done()  # the retry waits for the first request's lock
        let_first_commit.set()
        results = first.result(timeout=10), retry.result(timeout=10)
    assert isinstance(results[0], int) and results[1] == results[0], results
    db.session.expire_all()
    assert db.session.query(CheckIn).count() == 1


@pytest.mark.parametrize(
    "items,none,code",
    [
        ({}, False, "devices_undeclared"),
        ({"phone": 1}, True, "contradiction"),
        ({"phone": 13}, False, "too_many"),
    ],
)
def test_devices_must_be_declared_at_secret_meetings(open_door, items, none, code):
    meeting, clerk, (a, *_rest) = open_door()
    before = snapshot()
    with pytest.raises(DomainError) as e:
        _check_in(meeting, clerk, a, items=items, none=none)
    assert e.value.code == code
    db.session.rollback()
    assert snapshot() == before


def test_carries_none_is_an_explicit_choice(open_door):
    meeting, clerk, (a, *_rest) = open_door()
    entry = _check_in(meeting, clerk, a, items={}, none=True)
    assert entry.carries_none and queries.deposits_of(a.id) == []


def test_mat_follows_the_chairs_decision(open_door):
    meeting, clerk, (a, b, _c) = open_door(classification="mat", device_policy="allowed")
    with pytest.raises(DomainError) as e:
        _check_in(meeting, clerk, a, items={"phone": 1})
    assert e.value.code == "no_deposit"
    assert _check_in(meeting, clerk, a, key="key-00003", items={}).carries_none is False
    meeting.device_policy = "deposit"
    with pytest.raises(DomainError):
        _check_in(meeting, clerk, b, key="key-00004", items={})


@pytest.mark.parametrize(
    "sig,code",
    [
        ("", "no_signature"),
        (json.dumps({"width": 600, "height": 200, "strokes": []}), "no_signature"),
        ("x" * 200_001, "signature_too_large"),
        (signature_json(7000), "signature_too_large"),
        ("{not json", "bad_signature"),
        (
            json.dumps({"width": 600, "height": 200, "strokes": [[{"x": "NaN", "y": 1}] * 3]}),
            "bad_signature",
        ),
        (json.dumps({"width": 0, "height": 200, "strokes": []}), "bad_signature"),
    ],
)
def test_empty_or_oversized_signatures_are_refused(open_door, sig, code):
    meeting, clerk, (a, *_rest) = open_door()
    before = snapshot()
    with pytest.raises(DomainError) as e:
        _check_in(meeting, clerk, a, sig=sig)
    assert e.value.code == code
    db.session.rollback()
    assert snapshot() == before


def test_the_signature_is_bound_to_the_text_shown(open_door, make_user):
    meeting, clerk, (a, *_rest) = open_door()
    shown = commitments.commitment_for(meeting)[1]
    commitments.set_commitment(
        actor=make_user("admin"), ruleset_id=meeting.ruleset_id, text="Tôi cam kết giữ bí mật."
    )
    with pytest.raises(DomainError) as e:
        _check_in(meeting, clerk, a, sha=shown)
    assert e.value.code == "commitment_changed"
    entry = _check_in(meeting, clerk, a, sha=commitments.sha256("Tôi cam kết giữ bí mật."))
    assert db.session.get(CommitmentText, entry.commitment_id).text == "Tôi cam kết giữ bí mật."


def test_flattened_signature_is_small_grayscale(app):
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(signature.flatten(signature.parse(SIG))))
    assert image.mode == "L" and image.size == (150, 50)
    assert image.getextrema()[0] < 100  # ink is there


def test_people_not_on_the_approved_list_are_refused_and_recorded(open_door):
    from meetingsec.attendees.services import add_attendee

    meeting, clerk, _people = open_door()
    pending = add_attendee(
        meeting, {"full_name": "Người Chưa Duyệt", "unit_name": "Sở X"}, actor=organiser_of(meeting)
    )
    with pytest.raises(DomainError) as e:
        _check_in(meeting, clerk, pending)
    assert e.value.code == "not_admitted"
    db.session.rollback()
    incident = door_entry.refuse(
        meeting,
        actor=clerk,
        key="refusal-0001",
        name="Khách Lạ",
        unit="Công ty Y",
        reason="Không có tên trong danh sách",
    )
    again = door_entry.refuse(
        meeting,
        actor=clerk,
        key="refusal-0001",
        name="Khách Lạ",
        unit="Công ty Y",
        reason="Không có tên trong danh sách",
    )
    assert again.id == incident.id and queries.counters(meeting.id).refused == 1
    assert actions()[-1] == "door.refused"


def test_codes_of_other_kinds_get_a_clear_message(open_door, make_device):
    meeting, clerk, (a, *_rest) = open_door()
    other, _clerk2, (stranger, *_r) = open_door()
    device = make_device()
    _check_in(meeting, clerk, a)
    ticket = queries.deposits_of(a.id)[0].claim_code
    cases = {
        "ABC": "Mã không hợp lệ",
        device.tag_code: "tem thiết bị",
        ticket: "phiếu gửi thiết bị",
        stranger.invitation_code: "cuộc họp khác",
        "0000000000" + "0": "Không có giấy mời",
    }
    for typed, says in cases.items():
        with pytest.raises(DomainError) as e:
            services.find_attendee(meeting, typed)
        assert says in str(e.value.message), typed
    assert services.find_attendee(meeting, a.invitation_code.lower()).id == a.id
    with pytest.raises(DomainError) as e:
        services.find_deposit(meeting, a.invitation_code)
    assert "giấy mời" in str(e.value.message)


def test_leave_come_back_and_get_the_phone_back(open_door):
    meeting, clerk, (a, *_rest) = open_door()
    _check_in(meeting, clerk, a, items={"phone": 1, "smartwatch": 1})
    door_entry.leave(meeting, a, actor=clerk, key="leave-0001")
    assert not queries.is_inside(a) and queries.counters(meeting.id).inside == 0
    with pytest.raises(services.AlreadyDone):
        door_entry.leave(meeting, a, actor=clerk, key="leave-0002")
    # the phone is still at the door: coming back needs no new declaration
    workflows.reenter(meeting, a, actor=clerk, key="back-0001", items={}, carries_none=False)
    assert queries.is_inside(a)
    held = queries.deposits_of(a.id)
    items = door_deposits.return_items(
        meeting, a, actor=clerk, key="return-0001", deposit_ids=[d.id for d in held]
    )
    db.session.commit()
    assert all(d.returned_at for d in items) and not queries.is_inside(a)
    assert [m.kind for m in queries.movements_of(a.id)] == ["exit", "entry", "exit"]
    # a retry of the same return changes nothing; another clerk's scan is told
    before = snapshot()
    assert (
        door_deposits.return_items(
            meeting, a, actor=clerk, key="return-0001", deposit_ids=[held[0].id]
        )
        == items
    )
    assert snapshot() == before
    with pytest.raises(services.AlreadyDone) as e:
        door_deposits.return_items(
            meeting, a, actor=clerk, key="return-0002", deposit_ids=[held[0].id]
        )
    assert "Đã trả lại lúc" in str(e.value.message)


def test_a_return_is_only_to_the_owner(open_door):
    meeting, clerk, (a, b, _c) = open_door()
    _check_in(meeting, clerk, a)
    phone = queries.deposits_of(a.id)[0]
    with pytest.raises(DomainError) as e:
        door_deposits.return_items(
            meeting, b, actor=clerk, key="return-0003", deposit_ids=[phone.id]
        )
    assert e.value.code == "not_owner"


def test_only_the_meetings_clerks_and_only_while_the_door_is_open(open_door, make_user):
    meeting, clerk, (a, *_rest) = open_door()
    with pytest.raises(DomainError) as e:
        _check_in(meeting, make_user("clerk"), a)
    assert e.value.code == "not_clerk"
    meeting.status = "preparing"
    with pytest.raises(DomainError) as e:
        _check_in(meeting, clerk, a)
    assert e.value.code == "door_closed"


def test_derived_items_follow_the_door(open_door):
    meeting, clerk, (a, b, _c) = open_door()
    for rule in ("attendee-control", "no-devices", "attendee-duty"):
        assert _status(meeting, rule).status == "unmet"
    assert _status(meeting, "attendee-list").status == "met"
    assert "devices-returned" not in {v.rule.id for v in evaluate_checklist(meeting)}
    _check_in(meeting, clerk, a)
    _check_in(meeting, clerk, b, key="key-00005", items={}, none=True)
    db.session.commit()
    for rule in ("attendee-control", "no-devices", "attendee-duty"):
        assert _status(meeting, rule).status == "met", rule
    returned = _status(meeting, "devices-returned")  # applies once something is deposited
    assert returned.status == "unmet" and "chưa được trả lại" in str(returned.reason)
    phone = queries.deposits_of(a.id)[0]
    door_deposits.return_items(meeting, a, actor=clerk, key="return-0004", deposit_ids=[phone.id])
    sync_items(meeting, actor=None)
    assert _status(meeting, "devices-returned").status == "met"


def test_search_ignores_case_and_diacritics(open_door):
    meeting, _clerk, people = open_door(
        names=["Nguyễn Văn A", "Đặng Thị Đào", "Trần Nguyên Hải", "Lê Văn Ánh"]
    )
    names = lambda q: [a.full_name for a in queries.search(meeting.id, q)]  # noqa: E731
    assert names("nguyen van a") == ["Nguyễn Văn A"]
    assert names("dao") == ["Đặng Thị Đào"]
    assert names("DANG") == ["Đặng Thị Đào"]
    assert names("nguyen") == ["Nguyễn Văn A", "Trần Nguyên Hải"]  # starts-with first
    assert names("van a") == ["Lê Văn Ánh", "Nguyễn Văn A"]
    assert names("%") == [] and names("_") == [] and names("") == []


def test_an_earlier_signed_text_can_become_current_again(open_door, make_user):
    meeting, clerk, (a, *_rest) = open_door()
    admin = make_user("admin")
    regime = meeting.ruleset_id
    commitments.set_commitment(actor=admin, ruleset_id=regime, text="Văn bản A.")
    entry = _check_in(meeting, clerk, a, sha=commitments.sha256("Văn bản A."))
    commitments.set_commitment(actor=admin, ruleset_id=regime, text="Văn bản B.")
    # signed already: kept, current again
    commitments.set_commitment(actor=admin, ruleset_id=regime, text="Văn bản A.")
    db.session.commit()
    assert commitments.current_commitment(regime) == (
        "Văn bản A.",
        commitments.sha256("Văn bản A."),
    )
    assert db.session.get(CommitmentText, entry.commitment_id).text == "Văn bản A."


def test_a_copy_label_or_a_device_tag_scanned_as_an_invitation_is_named(open_door, make_device):
    from meetingsec.workflows.services import register_document

    meeting, _clerk, _people = open_door()
    device = make_device()
    doc = register_document(
        meeting,
        actor=organiser_of(meeting),
        number="12/BC-CAT",
        title="Báo cáo",
        classification="toi_mat",
        copy_count=1,
        copy_authorisation="VB số 5/CV",
    )
    db.session.commit()
    with pytest.raises(DomainError) as err:
        services.find_attendee(meeting, device.tag_code)
    assert err.value.message == services.foreign_code(device.tag_code, "invitation")
    assert "tem thiết bị" in str(err.value.message)
    with pytest.raises(DomainError) as err:
        # as the scan screens call it: the door is given the kinds of code above it
        services.find_attendee(meeting, doc.copies[0].code, CODE_KINDS)
    assert "nhãn bản tài liệu" in str(err.value.message)
    assert services.foreign_code("0" * 11, "invitation") is None


@pytest.mark.parametrize("write", ["check_in", "leave", "reenter", "refuse", "return"])
def test_each_door_write_judges_the_status_as_it_is_under_the_lock(open_door, write):
    """The session last read the meeting as closed; it is open now: every write locks the
    meeting (reading its status again) before it asks whether the door is open."""
    from sqlalchemy.orm.attributes import set_committed_value

    from meetingsec.meetings.lifecycle import MeetingStatus

    meeting, clerk, (a, b, _c) = open_door()
    _check_in(meeting, clerk, b)
    if write == "reenter":
        door_entry.leave(meeting, b, actor=clerk, key="stale-out")
    db.session.commit()
    set_committed_value(meeting, "status", MeetingStatus.CLOSED)  # what the session last read
    writes = {
        "check_in": lambda: _check_in(meeting, clerk, a, key="stale-0001"),
        "leave": lambda: door_entry.leave(meeting, b, actor=clerk, key="stale-0002"),
        "reenter": lambda: workflows.reenter(
            meeting, b, actor=clerk, key="stale-0003", items={}, carries_none=False
        ),
        "refuse": lambda: door_entry.refuse(
            meeting, actor=clerk, key="stale-0004", name="Khách Lạ", unit="Y", reason="Không"
        ),
        "return": lambda: door_deposits.return_items(
            meeting, b, actor=clerk, key="stale-0005", deposit_ids=[queries.deposits_of(b.id)[0].id]
        ),
    }
    writes[write]()
    assert meeting.status is MeetingStatus.CLEARED


def test_the_commitment_follows_the_meetings_regime(open_door, make_user):
    """A December 2026 meeting signs the 2026 text, not the repealed 2018 law's; an
    administrator's own text replaces the default of its regime only."""
    meeting, clerk, (a, b, _c) = open_door()
    assert meeting.ruleset_id == "vn-2026"
    entry = _check_in(meeting, clerk, a)
    signed = db.session.get(CommitmentText, entry.commitment_id).text
    assert "117/2025/QH15" in signed and "năm 2018" not in signed
    commitments.set_commitment(
        actor=make_user("admin"), ruleset_id="vn-2020", text="Văn bản riêng cho 2020."
    )
    assert commitments.commitment_for(meeting)[0] == commitments.default_commitment("vn-2026")
    meeting.ruleset_id = "vn-2020"  # a meeting generated under the 2020 regime
    assert commitments.commitment_for(meeting)[0] == "Văn bản riêng cho 2020."
    entry = _check_in(meeting, clerk, b, key="key-00002")
    assert db.session.get(CommitmentText, entry.commitment_id).text == "Văn bản riêng cho 2020."
