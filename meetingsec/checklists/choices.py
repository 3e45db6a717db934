"""The checklist's own values: phases and kinds of rule, with their translated titles."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


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
