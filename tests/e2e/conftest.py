"""Browser tests: the real app served on 127.0.0.1, Debian's Chromium driven by Playwright
at tablet viewports. Every page a test visits goes through ``check_page``: a screenshot for
people to look at, axe-core for accessibility, and the tablet layout rules."""

import json
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from meetingsec.core.codes import check_symbol
from meetingsec.extensions import db as _db
from tests.conftest import OUTPUT, make_app

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"

TABLET_PORTRAIT = {"width": 800, "height": 1280}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}

# Both backends' browser runs share the two cores (make test): what a page should come to
# show is waited for up to 15 s rather than Playwright's 5 (nothing is asserted faster)
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


#: The tag code Chromium's fake camera shows (a valid code; tests register a device with it)
CAMERA_CODE = "DEM0TAG001" + check_symbol("DEM0TAG001")


def write_y4m(path: Path, data: str, width: int = 320, height: int = 240) -> None:
    """One video frame showing a QR of ``data``. Y4M is a header and raw planes, so the
    tests need no video tool and no binary file in the repository."""
    import qrcode
    from PIL import Image

    qr = qrcode.QRCode(border=4, box_size=6)
    qr.add_data(data)
    img = qr.make_image().convert("L")
    side = min(width, height) - 20
    frame = Image.new("L", (width, height), 255)
    frame.paste(img.resize((side, side), Image.NEAREST), ((width - side) // 2, 10))
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        f.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


@pytest.fixture(scope="session")
def browser_type_launch_args(tmp_path_factory):
    assert Path(CHROMIUM).exists(), "chromium is missing: run `make install`"
    video = tmp_path_factory.mktemp("camera") / "tag.y4m"
    write_y4m(video, CAMERA_CODE)
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--headless=new",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    return {
        "viewport": TABLET_PORTRAIT,
        "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh",
        "permissions": ["camera"],
    }


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def live_server_config() -> dict:
    """Config of ``live_server`` beyond the test defaults (a test module overrides it)."""
    return {}


@pytest.fixture
def live_server(db_url, tmp_path, live_server_config):
    """The app with CSRF on (as in production) and the demo agency loaded."""
    app = make_app(db_url, tmp_path / "instance", WTF_CSRF_ENABLED=True, **live_server_config)
    with app.app_context():
        from meetingsec.demo import seed

        seed()
        _db.session.commit()
        _db.session.remove()
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        _db.engine.dispose()


def _axe_source() -> str:
    return AXE.read_text()


_LAYOUT_JS = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    problems.push(`horizontal scroll: ${doc.scrollWidth} > ${window.innerWidth}`);
  const visible = el => { const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.left >= 0; };
  const controls = 'button, a.btn, .mainnav a, select, textarea, td a, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  for (const el of document.querySelectorAll(controls)) {
    if (!visible(el)) continue;
    const h = el.getBoundingClientRect().height;
    if (h < 44) problems.push(`control under 44px (${h}): ${el.outerHTML.slice(0, 80)}`);
  }
  // a checkbox or radio button is reached by its whole row (its label is part of it)
  for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const target = el.closest('li, .field-check') || el;
    const h = target.getBoundingClientRect().height;
    if (visible(el) && h < 44) problems.push(`checkbox row under 44px: ${el.id}`);
  }
  for (const el of document.querySelectorAll('p, td, th, label, li, a, button, input, select')) {
    const hasText = el.textContent.trim() || ['INPUT', 'SELECT'].includes(el.tagName);
    if (!visible(el) || !hasText) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) problems.push(`text under 16px (${size}): ${el.outerHTML.slice(0, 60)}`);
  }
  return problems;
}"""


#: The page as a person sees it: loaded, no htmx request under way or swap settling, every
#: image drawn (what waiting for 0.5 s of network silence stood for, without the wait)
_SETTLED_JS = """() => document.readyState === 'complete'
  && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')
  && [...document.images].every(img => img.complete)"""


@pytest.fixture
def check_page(backend, request):
    """``check_page(page, "name")``: screenshot, axe-core, tablet layout rules."""
    folder = OUTPUT / "screenshots" / backend
    folder.mkdir(parents=True, exist_ok=True)

    def check(page, name: str):
        page.wait_for_load_state("load")
        page.wait_for_function(_SETTLED_JS)
        size = page.viewport_size
        page.screenshot(
            path=str(folder / f"{name}-{size['width']}x{size['height']}.png"), full_page=True
        )
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated over the DevTools protocol: the page's CSP (no inline script) stays on.
            page.evaluate(_axe_source())
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
              .map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 3).map(n => n.html)}));
        }""")
        assert result == [], f"{name}: axe violations\n{json.dumps(result, indent=1)}"
        problems = page.evaluate(_LAYOUT_JS)
        assert problems == [], f"{name}: layout\n" + "\n".join(problems[:10])

    return check


