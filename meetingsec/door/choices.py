"""What can be deposited at the door."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class DepositKind(StrEnum):
    PHONE = "phone"
    SMARTWATCH = "smartwatch"
    LAPTOP = "laptop"
    TABLET = "tablet"
    RECORDER = "recorder"
    USB = "usb"
    OTHER = "other"

    @property
    def title(self):
        return {
            "phone": _l("Phone"),
            "smartwatch": _l("Smartwatch"),
            "laptop": _l("Laptop"),
            "tablet": _l("Tablet"),
            "recorder": _l("Recorder"),
            "usb": _l("USB stick"),
            "other": _l("Other device"),
        }[self]


#: At most this many items per person at one entry
MAX_ITEMS = 12
