"""The private instance folder, secret key, security headers, and a session cookie that is
Secure over HTTPS."""

import logging
import os
import secrets
from pathlib import Path

from flask import request
from flask.sessions import SecureCookieSessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: What the app's process may give others on what it creates: nothing
PRIVATE_UMASK = 0o077


def make_instance_private(path: str) -> None:
    """The instance folder holds the database, its -wal and -shm, the job queue, the secret
    and signing keys and the TLS key: only the app's user may read any of it.

    The umask makes every file the process creates from now on 0600 and every folder 0700,
    whoever creates it (SQLite, huey, a key, a backup); SQLite gives -wal and -shm the
    database file's mode. A folder an earlier start made readable is closed too, when it
    is ours to change (an administrator's own folder is left as it is, with a warning).
    """
    os.umask(PRIVATE_UMASK)
    folder = Path(path)
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        try:
            folder.chmod(0o700)
        except OSError as err:
            logging.getLogger(__name__).warning(
                "Instance folder %s is readable by other accounts (%s)", folder, err
            )


def load_secret_key(app) -> None:
    """Use the configured key; else the one in instance/secret_key, made on first run."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def security_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype == "text/html":
        h.setdefault("Cache-Control", "no-store")
    return response
