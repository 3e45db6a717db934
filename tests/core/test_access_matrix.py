"""Every route × anonymous and every role: the expected status.

The table below is the access policy, written independently of the code. A route added to
the app without a row here fails ``test_every_route_is_in_the_matrix``. On a meeting's
pages the roles are the ones the person plays *on that meeting*: its organiser, its chair,
a technician or clerk of its team (auditors and administrators play theirs everywhere).
Holding a role for another meeting gives nothing here (a person with two roles, a second
team: ``test_two_roles_and_two_teams``), and ``DOWNLOADS`` is the README's "reads /
downloads" table.
"""

import pytest
from sqlalchemy import func, select

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db as _db
from meetingsec.users.roles import Role
from tests.factories import chair_of, organiser_of, stored_record

PUBLIC, AUTH = "public", "authenticated"
A, AU, ORG, C, T = Role.ADMIN, Role.AUDITOR, Role.ORGANISER, Role.CHAIR, Role.TECHNICIAN
CL = Role.CLERK
#: Meeting pages: the role the user plays on the meeting (or the meeting must be the
#: user's, for AUTH; administrators and auditors see every meeting)
M = "meeting"
#: Who reads a meeting's device inspection and venue check records
DEVICE_RECORDS = {ORG, C, T, AU, A}

