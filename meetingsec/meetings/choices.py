"""A meeting's kind, classification, format, status and the chair's device decision."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from meetingsec.meetings.lifecycle import STATUS_TITLES, MeetingStatus  # noqa: F401 (re-exported)


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
