"""A meeting's kind and the chair's device decision; its classification and format are the
law's (``legal.choices``), its status the lifecycle's (``meetings.lifecycle``)."""

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