#: rule → (method, who may, status when allowed)
MATRIX = {
    "/static/<path:filename>": ("GET", PUBLIC, 200),
    "/tls/": ("GET", PUBLIC, 200),
    "/tls/ca.crt": ("GET", PUBLIC, 404),
    "/login": ("GET", PUBLIC, 200),
    "/language": ("POST", PUBLIC, 303),
    "/logout": ("POST", AUTH, 303),
    "/": ("GET", AUTH, 302),
    "/home/<role>": ("GET", "own role", 200),
    "/account/password": ("GET", AUTH, 200),
    "/admin/users": ("GET", {A}, 200),
    "/admin/users/new": ("GET", {A}, 200),
    "/admin/users/<int:user_id>": ("GET", {A}, 200),
    "/admin/users/<int:user_id>/password": ("POST", {A}, 422),
    "/admin/users/<int:user_id>/unlock": ("POST", {A}, 422),
    "/admin/units": ("GET", {A}, 200),
    "/admin/units/new": ("GET", {A}, 200),
    "/admin/units/<int:unit_id>": ("GET", {A}, 200),
    "/admin/venues": ("GET", {A}, 200),
    "/admin/venues/new": ("GET", {A}, 200),
    "/admin/venues/<int:venue_id>": ("GET", {A}, 200),
    "/admin/agency": ("GET", {A}, 200),
    "/audit/": ("GET", {AU, A}, 200),
    "/audit/verify": ("GET", {AU, A}, 200),
    "/about/": ("GET", {AU, A}, 200),
    # a development checkout is no release: there is no SBOM to give
    "/about/sbom.cdx.json": ("GET", {AU, A}, 404),
    "/about/selfcheck": ("POST", {AU, A}, 302),
    "/admin/rules/": ("GET", {A}, 200),
    "/admin/rules/<ruleset_id>/<rule_id>": ("GET", {A}, 200),
    "/meetings/": ("GET", AUTH, 200),
    "/meetings/new": ("GET", {ORG}, 200),
    "/meetings/<int:meeting_id>": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/edit": ("GET", (M, {ORG}), 200),
    "/meetings/<int:meeting_id>/items/<rule_id>": ("POST", (M, AUTH), 422),
    "/meetings/<int:meeting_id>/approve": ("GET", (M, {C}), 200),
    "/meetings/<int:meeting_id>/devices": ("POST", (M, {C}), 422),
    "/meetings/<int:meeting_id>/gate": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/clear": ("POST", (M, {C}), 303),
    "/meetings/<int:meeting_id>/start": ("POST", (M, {C}), 303),
    "/meetings/<int:meeting_id>/end": ("POST", (M, {C, ORG}), 303),
    "/meetings/<int:meeting_id>/cancel": ("GET", (M, {C, ORG}), 200),
    "/devices/": ("GET", {A, ORG}, 200),
    "/devices/new": ("GET", {A, ORG}, 200),
    "/devices/<int:device_id>": ("GET", {A, ORG}, 200),
    "/devices/labels.pdf": ("GET", {A, ORG}, 303),
    "/meetings/<int:meeting_id>/devices/": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/devices/<int:md_id>/remove": ("POST", (M, {ORG}), 404),
    "/meetings/<int:meeting_id>/devices/<int:md_id>/withdraw": ("POST", (M, {ORG}), 404),
    "/meetings/<int:meeting_id>/devices/<int:md_id>/replace": ("POST", (M, {ORG}), 404),
    "/meetings/<int:meeting_id>/inspection": ("GET", (M, {T}), 200),
    "/meetings/<int:meeting_id>/inspection/<int:md_id>": ("GET", (M, {T}), 404),
    "/meetings/<int:meeting_id>/inspection/<int:md_id>/install": ("POST", (M, {T}), 404),
    "/meetings/<int:meeting_id>/inspection/<int:md_id>/uninstall": ("POST", (M, {T}), 404),
    "/meetings/<int:meeting_id>/inspection/<int:md_id>/seal": ("POST", (M, {T}), 404),
    "/meetings/<int:meeting_id>/venue-check": ("GET", (M, {T}), 200),
    "/meetings/<int:meeting_id>/records/devices.pdf": ("GET", (M, DEVICE_RECORDS), 200),
    "/meetings/<int:meeting_id>/records/venue.pdf": ("GET", (M, DEVICE_RECORDS), 404),
    "/meetings/<int:meeting_id>/attendees/": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/attendees/<int:attendee_id>/remove": ("GET", (M, {ORG}), 404),
    "/meetings/<int:meeting_id>/attendees/approve": ("POST", (M, {C}), 303),
    "/meetings/<int:meeting_id>/attendees/import": ("GET", (M, {ORG}), 200),
    "/meetings/<int:meeting_id>/attendees/import/<int:batch_id>": ("GET", (M, {ORG}), 404),
    "/meetings/<int:meeting_id>/attendees/import/<int:batch_id>/columns": (
        "GET",
        (M, {ORG}),
        404,
    ),
    "/meetings/<int:meeting_id>/attendees/import/<int:batch_id>/convert": (
        "POST",
        (M, {ORG}),
        404,
    ),
    "/meetings/<int:meeting_id>/attendees/template.xlsx": ("GET", (M, {ORG}), 200),
    "/meetings/<int:meeting_id>/attendees/invitations.pdf": ("GET", (M, {ORG}), 303),
    "/meetings/<int:meeting_id>/attendees/<int:attendee_id>/invitation.pdf": (
        "GET",
        (M, {ORG}),
        404,
    ),
    "/meetings/<int:meeting_id>/door/": ("GET", (M, {CL}), 200),
    "/meetings/<int:meeting_id>/door/search": ("GET", (M, {CL}), 200),
    "/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>": ("GET", (M, {CL}), 404),
    "/meetings/<int:meeting_id>/door/check-in": ("POST", (M, {CL}), 404),
    "/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/reenter": (
        "POST",
        (M, {CL}),
        404,
    ),
    "/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/leave": ("POST", (M, {CL}), 404),
    "/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/tickets.pdf": (
        "GET",
        (M, {CL}),
        404,
    ),
    "/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/identity": (
        "POST",
        (M, {CL}),
        404,
    ),
    "/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/identity-refusal": (
        "POST",
        (M, {CL}),
        404,
    ),
    "/meetings/<int:meeting_id>/room-seal": ("GET", (M, {ORG, T}), 200),
    "/meetings/<int:meeting_id>/door/counters": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/door/refusals": ("GET", (M, {CL}), 200),
    "/meetings/<int:meeting_id>/door/returns": ("GET", (M, {CL}), 200),
    "/meetings/<int:meeting_id>/door/returns/<int:attendee_id>": ("GET", (M, {CL}), 404),
    "/admin/commitment": ("GET", {A}, 200),
    "/meetings/<int:meeting_id>/documents/": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/documents/<int:document_id>/authorisation": (
        "POST",
        (M, AUTH),
        404,
    ),
    "/meetings/<int:meeting_id>/documents/<int:document_id>/labels.pdf": (
        "GET",
        (M, {ORG, AU}),
        404,
    ),
    "/meetings/<int:meeting_id>/documents/hand-out": ("GET", (M, {ORG, CL}), 200),
    "/meetings/<int:meeting_id>/documents/hand-out/<int:attendee_id>": (
        "GET",
        (M, {ORG, CL}),
        404,
    ),
    "/meetings/<int:meeting_id>/documents/recover": ("GET", (M, {ORG, CL}), 200),
    "/meetings/<int:meeting_id>/documents/copies/<int:copy_id>/lost": ("GET", (M, {ORG}), 404),
    "/meetings/<int:meeting_id>/documents/invitations/<int:attendee_id>/recover": (
        "POST",
        (M, {ORG, CL}),
        404,
    ),
    "/meetings/<int:meeting_id>/records/": ("GET", (M, {ORG, C, AU}), 200),
    "/meetings/<int:meeting_id>/records/<kind>": ("POST", (M, {ORG, C}), 303),
    "/meetings/<int:meeting_id>/records/jobs/<int:job_id>": ("GET", (M, {ORG, C, AU}), 404),
    "/meetings/<int:meeting_id>/records/<kind>.pdf": ("GET", (M, {ORG, C, AU}), 404),
    "/meetings/<int:meeting_id>/records/<kind>/signers": ("GET", (M, {ORG, C}), 200),
    "/meetings/<int:meeting_id>/export.xlsx": ("GET", (M, {ORG, C, AU}), 200),
    "/meetings/<int:meeting_id>/closing": ("GET", (M, AUTH), 200),
    "/meetings/<int:meeting_id>/closing/unclaimed": ("POST", (M, {ORG, CL}), 422),
    "/meetings/<int:meeting_id>/close": ("POST", (M, {ORG, C}), 303),
    "/reports/": ("GET", {A, AU}, 200),
    # generated first: until then the page, to write and generate it
    "/reports/report.pdf": ("GET", {A, AU}, 303),
    "/reports/narrative": ("POST", {A}, 303),
    "/reports/report.xlsx": ("GET", {A, AU}, 200),
}


