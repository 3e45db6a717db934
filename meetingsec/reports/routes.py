"""The agency's periodic report (quarter, year): figures on the page, each leading back
to its meetings, and the same report as an official PDF and as .xlsx."""

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from meetingsec.core.auth import roles
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.core.pdf import pdf_response, render_pdf
from meetingsec.core.transactions import commit
from meetingsec.records.export import file_name
from meetingsec.reports import documents, figures
from meetingsec.reports.forms import PeriodForm
from meetingsec.users.roles import Role

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.AUDITOR)


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
    form, period = _form()
    report = figures.report(period) if period else None
    figure = request.args.get("figure")
    return render_template(
        "reports/index.html",
        form=form,
        report=report,
        FIGURES=figures.FIGURES,
        figure=figure if figure in figures.FIGURE_KEYS else None,
        args={"year": period.year, "period": period.period} if period else {},
    ), (200 if period else 422)


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
    template, context = documents.report_context(report)
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
