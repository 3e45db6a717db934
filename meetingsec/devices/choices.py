"""Kinds of device and the outcomes of checks."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class DeviceKind(StrEnum):
    WIRED_MIC = "wired_mic"
    WIRELESS_MIC = "wireless_mic"
    CONFERENCE_UNIT = "conference_unit"
    AMPLIFIER = "amplifier"
    SPEAKER = "speaker"
    PROJECTOR = "projector"
    SCREEN = "screen"
    CAMERA = "camera"
    LAPTOP = "laptop"
    RECORDER = "recorder"
    OTHER = "other"

    @property
    def title(self):
        return KIND_TITLES[self]


KIND_TITLES = {
    DeviceKind.WIRED_MIC: _l("Wired microphone"),
    DeviceKind.WIRELESS_MIC: _l("Wireless microphone"),
    DeviceKind.CONFERENCE_UNIT: _l("Conference unit"),
    DeviceKind.AMPLIFIER: _l("Amplifier or mixer"),
    DeviceKind.SPEAKER: _l("Speaker"),
    DeviceKind.PROJECTOR: _l("Projector"),
    DeviceKind.SCREEN: _l("Screen"),
    DeviceKind.CAMERA: _l("Camera"),
    DeviceKind.LAPTOP: _l("Laptop"),
    DeviceKind.RECORDER: _l("Recorder"),
    DeviceKind.OTHER: _l("Other"),
}


class InspectionResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    #: Equipment supplied by Ban Cơ yếu Chính phủ: exempt from the police inspection
    EXEMPT = "exempt"

    @property
    def title(self):
        return {
            "pass": _l("Passed (đạt)"),
            "fail": _l("Failed (không đạt)"),
            "exempt": _l("Exempt: Ban Cơ yếu equipment"),
        }[self]
