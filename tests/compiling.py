"""What a test run compiles once, as one server process does for all its requests.

Every test builds its own app (its own engine, its own URL map), so every test compiled the
same SQL and the same URL builders again: about a third of the suite's time. Both are pure
functions of what they compile, so the run keeps them across apps. Nothing a request does
changes: the statements, their parameters and the URLs built are the same.
"""

from sqlalchemy.util import LRUCache
from werkzeug.routing import Rule


class SharedCompiledSQL:
    """A compiled-statement cache shared by the engines of one backend.

    SQLAlchemy keys a compiled statement by the dialect *instance* first, so a new engine
    never finds what the previous one compiled. Two dialects of the same class talking to
    the same server compile alike: the key keeps the class, the server's version and the
    parameter style instead.
    """

    def __init__(self, size: int = 20_000):
        self._lru = LRUCache(size)

    @staticmethod
    def _key(key):
        dialect, *rest = key
        return (type(dialect), dialect.server_version_info, dialect.paramstyle, *rest)

    def get(self, key, default=None):
        return self._lru.get(self._key(key), default)

    def __setitem__(self, key, value) -> None:
        self._lru[self._key(key)] = value

    def __len__(self) -> int:
        return len(self._lru)


def share_compiled_sql(db) -> None:
    """Every engine the run's apps make, and every mapper's flush statements, use one
    cache of compiled SQL."""
    shared = SharedCompiledSQL()
    make_engine = db._make_engine

    def _make_engine(bind_key, options, app):
        options = {**options}
        options["execution_options"] = {
            **options.get("execution_options", {}),
            "compiled_cache": shared,
        }
        return make_engine(bind_key, options, app)

    db._make_engine = _make_engine

    from sqlalchemy import event
    from sqlalchemy.orm import Mapper

    @event.listens_for(Mapper, "mapper_configured")
    def _flushes(mapper, class_):
        # the ORM's flush keeps its INSERT/UPDATE/DELETE per mapper, keyed by dialect too
        mapper.__dict__["_compiled_cache"] = SharedCompiledSQL(500)


def share_url_builders() -> None:
    """Werkzeug compiles two Python functions per URL rule each time an app adds the rule
    (~65 ms an app here); a rule's builders depend only on its parsed parts, so the run
    compiles each once."""
    compile_builder = Rule._compile_builder
    built: dict = {}

    def _compile_builder(self, append_unknown=True):
        if self.defaults:  # resolved into the function's text and its arguments
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = _compile_builder
