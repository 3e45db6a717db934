"""The roles a user can hold (design.md, "People and what they do")."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    CHAIR = "chair"
    TECHNICIAN = "technician"
    CLERK = "clerk"
    AUDITOR = "auditor"

    @property
    def title(self):
        return ROLE_TITLES[self]

    @property
    def duty(self):
        return ROLE_DUTIES[self]


ROLE_TITLES = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("Organiser"),
    Role.CHAIR: _l("Chair"),
    Role.TECHNICIAN: _l("Police technician"),
    Role.CLERK: _l("Door clerk"),
    Role.AUDITOR: _l("Auditor"),
}

ROLE_DUTIES = {
    Role.ADMIN: _l("Manages units, users and venues."),
    Role.ORGANISER: _l(
        "Creates meetings, keeps the attendee list and documents, tracks the "
        "checklist and closes the meeting out."
    ),
    Role.CHAIR: _l(
        "Approves the use of secret content and the attendee list, decides device "
        "use for Mật meetings, and declares a meeting cleared to start."
    ),
    Role.TECHNICIAN: _l(
        "Checks venues, inspects and seals devices before installation, and "
        "re-checks seals on the day."
    ),
    Role.CLERK: _l(
        "Checks attendees in at the door, takes deposited devices and signatures, "
        "and returns devices at the end."
    ),
    Role.AUDITOR: _l("Reads the audit log, verifies its chain and prints records."),
}

#: Where each role lands after login, in this order of precedence
ROLE_ORDER = [Role.ADMIN, Role.ORGANISER, Role.CHAIR, Role.TECHNICIAN, Role.CLERK, Role.AUDITOR]
