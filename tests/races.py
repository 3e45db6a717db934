"""Races between two tablets, against the app under gunicorn (2 worker processes).

The same thing is sent by two clients 10 ms apart — the same invitation scanned at two
doors, the same claim ticket handed back at two desks, the same document copy scanned back
twice, the same device inspected by two technicians — and exactly one must succeed while
the other is told it was already done. Used by ``tests/core/test_races.py`` (a few dozen
rounds per race) and ``benchmarks/races_bench.py`` (1,000 per race).
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from meetingsec.core.db import utcnow
from meetingsec.extensions import db
from tests.conftest import make_app
from tests.gunicorn import Tablet, free_port, serve
from tests.helpers import signature_json

PASSWORD = "race password 2026"
GAP = 0.010  # the second client sends 10 ms after the first
SIGNATURE = signature_json(30)

#: race → (who plays it, what the loser is told: status and a phrase of the Vietnamese text)
LOSER = {
    "check_in": (("clerk1", "clerk2"), 409, "Đã vào lúc"),
    "return": (("clerk1", "clerk2"), 409, "Đã trả lại lúc"),
    "recover": (("clerk1", "clerk2"), 409, "thu hồi lúc"),
    "inspect": (("tech1", "tech2"), 422, "vừa ghi kết quả kiểm tra thiết bị này"),
}
RACES = tuple(LOSER)


@dataclass
class Plan:
    door: int = 0
    lab: int = 0
    sha: str = ""
    invitations: list[str] = field(default_factory=list)
    returns: list[tuple[int, int]] = field(default_factory=list)  # (attendee, deposit)
    copies: list[str] = field(default_factory=list)
    devices: list[int] = field(default_factory=list)


def setup(url: str, instance: Path, rounds: int) -> Plan:
    """A meeting at its door (``rounds`` people to check in; ``rounds`` more inside, each
    with a phone deposited and a document copy in hand) and a meeting whose ``rounds``
    devices wait for inspection. Built through the services, as the app would."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.devices.services import add_device, save_device
    from meetingsec.documents import services as documents
    from meetingsec.door import commitment as commitments
    from meetingsec.door import queries as door_queries
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.services import save_unit, save_venue
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user
    from meetingsec.workflows import services as workflows
    from meetingsec.workflows.services import create_meeting

    app = make_app(url, instance)
    plan = Plan()
    with app.app_context():
        u = {
            name: create_user(
                actor=None, username=name, full_name=full, roles={role}, password=PASSWORD
            )
            for name, full, role in (
                ("clerk1", "Lê Tân Một", Role.CLERK),
                ("clerk2", "Lê Tân Hai", Role.CLERK),
                ("tech1", "Kỹ Thuật Một", Role.TECHNICIAN),
                ("tech2", "Kỹ Thuật Hai", Role.TECHNICIAN),
                ("org", "Tổ Chức", Role.ORGANISER),
                ("chair", "Chủ Trì", Role.CHAIR),
            )
        }
        venue = save_venue(
            None, actor=None, name="Phòng 1", address="", at_hq=True, closed_room=True
        )
        unit = save_unit(None, actor=None, name="Văn phòng", parent=None)
        start = utcnow() + timedelta(hours=1)

        def meeting(title, **team):
            return create_meeting(
                MeetingData(
                    title=title,
                    kind="hoi_nghi",
                    classification="toi_mat",
                    format="in_person",
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    venue=venue,
                    host_unit=unit,
                    chair=u["chair"],
                    **team,
                ),
                actor=u["org"],
            )

        at_door = meeting("Hội nghị ở cửa", clerks=[u["clerk1"], u["clerk2"]])
        people = add_attendees(
            at_door,
            [{"full_name": f"Người Dự {i}", "unit_name": "Sở A"} for i in range(2 * rounds)],
            actor=u["org"],
            source="races",
        )
        approve_list(at_door, actor=u["chair"], seen=shown_changes(people, []))
        at_door.status = "cleared"
        plan.sha = commitments.commitment_for(at_door)[1]
        plan.invitations = [p.invitation_code for p in people[:rounds]]
        inside = people[rounds:]
        copies = []
        for first in range(0, rounds, documents.MAX_COPIES):
            n = min(documents.MAX_COPIES, rounds - first)
            doc = workflows.register_document(
                at_door,
                actor=u["org"],
                number=f"{first // documents.MAX_COPIES + 1}/TL",
                title="Tài liệu",
                classification="toi_mat",
                copy_count=n,
                copy_authorisation="Được phép sao",
            )
            copies += doc.copies
        for i, (person, copy) in enumerate(zip(inside, copies, strict=True)):
            workflows.check_in(
                at_door,
                person.invitation_code,
                actor=u["clerk1"],
                key=f"setup-in-{i:06d}",
                items={"phone": 1},
                carries_none=False,
                signature=SIGNATURE,
                commitment_sha256=plan.sha,
            )
            documents.hand_out(
                at_door,
                actor=u["clerk1"],
                key=f"setup-out-{i:06d}",
                attendee_code=person.invitation_code,
                copy_code=copy.code,
            )
            plan.returns.append((person.id, door_queries.unreturned(person)[0].id))
            plan.copies.append(copy.code)
        lab = meeting("Cuộc họp kiểm tra thiết bị", technicians=[u["tech1"], u["tech2"]])
        for i in range(rounds):
            device = save_device(
                None,
                actor=None,
                kind="wired_mic",
                make="Bosch",
                model="CCS 1000",
                serial=f"SN{i:06d}",
                owner_unit=None,
                ban_co_yeu=False,
                notes="",
            )
            plan.devices.append(add_device(lab, device, actor=u["org"]).id)
        db.session.commit()
        plan.door, plan.lab = at_door.id, lab.id
        db.session.remove()
        db.engine.dispose()
    return plan