#: Public pages that answer a logged-in user differently
WHEN_LOGGED_IN = {"/login": 302, "/language": 303}


def test_every_route_is_in_the_matrix(app):
    assert {r.rule for r in app.url_map.iter_rules()} == set(MATRIX)


@pytest.fixture
def objects(make_user, make_device, db):
    """What the routes' ids name: the device belongs to the unit every user of the walk
    is in (the registry is kept per owner unit)."""
    from meetingsec.org.services import save_unit, save_venue

    unit = save_unit(None, actor=None, name="Đơn vị", parent=None)
    venue = save_venue(None, actor=None, name="Phòng họp", address="", at_hq=True, closed_room=True)
    target = make_user("clerk", username="target")
    device = make_device()
    device.owner_unit_id = unit.id
    db.session.commit()
    return {
        "unit": unit,
        "device_id": device.id,
        "user_id": target.id,
        "unit_id": unit.id,
        "venue_id": venue.id,
        "filename": "css/app.css",
    }


def _url(rule: str, objects, role: Role | None, meeting_id: int = 0) -> str:
    url = rule.replace("<path:filename>", objects["filename"])
    url = url.replace("<int:meeting_id>", str(meeting_id)).replace("<rule_id>", "approve-use")
    url = url.replace("<ruleset_id>", "vn-2026").replace("<int:md_id>", "999999")
    url = url.replace("<int:attendee_id>", "999999").replace("<int:batch_id>", "999999")
    for key in ("document_id", "copy_id", "job_id"):
        url = url.replace(f"<int:{key}>", "999999")
    url = url.replace("<kind>", "attendance")
    url = url.replace("<role>", role.value if role else "organiser")
    for key in ("user_id", "unit_id", "venue_id", "device_id"):
        url = url.replace(f"<int:{key}>", str(objects[key]))
    return url


@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_anonymous(client, objects, rule):
    method, who, ok = MATRIX[rule]
    resp = client.open(_url(rule, objects, None, 1), method=method)
    if who == PUBLIC:
        assert resp.status_code == ok
    else:
        assert resp.status_code == 302 and resp.location.startswith("/login")


