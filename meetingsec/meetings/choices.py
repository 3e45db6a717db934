"""A meeting's kind, status and the chair's device decision."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class MeetingKind(StrEnum):
    HOI_NGHI = "hoi_nghi"
    HOI_THAO = "hoi_thao"
    CUOC_HOP = "cuoc_hop"

    @property
    def title(self):
        return {
            "hoi_nghi": _l("Conference (hội nghị)"),
            "hoi_thao": _l("Seminar (hội thảo)"),
            "cuoc_hop": _l("Meeting (cuộc họp)"),
        }[self]


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    PREPARING = "preparing"
    CLEARED = "cleared"
    IN_SESSION = "in_session"
    CLOSING = "closing"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def title(self):
        return STATUS_TITLES[self]


STATUS_TITLES = {
    MeetingStatus.DRAFT: _l("Draft: awaiting approval"),
    MeetingStatus.PREPARING: _l("Preparing"),
    MeetingStatus.CLEARED: _l("Cleared to start"),
    MeetingStatus.IN_SESSION: _l("In session"),
    MeetingStatus.CLOSING: _l("Closing"),
    MeetingStatus.CLOSED: _l("Closed"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}

#: Statuses in which the meeting's details may still change
EDITABLE = (MeetingStatus.DRAFT, MeetingStatus.PREPARING)
#: Statuses from which a meeting may be cancelled (before the session)
CANCELLABLE = (MeetingStatus.DRAFT, MeetingStatus.PREPARING, MeetingStatus.CLEARED)


class DevicePolicy(StrEnum):
    """For a Mật meeting, the chair decides whether attendees keep their devices."""

    ALLOWED = "allowed"
    DEPOSIT = "deposit"

    @property
    def title(self):
        return {
            "allowed": _l("Attendees may keep their devices"),
            "deposit": _l("Devices are deposited at the door"),
        }[self]
