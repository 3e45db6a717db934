"""Configuration. Values come from the environment (prefix ``MEETINGSEC_``) or from
``instance/config.py``; nothing secret is hard-coded."""

from datetime import timedelta


class Config:
    #: SQLite file under instance/ unless MEETINGSEC_SQLALCHEMY_DATABASE_URI is set
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: Seconds a writer waits for SQLite's lock before giving up
    SQLITE_BUSY_TIMEOUT = 15

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    #: A login session ends after this many idle minutes
    SESSION_IDLE_MINUTES = 30
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "meetingsec_session"

    #: Reverse proxies in front of the app (nginx terminating HTTPS): their X-Forwarded-For
    #: and X-Forwarded-Proto are trusted, so lockouts see the tablet's address and cookies
    #: are Secure. 0 when clients connect directly (never trust headers clients could forge).
    PROXY_HOPS = 0

    #: Failed logins in a row before an account is locked on the client address it failed
    #: from (and that address, for every account); the account stays open elsewhere
    LOGIN_MAX_FAILURES = 5
    #: Failed logins, from any addresses, before the account is locked everywhere (the cap
    #: on guesses spread over many addresses; no successful login resets it)
    LOGIN_ACCOUNT_MAX_FAILURES = 50
    LOGIN_LOCK_MINUTES = 15
    PASSWORD_MIN_LENGTH = 12

    #: Argon2id cost; production keeps argon2-cffi's defaults (RFC 9106 low-memory)
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the login session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    #: What a security-seal number looks like (checked after upper-casing)
    SEAL_NUMBER_PATTERN = r"^[A-Z0-9][A-Z0-9./-]{2,39}$"

    #: Background jobs (huey): Redis when set (several app instances), else a SQLite file
    #: (``instance/jobs.sqlite3`` unless HUEY_SQLITE_FILE names another)
    HUEY_REDIS_URL: str | None = None
    HUEY_SQLITE_FILE: str | None = None
    #: Run jobs inside the request instead of the worker (only for tests that say why)
    HUEY_IMMEDIATE = False
    #: Processes that lay one big record out at once. 1 leaves the other cores to the door
    #: (on 2 cores, 2 processes make a 2,000-row sheet 1.2× faster but slow check-ins 3×:
    #: benchmarks/records_bench.py); raise it on a machine with cores to spare.
    RECORD_PROCESSES = 1
    #: The door comes first: a record being laid out pauses while a request to a screen
    #: serving a queue (door, inspections, documents' desks: core.priority) came in during
    #: the last RENDER_QUIET_MS milliseconds, and runs for a second after pausing this long
    RENDER_QUIET_MS = 150
    RENDER_MAX_PAUSE_S = 10
    #: The attendance sheet is laid out in groups of rows while the door works, so the sheet
    #: asked for at closing only joins them: a change at the door (a check-in, a signature,
    #: a deposit, an identity check) queues the work once, this many seconds later
    #: (``records.tasks.prepare_sheet``); the groups laid out are kept under
    #: ``instance/sheet-parts/`` (all meetings together at most SHEET_CACHE_MAX_MB) until the
    #: meeting's records are final
    PREPARE_SHEETS = True
    SHEET_PREPARE_DELAY_S = 5.0
    SHEET_CACHE_MAX_MB = 512

    #: The audit chain's head is signed (a checkpoint) at least this often while events are
    #: written, with the Ed25519 key in this file (``instance/audit-signing.key`` unless set;
    #: made on first use; several app instances must share it, and it belongs in backups)
    AUDIT_CHECKPOINT_SECONDS = 60
    AUDIT_SIGNING_KEY_FILE: str | None = None
    #: The signing key's public half, pinned where the app's user cannot write it (the
    #: deployment's root-owned settings file, ``MEETINGSEC_AUDIT_PUBLIC_KEY``; printed by
    #: ``flask audit public-key``). Checkpoints signed by any other key fail verification.
    #: Unset (a development machine): checked against the key in the instance folder.
    AUDIT_PUBLIC_KEY: str | None = None

    AUDIT_PAGE_SIZE = 50
    ADMIN_PAGE_SIZE = 50


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret-key"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    #: Tests that check in people do not queue the sheet's preparation (those about it do)
    PREPARE_SHEETS = False