def _own_meeting(make_meeting, user, role):
    """A meeting in which ``user`` plays ``role`` (admins and auditors see every meeting)."""
    kw = {
        Role.ORGANISER: {"organiser": user},
        Role.CHAIR: {"chair": user},
        Role.TECHNICIAN: {"technicians": [user]},
        Role.CLERK: {"clerks": [user]},
    }
    return make_meeting(**kw.get(role, {}))


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role(client, make_user, make_meeting, login, objects, role):
    user = make_user(roles={role}, unit=objects["unit"])
    meeting = _own_meeting(make_meeting, user, role)
    login(user)
    for rule, (method, who, ok) in MATRIX.items():
        if rule == "/logout":
            continue  # would end the session mid-walk; covered by the auth tests
        resp = client.open(_url(rule, objects, role, meeting.id), method=method)
        if isinstance(who, tuple):
            who = who[1]
        allowed = who in (PUBLIC, AUTH, "own role") or role in who
        expected = ok if allowed else 403
        expected = WHEN_LOGGED_IN.get(rule, expected)
        assert resp.status_code == expected, (role, rule, resp.status_code)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_another_meeting_is_forbidden_and_audited(
    client, make_user, make_meeting, login, objects, role
):
    """Every meeting page of a meeting that is not the user's: 403, and the attempt is in
    the audit log (administrators and auditors see every meeting)."""
    from tests.helpers import actions

    other = make_meeting()
    user = make_user(roles={role})
    login(user)
    sees_all = role in (Role.ADMIN, Role.AUDITOR)
    for rule, (method, who, ok) in MATRIX.items():
        if not isinstance(who, tuple):
            continue
        allowed_role = who[1] == AUTH or role in who[1]
        if not allowed_role:
            continue  # the role rule already refuses (test_each_role)
        before = actions().count("meeting.access_denied")
        resp = client.open(_url(rule, objects, role, other.id), method=method)
        if sees_all:
            assert resp.status_code == ok, (role, rule)
        else:
            assert resp.status_code == 403, (role, rule, resp.status_code)
            assert actions().count("meeting.access_denied") == before + 1, rule


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_another_roles_home_is_forbidden(client, make_user, login, role):
    login(make_user(roles={role}))
    for other in Role:
        status = client.get(f"/home/{other.value}").status_code
        assert status == (200 if other is role else 403)
    assert client.get("/home/emperor").status_code == 403


def test_view_without_access_rule_is_refused(app, client):
    """Fail closed: a route someone forgot to protect answers 403 to everyone."""
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert client.get("/forgotten").status_code == 403


# -- a person with two roles, a second team ------------------------------------------------------


def _denials() -> int:
    return _db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "meeting.access_denied")
    )


def _plays(user, meeting) -> set[Role]:
    """The roles ``user`` plays on ``meeting``, written out from the meeting's facts."""
    plays = set(user.role_set & {A, AU})
    if user.id == meeting.organiser_id:
        plays.add(ORG)
    if user.id == meeting.chair_id:
        plays.add(C)
    plays |= {Role(m.role) for m in meeting.members if m.user_id == user.id}
    return plays & user.role_set


@pytest.fixture
def two_teams(make_user, make_meeting, objects):
    """Meeting A and meeting B, each with its own organiser, chair, technician and clerk.
    Two people hold two roles: ``org_tech`` organises B and is a technician on A;
    ``chair_clerk`` chairs A and is a clerk on B."""
    unit = objects["unit"]
    org_tech = make_user(roles={ORG, T}, username="org-tech", unit=unit)
    chair_clerk = make_user(roles={C, CL}, username="chair-clerk", unit=unit)
    a_org, a_clerk = make_user("organiser", unit=unit), make_user("clerk", unit=unit)
    b_chair, b_tech = make_user("chair", unit=unit), make_user("technician", unit=unit)
    a = make_meeting(organiser=a_org, chair=chair_clerk, technicians=[org_tech], clerks=[a_clerk])
    b = make_meeting(organiser=org_tech, chair=b_chair, technicians=[b_tech], clerks=[chair_clerk])
    people = {
        "org_tech": org_tech,
        "chair_clerk": chair_clerk,
        "a_org": a_org,
        "a_clerk": a_clerk,
        "b_chair": b_chair,
        "b_tech": b_tech,
    }
    return people, (a, b)


@pytest.mark.parametrize(
    "person", ["org_tech", "chair_clerk", "a_org", "a_clerk", "b_chair", "b_tech"]
)
def test_two_roles_and_two_teams(client, login, objects, two_teams, person):
    """Every meeting page of both meetings: allowed by the role the person plays on that
    meeting, not by a role held for another one. A refusal of someone who holds the role
    (their own meeting's page of another role, or another team's meeting) is audited."""
    people, meetings = two_teams
    user = people[person]
    login(user)
    for meeting in meetings:
        plays = _plays(user, meeting)
        for rule, (method, who, ok) in MATRIX.items():
            if not isinstance(who, tuple):
                continue
            needed = who[1]
            holds = needed == AUTH or bool(needed & user.role_set)
            allowed = bool(plays) if needed == AUTH else bool(needed & plays)
            before = _denials()
            resp = client.open(_url(rule, objects, None, meeting.id), method=method)
            expected = ok if allowed else 403
            assert resp.status_code == expected, (person, meeting.title, rule, resp.status_code)
            audited = holds and not allowed
            assert _denials() == before + audited, (person, meeting.title, rule)


