"""Security-seal numbers (tem niêm phong) as scanned or typed: a device's seal, or a
room's (``meetings.room_seals``). Their format is the agency's (``SEAL_NUMBER_PATTERN``)."""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l

from meetingsec.core.errors import DomainError


def normalize_seal(seal: str) -> str:
    return "".join(seal.split()).upper()


def check_seal_format(seal: str, field: str = "seal_number") -> None:
    if not re.fullmatch(current_app.config["SEAL_NUMBER_PATTERN"], seal):
        raise DomainError(_l("This is not a valid seal number."), "bad_seal", field=field)


def parse_seal_number(typed: str, field: str = "seal_number") -> str:
    """A seal's number as scanned or typed, normalised; a clear error when it is not one."""
    number = normalize_seal(typed)
    check_seal_format(number, field)
    return number
