"""Background jobs (huey): big records render outside the web requests, in a worker
process started beside gunicorn (``flask worker``), so no request waits on a long render.
Door check-ins keep their speed: the worker runs at a lower CPU priority, and lays records
out in child processes that pause while people wait at the door (``records.render``, the
render task itself: ``records.tasks``).

Storage: huey's SQLite storage under ``instance/`` by default (nothing else to run); set
``MEETINGSEC_HUEY_REDIS_URL`` to use Redis when several app instances share the queue.
"""

import os
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from meetingsec.door.models import CheckIn, Deposit, IdentityCheck
from meetingsec.records import render, tasks


def init_app(app: Flask):
    """Make the app's queue and register its tasks; ``app.extensions["huey"]``."""
    immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    url = app.config.get("HUEY_REDIS_URL")
    if url:
        huey = RedisHuey("meetingsec", url=url, immediate=immediate)
    else:
        filename = app.config.get("HUEY_SQLITE_FILE") or os.path.join(
            app.instance_path, "jobs.sqlite3"
        )
        huey = SqliteHuey("meetingsec", filename=filename, immediate=immediate)

    render_record, prepare_sheet = tasks.register(huey, app)

    @huey.periodic_task(crontab(minute="*"), name="checkpoint_audit")
    def checkpoint_audit():
        """Sign the audit chain's head every minute when it has moved."""
        from meetingsec.audit.checkpoints import checkpoint_head
        from meetingsec.extensions import db

        with app.app_context():
            try:
                checkpoint_head()
                db.session.commit()
            finally:
                db.session.remove()

    @huey.periodic_task(crontab(minute="*/5"), name="forget_final_sheets")
    def forget_final_sheets():
        """Drop the attendance sheets' parts laid out ahead for meetings now closed."""
        from meetingsec.extensions import db

        with app.app_context():
            try:
                tasks.forget_final_meetings()
            finally:
                db.session.remove()

    @huey.periodic_task(crontab(hour="4", minute="15"), name="selfcheck")
    def selfcheck():
        """Every day: compare the installed files with the release manifest and record the
        result in the audit log (a failure shows on every administrator's home)."""
        from meetingsec.about.services import run_selfcheck
        from meetingsec.extensions import db

        with app.app_context():
            try:
                run_selfcheck()
                db.session.commit()
            finally:
                db.session.remove()

    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = {
        "render_record": render_record,
        "prepare_sheet": prepare_sheet,
        "checkpoint_audit": checkpoint_audit,
        "selfcheck": selfcheck,
        "forget_final_sheets": forget_final_sheets,
    }
    app.cli.add_command(worker)
    _watch_the_sheet()
    return huey


def enqueue(task: str, *args) -> None:
    """Queue ``task`` (after the request's transaction has committed: the worker must see
    what the request wrote)."""
    current_app.extensions["huey_tasks"][task](*args)


# -- the attendance sheet laid out while the door works -----------------------------------------

#: What the door writes onto the attendance sheet: a change to one queues its preparation
#: (a list changed during the meeting is laid out again when the sheet is asked for)
ON_THE_SHEET = (CheckIn, Deposit, IdentityCheck)
_watching = False
#: This process's last queuing per (queue, meeting): at most one look at the queue per
#: meeting and delay, however fast the door goes
_queued_at: dict[tuple[int, int], float] = {}
#: A preparation waiting longer than this (the worker busy with big records, or stopped) is
#: queued again on the next change
PENDING_FOR_AT_MOST_S = 600


def _watch_the_sheet() -> None:
    """Once per process: every commit that changed what an attendance sheet shows queues
    that meeting's preparation (``sheet_changed``)."""
    global _watching
    if _watching:
        return
    _watching = True

    @event.listens_for(Session, "after_flush")
    def _noted(session, _context):
        changed = session.info.setdefault("sheet_changed", set())
        for obj in (*session.new, *session.dirty):
            if isinstance(obj, ON_THE_SHEET) and obj.meeting_id is not None:
                changed.add(obj.meeting_id)

    @event.listens_for(Session, "after_commit")
    def _committed(session):
        changed = session.info.pop("sheet_changed", None)
        if changed and current_app and current_app.config.get("PREPARE_SHEETS"):
            for meeting_id in changed:
                sheet_changed(meeting_id)

    @event.listens_for(Session, "after_rollback")
    def _rolled_back(session):
        session.info.pop("sheet_changed", None)


def sheet_changed(meeting_id: int) -> bool:
    """Queue the preparation of the meeting's attendance sheet, SHEET_PREPARE_DELAY_S from
    now, unless one is already waiting (one pending per meeting, whichever app instance
    asks: the flag is in the queue's storage). Returns whether it was queued."""
    huey = current_app.extensions["huey"]
    delay = current_app.config["SHEET_PREPARE_DELAY_S"]
    now = time.monotonic()
    seen = (id(huey), meeting_id)
    if now - _queued_at.get(seen, -delay) < delay:
        return False  # queued moments ago: it will read this change too
    _queued_at[seen] = now
    key, at = tasks.pending_key(meeting_id), time.time()
    if not huey.put_if_empty(key, at):
        since = huey.get(key, peek=True)
        if since is not None and at - since < PENDING_FOR_AT_MOST_S:
            return False
        huey.put(key, at)  # a flag left by a job lost with its queue: queued again
    current_app.extensions["huey_tasks"]["prepare_sheet"].schedule((meeting_id,), delay=delay)
    return True


@click.command("worker")
@click.option("--workers", default=1, show_default=True, help="Jobs rendered at once.")
@click.option(
    "--nice",
    default=10,
    show_default=True,
    help="Lower CPU priority (0–19); any value but 0 also asks Linux for its idle class.",
)
@with_appcontext
def worker(workers: int, nice: int):
    """Run the background worker (renders records, signs the audit chain's head every
    minute, checks the installed files every day). Stop it with Ctrl+C or SIGTERM."""
    if nice:
        os.nice(nice)
        if hasattr(os, "SCHED_IDLE"):  # Linux: run only when the web workers leave a core idle
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    render.start_layout_server()
    huey = current_app.extensions["huey"]
    consumer = huey.create_consumer(
        workers=workers, initial_delay=0.1, backoff=1.15, max_delay=0.5, periodic=True
    )
    click.echo(f"meetingsec worker: {workers} worker(s), queue {huey.storage.__class__.__name__}")
    consumer.run()
