"""Every page of every role, at 800×1280 and on a 390×844 phone (issue 17, item 8): no
button, form control or stand-alone link smaller than 44×44 CSS px (links inside a
sentence excepted, as WCAG 2.5.5 excepts them), and no axe-core violation of WCAG 2.x
level A or AA.

Each role's pages are found by following the links of its pages from its home (one page
of each kind: ids are taken for one another), plus the pages only a scan or a search
reaches (the door's card, a device's card), named here."""

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from meetingsec.attendees.models import Attendee
from meetingsec.demo import DEMO_PASSWORD
from meetingsec.devices.models import MeetingDevice
from meetingsec.door.models import CheckIn
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, _axe_source, log_in

#: Files, not pages (a download is not a page to measure), and what leaves the session
_NOT_PAGES = re.compile(r"\.(pdf|xlsx|csv|crt|json|zip)$|/logout$|/static/")

_TARGETS_JS = """() => {
  const MIN = 44, problems = [];
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && !el.closest('[hidden], .visually-hidden');
  };
  // A link inside a sentence: its block has other text than the link's own.
  const inSentence = a => {
    const block = a.closest('p, li, td, dd, dt, label, span, h1, h2, h3, h4, legend') ;
    if (!block || a.classList.contains('btn')) return false;
    return block.textContent.replace(/\\s+/g, ' ').trim().length
      > a.textContent.replace(/\\s+/g, ' ').trim().length + 3;
  };
  const sel = 'button, a[href], select, textarea, '
    + 'input:not([type=hidden]), [role=button], summary';
  for (const el of document.querySelectorAll(sel)) {
    if (!shown(el)) continue;
    if (el.matches('a.skip-link')) continue;   // off-screen until focused
    if (el.tagName === 'A' && inSentence(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < MIN - 0.5 || r.height < MIN - 0.5)
      problems.push(`${Math.round(r.width)}×${Math.round(r.height)}: `
        + el.outerHTML.replace(/\\s+/g, ' ').slice(0, 110));
  }
  return problems;
}"""

_AXE_JS = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
    resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 120))}));
}"""

ROLES = {
    "admin": "/home/admin",
    "tochuc": "/home/organiser",
    "chutri": "/home/chair",
    "kythuat": "/home/technician",
    "letan": "/home/clerk",
    "kiemtra": "/home/auditor",
}


def _kind(app, url: str) -> str:
    """One page of each kind: the view that serves it (a rule's page stands for every
    rule's, a meeting's for every meeting's); the query is dropped."""
    path = urlsplit(url).path
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return re.sub(r"\d+", "N", path)
    return endpoint


def _reached_only_by_scan(server) -> dict[str, list[str]]:
    """Pages a scan or a search opens (no link leads there), with the demo's data."""
    with server.app.app_context():
        md = db.session.scalars(select(MeetingDevice).order_by(MeetingDevice.id)).first()
        cleared = db.session.scalars(select(Meeting).where(Meeting.status == "cleared")).first()
        closing = db.session.scalars(select(Meeting).where(Meeting.status == "closing")).first()
        urls = {"kythuat": [], "letan": [], "tochuc": []}
        if md is not None:
            urls["kythuat"].append(f"/meetings/{md.meeting_id}/inspection/{md.id}")
        if cleared is not None:
            person = db.session.scalars(
                select(Attendee).where(Attendee.meeting_id == cleared.id).order_by(Attendee.id)
            ).first()
            urls["letan"] += [
                f"/meetings/{cleared.id}/door/attendees/{person.id}",
                f"/meetings/{cleared.id}/door/refusals",
            ]
        if closing is not None:
            inside = db.session.scalars(
                select(CheckIn.attendee_id)
                .where(CheckIn.meeting_id == closing.id)
                .order_by(CheckIn.id.desc())
            ).first()
            urls["letan"] += [
                f"/meetings/{closing.id}/door/returns/{inside}",
                f"/meetings/{closing.id}/documents/recover",
            ]
            urls["tochuc"].append(f"/meetings/{closing.id}/closing")
        return urls


def _check(page, problems: list[str], where: str) -> None:
    for viewport in (TABLET_PORTRAIT, PHONE):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)
        size = f"{viewport['width']}×{viewport['height']}"
        problems += [f"{where} @{size} target {p}" for p in page.evaluate(_TARGETS_JS)]
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(_axe_source())
        problems += [
            f"{where} @{size} axe {json.dumps(v, ensure_ascii=False)}"
            for v in page.evaluate(_AXE_JS)
        ]


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_every_role_has_big_targets_and_passes_axe(
    page, live_server, username, max_pages=60
):
    base = live_server.url
    log_in(page, live_server, username, DEMO_PASSWORD)
    queue = [base + ROLES[username]] + [
        base + u for u in _reached_only_by_scan(live_server).get(username, [])
    ]
    seen, problems, visited = set(), [], []
    while queue and len(visited) < max_pages:
        url = queue.pop(0)
        kind = _kind(live_server.app, url)
        if kind in seen:
            continue
        seen.add(kind)
        response = page.goto(url)
        # No page loads parts of itself after "load" (no hx-trigger="load"): measured as is.
        if response is None or response.status >= 400 or not url.startswith(base):
            continue
        visited.append(url)
        _check(page, problems, urlsplit(url).path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            href = urljoin(url, href).split("#")[0]
            if href.startswith(base) and not _NOT_PAGES.search(urlsplit(href).path):
                queue.append(href)
    print(f"\n{username}: {len(visited)} pages", *visited, sep="\n  ")
    assert len(visited) >= 3
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:60])
