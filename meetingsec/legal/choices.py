"""The law's values: the classification levels of state secrets, a meeting's formats the
rules distinguish, and the phases and kinds of a rule, with their translated titles."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Classification(StrEnum):
    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"

    @property
    def title(self):
        return {"mat": _l("Mật"), "toi_mat": _l("Tối mật"), "tuyet_mat": _l("Tuyệt mật")}[self]


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    MIXED = "mixed"

    @property
    def title(self):
        return {
            "in_person": _l("In person"),
            "online": _l("Online"),
            "mixed": _l("In person and online"),
        }[self]


class Phase(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"

    @property
    def title(self):
        return {
            "before": _l("Before the meeting"),
            "during": _l("During the meeting"),
            "after": _l("After the meeting"),
        }[self]


class RuleKind(StrEnum):
    MANUAL = "manual"
    DERIVED = "derived"


#: Conditions a rule can depend on beyond classification, venue and format
CONDITIONS = (
    "recording_planned",
    "documents_handed_out",
    "devices_deposited",
    "foreign_participation",
    "multi_day",
)
