"""meetingsec: securing meetings that carry state secrets, on an agency's closed LAN."""

import os
from functools import partial
from pathlib import Path

from flask import Flask, request
from htmx_flask import Htmx

from meetingsec.config import Config


def create_app(
    config_class: type[Config] = Config, *, instance_path: str | None = None, **overrides
) -> Flask:
    """Build the app. ``overrides`` win over the environment and ``instance/config.py``."""
    instance_path = instance_path or os.environ.get("MEETINGSEC_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    from meetingsec.core.views import IdConverter

    app.url_map.converters["int"] = IdConverter
    app.config.from_object(config_class)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("MEETINGSEC")
    app.config.update(overrides)
    from meetingsec.core import security

    security.make_instance_private(app.instance_path)  # before anything is written there
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{os.path.join(app.instance_path, 'meetingsec.db')}"
        )

    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    import meetingsec.models  # noqa: F401  (every table on the metadata)
    from meetingsec.checklists.derived import CHECKS
    from meetingsec.legal.rules import load_rulesets

    # a malformed ruleset stops start-up here, naming the rule and field (a derived rule
    # names one of the checklist's checks)
    load_rulesets(checks=set(CHECKS))
    security.load_secret_key(app)
    app.session_interface = security.SessionInterface()

    _init_extensions(app)
    _register_blueprints(app)
    from meetingsec import jobs

    jobs.init_app(app)

    from meetingsec.core.errors import register_error_handlers
    from meetingsec.core.i18n import register_filters

    register_error_handlers(app)
    register_filters(app)
    _template_globals(app)
    from meetingsec.audit import labels
    from meetingsec.meetings.lifecycle import STATUS_TITLES

    # the log names the meeting's statuses by their titles (the audit package is below them)
    statuses = {s.value: title for s, title in STATUS_TITLES.items()}
    app.jinja_env.filters["payload_summary"] = partial(
        labels.payload_summary, values={"status": statuses}
    )
    app.jinja_env.filters["action_label"] = labels.action_label
    app.jinja_env.filters["object_label"] = labels.object_label
    return app


def _init_extensions(app: Flask) -> None:
    from meetingsec.core import auth, htmx, priority, security
    from meetingsec.core.db import configure_sqlite, set_write_intent
    from meetingsec.core.i18n import install_translations, select_locale
    from meetingsec.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_translations(app, babel)
    Htmx(app)

    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are server-side rows (users.services)

    @app.before_request
    def _write_intent():
        # First of all: decides how this request's transactions begin (see core.db)
        view = app.view_functions.get(request.endpoint or "")
        reads = request.method in ("GET", "HEAD", "OPTIONS") or hasattr(view, "reads_first")
        set_write_intent(not reads)

    @login_manager.user_loader
    def _load_user(token: str):
        from meetingsec.users.services import load_session

        user = load_session(token)
        if db.session.info.pop("login_session_written", False):
            db.session.commit()  # an idle session ended, or last_seen_at moved
        return user

    @app.before_request
    def _in_use():
        if priority.pauses_renders(app.view_functions.get(request.endpoint or "")):
            priority.note_request()  # people wait: records being laid out pause (core.priority)

    @app.before_request
    def _access():
        return auth.enforce_access()

    @app.after_request
    def _headers(response):
        htmx.add_vary(response)
        return security.security_headers(response)

    @app.context_processor
    def _globals():
        from flask_babel import get_locale
        from flask_login import current_user

        from meetingsec.users.forms import LanguageForm
        from meetingsec.users.queries import load_signed_in

        load_signed_in(current_user._get_current_object())
        return {
            "current_locale": str(get_locale()),
            "language_form": lambda: LanguageForm(formdata=None, next=request.full_path),
        }


def _template_globals(app: Flask) -> None:
    """The enums templates use to show titles and compare states."""
    from meetingsec.core.codes import display
    from meetingsec.core.htmx import layout
    from meetingsec.core.i18n import official_date
    from meetingsec.devices.choices import DeviceKind, InspectionResult
    from meetingsec.devices.qr import qr_svg
    from meetingsec.door.choices import DepositKind
    from meetingsec.legal.choices import Classification, MeetingFormat, Phase
    from meetingsec.meetings.choices import DevicePolicy, MeetingKind
    from meetingsec.meetings.lifecycle import MeetingStatus
    from meetingsec.org.choices import FunctionalBody
    from meetingsec.records.choices import JobState, RecordKind
    from meetingsec.users.roles import Role

    app.jinja_env.globals["layout"] = layout
    app.jinja_env.filters["tag"] = display
    app.jinja_env.filters["official_date"] = official_date
    app.jinja_env.globals.update(
        qr_svg=qr_svg,
        DeviceKind=DeviceKind,
        InspectionResult=InspectionResult,
        DepositKind=DepositKind,
        Role=Role,
        Classification=Classification,
        MeetingFormat=MeetingFormat,
        Phase=Phase,
        DevicePolicy=DevicePolicy,
        MeetingKind=MeetingKind,
        MeetingStatus=MeetingStatus,
        RecordKind=RecordKind,
        JobState=JobState,
        FunctionalBody=FunctionalBody,
    )


def _register_blueprints(app: Flask) -> None:
    from meetingsec.about.cli import about_command, selfcheck_command
    from meetingsec.about.routes import bp as about_bp
    from meetingsec.attendees.routes import bp as attendees_bp
    from meetingsec.audit.cli import audit_cli
    from meetingsec.audit.routes import bp as audit_bp
    from meetingsec.backup import backup_command, restore_command
    from meetingsec.checklists.routes import bp as checklists_bp
    from meetingsec.devices.routes import bp as devices_bp
    from meetingsec.documents.routes import bp as documents_bp
    from meetingsec.door.routes import bp as door_bp
    from meetingsec.home.routes import bp as home_bp
    from meetingsec.meetings.routes import bp as meetings_bp
    from meetingsec.org.routes import bp as org_bp
    from meetingsec.records.routes import bp as records_bp
    from meetingsec.reports.routes import bp as reports_bp
    from meetingsec.tls.cli import tls_cli
    from meetingsec.tls.routes import bp as tls_bp
    from meetingsec.users.cli import demo_accounts, seed_demo, users_cli
    from meetingsec.users.routes import bp as users_bp

    for bp in (
        home_bp,
        users_bp,
        org_bp,
        audit_bp,
        meetings_bp,
        checklists_bp,
        devices_bp,
        attendees_bp,
        door_bp,
        documents_bp,
        records_bp,
        reports_bp,
        tls_bp,
        about_bp,
    ):
        app.register_blueprint(bp)
    for command in (
        audit_cli,
        users_cli,
        seed_demo,
        demo_accounts,
        tls_cli,
        backup_command,
        restore_command,
        about_command,
        selfcheck_command,
    ):
        app.cli.add_command(command)
