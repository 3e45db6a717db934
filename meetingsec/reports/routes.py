"""The agency's periodic report (quarter, year): figures on the page, each leading back
to its meetings, and the same report as an official PDF and as .xlsx."""

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.core.auth import roles
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.core.pdf import pdf_response, render_pdf
from meetingsec.core.transactions import commit
from meetingsec.core.views import flash_refusal, form_status, submit
from meetingsec.incidents.choices import IncidentKind
from meetingsec.records.export import file_name
from meetingsec.reports import documents, figures, narrative, services
from meetingsec.reports.forms import NarrativeForm, PeriodForm
from meetingsec.users.roles import Role

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.AUDITOR)
#: Who writes the agency's narrative and generates the report
WRITERS = (Role.ADMIN,)


def _form():
    this_year = local_date(utcnow()).year
    form = PeriodForm(
        request.args,
        years=range(this_year, this_year - 10, -1),
        data={"year": this_year, "period": "year"},
    )
    if request.args and not form.validate():
        return form, None
    return form, figures.Period(form.year.data, form.period.data)


@bp.get("/")
@roles(*READERS)
def index():
    return _page()


def _page(text_form: NarrativeForm | None = None):
    form, period = _form()
    report = figures.report(period) if period else None
    written = narrative.narrative_of(period) if period else None
    if text_form is None:
        text_form = NarrativeForm(formdata=None, data=narrative.texts_of(written))
    figure = request.args.get("figure")
    status = 200 if period else 422
    return render_template(
        "reports/index.html",
        form=form,
        text_form=text_form,
        report=report,
        written=written,
        parts=narrative.asked(report) if report else (),
        can_write=current_user.has_role(Role.ADMIN),
        FIGURES=figures.FIGURES,
        IncidentKind=IncidentKind,
        printed_none=narrative.NONE,  # what the report prints for an empty part
        figure=figure if figure in figures.FIGURE_KEYS else None,
        args={"year": period.year, "period": period.period} if period else {},
    ), (form_status(text_form) if period else status)


@bp.post("/narrative")
@roles(*WRITERS)
def write():
    """Keep the text as a draft, or generate the report ("generate" pressed)."""
    _period_form, period = _form()
    if period is None:
        return _page()
    form = NarrativeForm()
    args = {"year": period.year, "period": period.period}
    generating = "generate" in request.form
    done = submit(
        form,
        lambda: (
            services.generate_report(figures.report(period), form.texts(), actor=current_user)
            if generating
            else services.save_narrative(period, form.texts(), actor=current_user)
        ),
        success=lambda n: (
            _("The report was generated: download it below.")
            if generating
            else _("The draft of the report was saved.")
        ),
        redirect_to=lambda n: url_for("reports.index", **args) + "#narrative",
    )
    return done or _page(form)


def _report_or_422():
    form, period = _form()
    if period is None:
        return None
    return figures.report(period)


@bp.get("/report.pdf")
@roles(*READERS)
def pdf():
    report = _report_or_422()
    if report is None:
        return index()
    written = narrative.narrative_of(report.period)
    if written is None or written.generated_at is None:
        flash_refusal(_("Write the report's text and generate it first."), "report_not_generated")
        p = report.period
        return redirect(url_for("reports.index", year=p.year, period=p.period) + "#narrative", 303)
    template, context = documents.report_context(report, written)
    data = render_pdf(template, **context)
    commit(lambda: documents.log_report(report, actor=current_user, what="pdf"))
    p = report.period
    return pdf_response(data, f"bao-cao-bvbmnn-{p.year}-{p.period}.pdf")


@bp.get("/report.xlsx")
@roles(*READERS)
def xlsx():
    report = _report_or_422()
    if report is None:
        return index()
    data = documents.report_workbook(report)
    commit(lambda: documents.log_report(report, actor=current_user, what="xlsx"))
    p = report.period
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": "attachment; filename="
            + file_name(documents.report_mark(report), f"bao-cao-bvbmnn-{p.year}-{p.period}.xlsx")
        },
    )
