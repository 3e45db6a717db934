"""The test databases themselves: each test's copy is gone after it, so a run of a
thousand tests does not leave a thousand databases for the server to keep and delete."""

import sqlalchemy as sa


def test_a_dropped_test_database_is_gone(databases):
    url = databases.fresh()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    databases.drop(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
    except sa.exc.OperationalError:
        pass  # PostgreSQL: no such database
    else:
        raise AssertionError(f"{url} is still there")
    finally:
        engine.dispose()