def _send(race: str, plan: Plan, i: int, tablet: Tablet, side: int):
    key = f"race-{race}-{i:06d}-{side}"
    if race == "check_in":
        return tablet.check_in(plan.door, plan.invitations[i], key, plan.sha)
    if race == "return":
        attendee, deposit = plan.returns[i]
        return tablet.post(
            f"/meetings/{plan.door}/door/returns/{attendee}", {"key": key, "deposit_ids": deposit}
        )
    if race == "recover":
        return tablet.post(
            f"/meetings/{plan.door}/documents/recover", {"key": key, "code": plan.copies[i]}
        )
    return tablet.post(
        f"/meetings/{plan.lab}/inspection/{plan.devices[i]}",
        {
            "result": "pass",
            "seal_number": f"TEM-{i:06d}-{side}",
            "notes": "",
            "key": key,
            "based_on": "0",
        },
    )


def outcome(race: str, answers) -> str:
    """``ok`` when exactly one succeeded and the other was told it was already done."""
    _who, status, phrase = LOSER[race]
    statuses = sorted(s for s, _body in answers)
    if statuses != sorted([303, status]):
        return f"statuses {statuses}"
    loser = next(body for s, body in answers if s == status).decode()
    return "ok" if phrase in loser else f"{status} without «{phrase}»"


def race(port: int | tuple[int, int], plan: Plan, race: str, rounds: int) -> Counter:
    """``rounds`` rounds of ``race``: the first client sends, the second 10 ms later.
    ``port``: the app's, or one per client (two app instances)."""
    users = LOSER[race][0]
    ports = port if isinstance(port, tuple) else (port, port)
    tablets = [Tablet(p).log_in(name, PASSWORD) for p, name in zip(ports, users, strict=True)]
    results: Counter = Counter()
    for i in range(rounds):
        answers = [None, None]

        def go(side, i=i, answers=answers):
            if side:
                time.sleep(GAP)
            answers[side] = _send(race, plan, i, tablets[side], side)

        threads = [threading.Thread(target=go, args=(side,)) for side in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results[outcome(race, answers)] += 1
    return results


class Server:
    """The app under gunicorn on a fresh database of ``databases`` with its plan."""

    def __init__(self, databases, workdir: Path, rounds: int):
        import os

        self.databases = databases
        self.url = databases.fresh()
        self.instance = workdir / "instance"
        self.plan = setup(self.url, self.instance, rounds)
        self.port = free_port()
        env = {
            **os.environ,
            "MEETINGSEC_SQLALCHEMY_DATABASE_URI": self.url,
            "MEETINGSEC_INSTANCE_PATH": str(self.instance),
        }
        self.process = serve(self.port, env)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.databases.drop(self.url)