class LanGuard:
    """What a browser test's pages asked for outside the app's origin (refused before it
    reaches the network), and every Content-Security-Policy violation they reported."""

    _REPORT_CSP = """document.addEventListener('securitypolicyviolation', e =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));"""

    def __init__(self, origin: str):
        self.origin = origin
        self.outside: list[str] = []
        self.violations: list[str] = []

    def watch(self, context) -> None:
        # Only what is not the app's own origin is intercepted (the browser matches the
        # pattern itself), so the app's own requests are not slowed by the guard.
        elsewhere = re.compile("^(?!" + re.escape(self.origin) + "/)")
        context.route(elsewhere, self._refuse)
        context.add_init_script(self._REPORT_CSP)
        context.on("console", self._console)

    def _refuse(self, route):
        self.outside.append(route.request.url)
        route.abort("blockedbyclient")

    def _console(self, message):
        if message.type == "error" and (
            "CSP violation" in message.text or "Content Security Policy" in message.text
        ):
            self.violations.append(message.text)


@pytest.fixture(autouse=True)
def lan_only(request, monkeypatch):
    """Every browser test runs with request interception: a request to anything but the
    app's own origin fails the test, and so does a Content-Security-Policy violation."""
    if "live_server" not in request.fixturenames:
        yield None
        return
    from playwright.sync_api import Browser

    guard = LanGuard(request.getfixturevalue("live_server").url)
    new_context = Browser.new_context

    def guarded(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        guard.watch(context)
        return context

    monkeypatch.setattr(Browser, "new_context", guarded)
    yield guard
    assert guard.outside == [], f"requests left the app's origin: {guard.outside}"
    assert guard.violations == [], f"Content-Security-Policy violations: {guard.violations}"


@pytest.fixture
def csp_violations(page):
    """Collects Content-Security-Policy violations and errors from the console."""
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    return messages


def demo_meeting_id(server) -> int:
    """The first meeting of the demo agency (its list is open to its organiser)."""
    with server.app.app_context():
        from meetingsec.meetings.models import Meeting

        meeting_id = _db.session.query(Meeting.id).order_by(Meeting.id).first()[0]
        _db.session.remove()
    return meeting_id


def log_in(page, server, username, password):
    page.goto(f"{server.url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    # the page the login answers with (a home, or the form again) is loaded, styles and
    # all, before a test measures it or goes on: on a busy machine a next goto could cut
    # the login short, and a header measured mid-load is taller than it is
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture
def app_clock(monkeypatch):
    """The app's clock, moved: every service and view asks ``core.db.utcnow``, so a walk
    over several days sets ``app_clock(when)`` (an aware datetime) and the app (the live
    server runs in this process) lives from then on, its seconds still running."""
    from datetime import datetime

    import meetingsec.core.db as core_db

    class Clock(datetime):
        offset = None

        @classmethod
        def now(cls, tz=None):
            real = datetime.now(tz)
            return real if cls.offset is None else real + cls.offset

    def move_to(when):
        Clock.offset = when - datetime.now(when.tzinfo)

    monkeypatch.setattr(core_db, "datetime", Clock)
    return move_to


def demo_ended_today() -> bool:
    """Whether the demo seeded its ended meeting: it is held "this morning", left out
    between 00:00 and 03:00 on the agency's clock (``demo._seed_ended_meeting``)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    return (now - timedelta(hours=3)).date() == now.date()
