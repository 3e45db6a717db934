"""Rulesets: the legal obligations of a meeting, one JSON file per legal regime
(``rulesets/``), each with the commitment attendees sign at the door under it.

Each file is validated when the app starts (``load_rulesets`` with the names of the derived
checks, ``meetingsec.create_app``); a malformed one stops start-up with a message naming the
file, the rule and the field. Evaluation (``applicable_rules``) is pure: meeting facts in,
the rules that apply out. The meeting, the door and the checklist read them; this package
reads only the users' roles.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from meetingsec.legal.choices import CONDITIONS, Classification, MeetingFormat, Phase, RuleKind
from meetingsec.users.roles import Role

RULES_DIR = Path(__file__).parent / "rulesets"


class RulesetError(Exception):
    """A ruleset file does not describe valid rules."""


@dataclass(frozen=True)
class Applies:
    classifications: frozenset[Classification] = frozenset(Classification)
    #: "hq", "outside" or "any"
    venue: str = "any"
    formats: frozenset[MeetingFormat] = frozenset(MeetingFormat)
    #: One of CONDITIONS, or None when the rule always applies
    when: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    text: dict[str, str]
    citation: str
    verified: bool
    phase: Phase
    kind: RuleKind
    who: Role
    applies: Applies = field(default_factory=Applies)
    #: Name of the derived check (derived rules only)
    check: str | None = None

    def text_for(self, locale: str) -> str:
        return self.text.get(locale) or self.text["vi"]


@dataclass(frozen=True)
class Ruleset:
    id: str
    version: int
    title: dict[str, str]
    in_force_from: date
    in_force_until: date | None
    rules: tuple[Rule, ...]
    #: The default commitment attendees sign at the door under this regime (Vietnamese; an
    #: administrator's own text for the regime replaces it, ``door.commitment``)
    commitment: str
    #: Added to the commitment when foreign parties attend (nothing to a third party)
    commitment_foreign: str

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


@dataclass(frozen=True)
class MeetingFacts:
    """What the rules depend on, taken from a meeting."""

    classification: Classification
    at_hq: bool
    format: MeetingFormat
    recording_planned: bool = False
    documents_handed_out: bool = False
    devices_deposited: bool = False
    foreign_participation: bool = False
    #: The meeting runs over two days or more
    multi_day: bool = False


def applicable_rules(ruleset: Ruleset, facts: MeetingFacts) -> list[Rule]:
    """The rules of ``ruleset`` that apply to a meeting with these facts, in file order."""
    return [r for r in ruleset.rules if _applies(r.applies, facts)]


def _applies(a: Applies, f: MeetingFacts) -> bool:
    venue_ok = a.venue == "any" or (a.venue == "hq") == f.at_hq
    return (
        f.classification in a.classifications
        and venue_ok
        and f.format in a.formats
        and (a.when is None or getattr(f, a.when))
    )


# -- loading and validation ---------------------------------------------------------------


def _enum(cls, value, where):
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise RulesetError(f"{where}: {value!r} is not one of {allowed}") from None


def _parse_rule(raw: dict, where: str, checks: set[str] | None) -> Rule:
    if not isinstance(raw, dict):
        raise RulesetError(f"{where}: a rule must be an object")
    for key in ("id", "text", "citation", "verified", "phase", "kind", "who"):
        if key not in raw:
            raise RulesetError(f"{where}: field '{key}' is missing")
    where = f"{where} ({raw['id']})"
    text = raw["text"]
    if not isinstance(text, dict) or not all(
        isinstance(text.get(k), str) and text[k] for k in ("vi", "en")
    ):
        raise RulesetError(f"{where}: field 'text' needs non-empty 'vi' and 'en'")
    if not isinstance(raw["citation"], str) or not raw["citation"]:
        raise RulesetError(f"{where}: field 'citation' must be a non-empty string")
    if not isinstance(raw["verified"], bool):
        raise RulesetError(f"{where}: field 'verified' must be true or false")
    kind = _enum(RuleKind, raw["kind"], f"{where}: field 'kind'")
    check = raw.get("check")
    if kind is RuleKind.DERIVED and not (check in checks if checks is not None else check):
        raise RulesetError(
            f"{where}: field 'check' must name a derived check ({', '.join(sorted(checks or ()))})"
        )
    if kind is RuleKind.MANUAL and check is not None:
        raise RulesetError(f"{where}: field 'check' is only for derived rules")
    a = raw.get("applies", {})
    if not isinstance(a, dict) or set(a) - {"classifications", "venue", "formats", "when"}:
        raise RulesetError(f"{where}: field 'applies' has unknown keys")
    if a.get("venue", "any") not in ("hq", "outside", "any"):
        raise RulesetError(f"{where}: field 'applies.venue' must be hq, outside or any")
    if a.get("when") is not None and a["when"] not in CONDITIONS:
        raise RulesetError(f"{where}: field 'applies.when' must be one of {', '.join(CONDITIONS)}")
    applies = Applies(
        classifications=frozenset(
            _enum(Classification, c, f"{where}: applies.classifications")
            for c in a.get("classifications", list(Classification))
        ),
        venue=a.get("venue", "any"),
        formats=frozenset(
            _enum(MeetingFormat, m, f"{where}: applies.formats")
            for m in a.get("formats", list(MeetingFormat))
        ),
        when=a.get("when"),
    )
    return Rule(
        id=raw["id"],
        text=text,
        citation=raw["citation"],
        verified=raw["verified"],
        phase=_enum(Phase, raw["phase"], f"{where}: field 'phase'"),
        kind=kind,
        who=_enum(Role, raw["who"], f"{where}: field 'who'"),
        applies=applies,
        check=check,
    )


def parse_ruleset(raw: dict, source: str, checks: set[str] | None = None) -> Ruleset:
    """``checks``: the names a derived rule may give (``checklists.derived.CHECKS``); None
    takes any name (the rules are read again after start-up checked them by name)."""
    texts = ("commitment", "commitment_foreign")
    for key in ("id", "version", "title", "in_force_from", *texts, "rules"):
        if key not in raw:
            raise RulesetError(f"{source}: field '{key}' is missing")
    for key in texts:
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise RulesetError(f"{source}: field '{key}' must be a non-empty string")
    try:
        start = date.fromisoformat(raw["in_force_from"])
        until = date.fromisoformat(raw["in_force_until"]) if raw.get("in_force_until") else None
    except (TypeError, ValueError):
        raise RulesetError(f"{source}: in_force_from/in_force_until must be YYYY-MM-DD") from None
    rules = tuple(
        _parse_rule(r, f"{source}: rule #{i + 1}", checks) for i, r in enumerate(raw["rules"])
    )
    ids = [r.id for r in rules]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise RulesetError(f"{source}: rule ids repeated: {', '.join(sorted(dup))}")
    return Ruleset(
        id=raw["id"],
        version=int(raw["version"]),
        title=raw["title"],
        in_force_from=start,
        in_force_until=until,
        rules=rules,
        commitment=raw["commitment"],
        commitment_foreign=raw["commitment_foreign"],
    )


def load_rulesets(folder: Path = RULES_DIR, checks: set[str] | None = None) -> dict[str, Ruleset]:
    rulesets = {}
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise RulesetError(f"{path.name}: not valid JSON ({e})") from None
        ruleset = parse_ruleset(raw, path.name, checks)
        rulesets[ruleset.id] = ruleset
    if not rulesets:
        raise RulesetError(f"no ruleset in {folder}")
    return rulesets


@cache
def rulesets() -> dict[str, Ruleset]:
    """The rulesets shipped with the app (loaded once; start-up validated them, derived
    checks' names included)."""
    return load_rulesets()


def ruleset_for(day: date) -> Ruleset:
    """The regime in force on ``day`` (the newest one whose period contains it)."""
    candidates = [
        r
        for r in rulesets().values()
        if r.in_force_from <= day and (r.in_force_until is None or day <= r.in_force_until)
    ]
    if not candidates:
        return min(rulesets().values(), key=lambda r: r.in_force_from)
    return max(candidates, key=lambda r: r.in_force_from)
