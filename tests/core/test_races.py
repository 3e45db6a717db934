"""Two tablets send the same thing 10 ms apart, against gunicorn's worker processes:
exactly one succeeds, the other is told it was already done, and the database holds it
once. ``benchmarks/races_bench.py`` runs 1,000 rounds of each."""

import pytest
from sqlalchemy import func, select

from tests import races
from tests.conftest import make_app

ROUNDS = 25


@pytest.fixture(scope="module")
def server(databases, tmp_path_factory):
    server = races.Server(databases, tmp_path_factory.mktemp("races"), ROUNDS)
    yield server
    server.stop()


def _stored(server, race: str) -> int:
    """How many times the database holds what the race was about."""
    from meetingsec.audit.services import verify_chain
    from meetingsec.devices.models import Inspection
    from meetingsec.documents.models import DocumentCopy
    from meetingsec.door.models import CheckIn, Deposit
    from meetingsec.extensions import db

    app = make_app(server.url, server.instance)
    with app.app_context():
        count = {
            "check_in": select(func.count()).select_from(CheckIn),
            "return": select(func.count())
            .select_from(Deposit)
            .where(Deposit.returned_at.isnot(None)),
            "recover": select(func.count())
            .select_from(DocumentCopy)
            .where(DocumentCopy.recovered_at.isnot(None)),
            "inspect": select(func.count()).select_from(Inspection),
        }[race]
        n = db.session.scalar(count)
        assert verify_chain().ok
        db.session.remove()
        db.engine.dispose()
    return n


@pytest.mark.parametrize("race", races.RACES)
def test_the_same_scan_on_two_tablets_succeeds_once(server, race):
    before = _stored(server, race)
    results = races.race(server.port, server.plan, race, ROUNDS)
    assert results == {"ok": ROUNDS}
    assert _stored(server, race) - before == ROUNDS
