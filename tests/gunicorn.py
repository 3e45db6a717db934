"""The app as it runs in production, for benchmarks and the tests that need real
processes: gunicorn on 127.0.0.1, and a client that behaves like one tablet (its own login
session and CSRF token, its connection kept open between requests)."""

import http.client
import os
import re
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.helpers import signature_json

ROOT = Path(__file__).resolve().parent.parent
#: What a tablet sends for a signature (signature_pad's strokes)
SIGNATURE = signature_json(60)
#: As ``make run`` serves: 2 sync workers; ``BENCH_GUNICORN`` adds options
GUNICORN = os.environ.get("BENCH_GUNICORN", "").split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, env: dict, workers: int = 2, group: bool = False) -> subprocess.Popen:
    """The app under gunicorn on 127.0.0.1:``port``, once it accepts connections.
    ``group``: in a process group of its own, so that ``os.killpg`` reaches every worker."""
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(workers),
            *GUNICORN,
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=group,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its children (gunicorn's
    master and its workers), from /proc: what the server spent, whatever else runs."""
    tree, total = {pid}, 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:  # field 4: the parent
                    tree.add(int(entry.name))
            except (OSError, ValueError):
                pass  # gone meanwhile
    for member in tree:
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


class Tablet:
    """One client: its own login session and CSRF token, and its connection kept open
    between requests, as a browser does (a new one when the server closed it).

    Given several ports (app instances behind a round-robin load balancer), each request
    goes to the next one in turn; ``port`` is the instance that answered the last one."""

    def __init__(self, *ports: int):
        self.ports, self.turn = ports, 0
        self.port = ports[0]
        self.cookie, self.csrf = "", ""
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def request(self, method, path, body=None, headers=None):
        self.port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        h = {"Cookie": self.cookie, **(headers or {})}
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn = self.conns.get(self.port)
            if conn is None:
                conn = self.conns[self.port] = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=30
                )
            try:
                conn.request(method, path, body=body, headers=h)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                del self.conns[self.port]
                if attempt == 2:
                    raise
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie" and value.startswith("meetingsec_session="):
                self.cookie = value.split(";", 1)[0]
        if resp.will_close:
            conn.close()
            del self.conns[self.port]
        self.headers = dict(resp.getheaders())
        return resp.status, data

    def post(self, path: str, fields: dict):
        """A form post with this tablet's CSRF token (``fields`` values may be lists)."""
        return self.request("POST", path, urlencode({"csrf_token": self.csrf, **fields}, True))

    def check_in(self, meeting_id: int, code: str, key: str, commitment_sha256: str):
        """What the door tablet sends when the clerk confirms: the invitation's code, a
        phone deposited, the signature and the commitment signed."""
        return self.post(
            f"/meetings/{meeting_id}/door/check-in",
            {
                "code": code,
                "key": key,
                "n_phone": "1",
                "signature": SIGNATURE,
                "commitment_sha256": commitment_sha256,
            },
        )

    def token(self, path) -> str:
        _status, page = self.request("GET", path)
        return (
            re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        )

    def log_in(self, username: str, password: str) -> "Tablet":
        token = self.token("/login")
        body = urlencode({"csrf_token": token, "username": username, "password": password})
        status, _ = self.request("POST", "/login", body)
        assert status == 303, status
        self.csrf = self.token("/account/password")  # the token lives as long as the login
        return self
