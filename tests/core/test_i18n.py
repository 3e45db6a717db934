"""Every string is in the Vietnamese catalog; dates read as official documents write them."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from meetingsec.core.i18n import date_time, long_date

ROOT = Path(__file__).resolve().parents[2]


def _extracted_ids():
    method_map = [("meetingsec/**.py", "python"), ("meetingsec/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_string_has_a_vietnamese_translation():
    with open(ROOT / "meetingsec/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="vi")
    translated = {}
    for m in catalog:
        if m.id and not m.fuzzy:
            key = m.id if isinstance(m.id, str) else m.id[0]
            text = m.string if isinstance(m.string, str) else m.string[0]
            translated[key] = text
    ids = _extracted_ids()
    assert len(ids) > 100
    missing = sorted(i for i in ids if not translated.get(i))
    assert missing == [], "run `make messages` and translate: " + repr(missing[:10])


@pytest.mark.parametrize(
    "when,vi,en",
    [
        (datetime(2026, 11, 25, 3, 0, tzinfo=UTC), "ngày 25 tháng 11 năm 2026", "25 November 2026"),
        (datetime(2026, 3, 5, 3, 0, tzinfo=UTC), "ngày 05 tháng 3 năm 2026", "5 March 2026"),
        (datetime(2026, 2, 1, 3, 0, tzinfo=UTC), "ngày 01 tháng 02 năm 2026", "1 February 2026"),
        # 18:30 UTC is already the next day in Hà Nội (UTC+7).
        (
            datetime(2026, 11, 24, 18, 30, tzinfo=UTC),
            "ngày 25 tháng 11 năm 2026",
            "25 November 2026",
        ),
    ],
)
def test_long_dates(app, when, vi, en):
    with app.test_request_context():
        with force_locale("vi"):
            assert long_date(when) == vi
        with force_locale("en"):
            assert long_date(when) == en


def test_times_are_shown_in_ho_chi_minh_city_time(app):
    with app.test_request_context(), force_locale("vi"):
        assert (
            date_time(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
            == "01:30, ngày 25 tháng 11 năm 2026"
        )