# -- reads and downloads -------------------------------------------------------------------------

#: What each file of a meeting is read by (the roles played on that meeting: the README's
#: "reads / downloads" table) and the audit event its download leaves
DOWNLOADS = {
    "/meetings/{m}/records/attendance.pdf": ({ORG, C, AU}, "record.downloaded"),
    "/meetings/{m}/export.xlsx": ({ORG, C, AU}, "meeting.exported"),
    "/meetings/{m}/records/devices.pdf": (DEVICE_RECORDS, "record.downloaded"),
    "/meetings/{m}/records/venue.pdf": (DEVICE_RECORDS, "record.downloaded"),
    "/meetings/{m}/attendees/invitations.pdf": ({ORG}, "invitations.downloaded"),
    "/meetings/{m}/attendees/{a}/invitation.pdf": ({ORG}, "invitations.downloaded"),
    "/meetings/{m}/documents/{doc}/labels.pdf": ({ORG, AU}, "copy_labels.downloaded"),
    "/meetings/{m}/door/attendees/{a}/tickets.pdf": ({CL}, "claim_tickets.downloaded"),
}


@pytest.fixture
def files(ended_meeting, make_user, make_meeting, db):
    """A meeting with something in every file (a stored record, a venue check, a copy,
    a phone still held at the door), its whole team, people with two roles on it, and a
    second team of another meeting."""
    from meetingsec.devices.models import VenueCheck
    from meetingsec.meetings.models import MeetingMember

    meeting, clerk, people, doc = ended_meeting()
    tech = make_user("technician")
    org_tech = make_user(roles={ORG, T})
    chair_clerk = make_user(roles={C, CL})
    for user, role in ((tech, "technician"), (org_tech, "technician"), (chair_clerk, "clerk")):
        meeting.members.append(MeetingMember(user_id=user.id, role=role))
    db.session.add(
        VenueCheck(
            meeting_id=meeting.id,
            technician_id=tech.id,
            result="pass",
            inside_notes="Phòng kín",
            outside_notes="Không có thiết bị lạ",
            key="venue-check-files",
        )
    )
    data = b"%PDF-1.4 attendance"
    stored_record(meeting, "attendance", data)
    other_org, other_chair = make_user("organiser"), make_user("chair")
    other_tech, other_clerk = make_user("technician"), make_user("clerk")
    make_meeting(
        organiser=other_org, chair=other_chair, technicians=[other_tech], clerks=[other_clerk]
    )
    db.session.commit()
    readers = {
        "organiser": organiser_of(meeting),
        "chair": chair_of(meeting),
        "technician": tech,
        "clerk": clerk,
        "auditor": make_user("auditor"),
        "admin": make_user("admin"),
        "organiser+technician": org_tech,
        "chair+clerk": chair_clerk,
        "auditor+organiser": make_user(roles={AU, ORG}),
        "other organiser": other_org,
        "other chair": other_chair,
        "other technician": other_tech,
        "other clerk": other_clerk,
    }
    ids = {"m": meeting.id, "a": people[0].id, "doc": doc.id}
    return meeting, readers, ids


def _last_event():
    return _db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


@pytest.mark.parametrize(
    "reader",
    [
        "organiser",
        "chair",
        "technician",
        "clerk",
        "auditor",
        "admin",
        "organiser+technician",
        "chair+clerk",
        "auditor+organiser",
        "other organiser",
        "other chair",
        "other technician",
        "other clerk",
    ],
)
def test_each_file_is_read_by_its_readers_only_and_every_download_is_audited(
    client, login, files, reader
):
    meeting, readers, ids = files
    user = readers[reader]
    plays = _plays(user, meeting)
    login(user)
    for path, (who, action) in DOWNLOADS.items():
        url = path.format(**ids)
        before = _last_event().seq
        resp = client.get(url)
        if who & plays:
            assert resp.status_code == 200, (reader, url, resp.status_code)
            event = _last_event()
            assert (event.seq, event.action, event.actor_id) == (before + 1, action, user.id), (
                reader,
                url,
            )
        else:
            assert resp.status_code == 403, (reader, url, resp.status_code)
            event = _last_event()
            assert event.seq == before or event.action == "meeting.access_denied", (reader, url)
