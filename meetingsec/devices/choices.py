"""Kinds of device and the outcomes of checks."""

from dataclasses import dataclass
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

    @property
    def never_passes(self) -> "NeverPasses | None":
        """Why a device of this kind can never pass its inspection, or None."""
        return NEVER_PASSES.get(self)


@dataclass(frozen=True)
class NeverPasses:
    """A kind of device that never passes, why, and the checklist rule that holds it."""

    #: Shown on the device's card and given when a pass is recorded
    reason: object
    #: The error code of the refused pass
    code: str
    #: The rule (legal/rulesets/*.json) whose derived check counts these devices
    rule_id: str


#: The one source of each "never passes" rule. Enforced by ``devices.services.record_inspection``
#: (a pass is refused), ``checklists.derived.no_wireless_microphone`` (rule ``wired-mic``
#: stays unmet) and shown by ``templates/devices/card.html``.
NEVER_PASSES = {
    DeviceKind.WIRELESS_MIC: NeverPasses(
        reason=_l(
            "A wireless microphone can never pass: meetings with state "
            "secrets use wired microphones only (ND 26/2020, Điều 6 "
            "khoản 2 điểm a)."
        ),
        code="wireless_mic",
        rule_id="wired-mic",
    ),
}


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


class DeviceState(StrEnum):
    """Where a meeting's device stands (``MeetingDevice.state``). Every state has a way on:
    a failed or broken-seal device is inspected again, or withdrawn (or replaced) by the
    organiser; an installed one is first uninstalled by a technician."""

    NOT_INSPECTED = "not_inspected"
    FAILED = "failed"
    #: Passed, then a seal check found the seal broken or another number
    SEAL_BROKEN = "seal_broken"
    PASSED = "passed"
    EXEMPT = "exempt"
    WITHDRAWN = "withdrawn"

    @property
    def is_bad(self) -> bool:
        """Shown in red, with what to do next."""
        return self in (DeviceState.FAILED, DeviceState.SEAL_BROKEN)


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
