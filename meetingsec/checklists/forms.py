"""Marking a checklist item; the administrators' citation form."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from meetingsec.core.forms import Form, options, select, text


class ItemForm(Form):
    state = select(
        _l("Mark"),
        choices=options(
            [("done", _l("Done")), ("not_applicable", _l("Not applicable")), ("open", _l("Undo"))]
        ),
    )
    note = text(_l("Note"), max_length=1000, required=False, multiline=True)


class CitationForm(Form):
    citation = text(_l("Citation"), max_length=1000)
    verified = BooleanField(_l("Checked against the text of the law"))
    article_text = text(
        _l("The article's text, as read in the official source"),
        max_length=20000,
        required=False,
        multiline=True,
    )
