"""The rules engine against the rule table of legal-rules.md, for every combination of
classification, venue and format; and the validation that guards start-up."""

import copy
import json
from datetime import date
from itertools import product

import pytest

from meetingsec.checklists.derived import CHECKS
from meetingsec.legal.choices import Classification, MeetingFormat
from meetingsec.legal.rules import (
    MeetingFacts,
    RulesetError,
    applicable_rules,
    load_rulesets,
    parse_ruleset,
    ruleset_for,
    rulesets,
)

ALWAYS = {
    "approve-use",
    "head-accountable",
    "attendee-list",
    "attendee-control",
    "safe-venue",
    "wired-mic",
    "equip-inspected",
    "seals-intact",
    "protection-plan",
    "attendee-duty",
    "recover-docs",
    "records-made",
}


def expected(classification, at_hq, fmt):
    """The rule table of legal-rules.md §3, written out independently of the data files."""
    ids = set(ALWAYS)
    ids.add("closed-room-hq" if at_hq else "offsite-police-check")
    if fmt in ("online", "mixed"):
        ids.add("online-link")
    if classification in ("toi_mat", "tuyet_mat"):
        ids.add("no-devices")
    if classification == "mat":
        ids.add("mat-devices-chair")
    if classification == "tuyet_mat":
        ids |= {"outside-guards", "tm-attendee-screening"}
    return ids


@pytest.mark.parametrize("regime", ["vn-2020", "vn-2026"])
@pytest.mark.parametrize(
    "classification,at_hq,fmt",
    list(
        product([c.value for c in Classification], [True, False], [f.value for f in MeetingFormat])
    ),
)
def test_applicable_rules_match_the_rule_table(regime, classification, at_hq, fmt):
    facts = MeetingFacts(Classification(classification), at_hq, MeetingFormat(fmt))
    got = {r.id for r in applicable_rules(rulesets()[regime], facts)}
    assert got == expected(classification, at_hq, fmt)


@pytest.mark.parametrize(
    "condition,rule",
    [
        ("recording_planned", "host-recording"),
        ("documents_handed_out", "copy-control"),
        ("devices_deposited", "devices-returned"),
        ("foreign_participation", "foreign-participation"),
        ("multi_day", "room-sealed-overnight"),
    ],
)
def test_conditional_rules(condition, rule):
    base = MeetingFacts(Classification.MAT, True, MeetingFormat.IN_PERSON)
    on = MeetingFacts(Classification.MAT, True, MeetingFormat.IN_PERSON, **{condition: True})
    assert rule not in {r.id for r in applicable_rules(rulesets()["vn-2026"], base)}
    assert rule in {r.id for r in applicable_rules(rulesets()["vn-2026"], on)}


@pytest.mark.parametrize(
    "day,regime",
    [
        (date(2026, 2, 28), "vn-2020"),
        (date(2026, 3, 1), "vn-2026"),
        (date(2020, 7, 1), "vn-2020"),
        (date(2030, 1, 1), "vn-2026"),
    ],
)
def test_regime_in_force_on_the_start_date(day, regime):
    assert ruleset_for(day).id == regime


def test_new_law_citations_are_marked_to_be_checked():
    new = rulesets()["vn-2026"]
    assert all(
        "117/2025/QH15" in r.citation or "63/2026" in r.citation or not r.verified
        for r in new.rules
    )
    assert not any(r.verified for r in new.rules if "117/2025" in r.citation)
    old = rulesets()["vn-2020"]
    assert old.rule("wired-mic").verified and not old.rule("seals-intact").verified


def _raw():
    from meetingsec.legal.rules import RULES_DIR

    return json.loads((RULES_DIR / "vn-2020.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda r: r["rules"][2].pop("phase"), "rule #3: field 'phase' is missing"),
        (
            lambda r: r["rules"][0].update(phase="sometime"),
            "(approve-use): field 'phase': 'sometime' is not one of",
        ),
        (
            lambda r: r["rules"][0].update(check="nonsense"),
            "(approve-use): field 'check' must name a derived check",
        ),
        (
            lambda r: r["rules"][1].update(check="approval_recorded"),
            "(head-accountable): field 'check' is only for derived",
        ),
        (lambda r: r["rules"][0]["text"].pop("en"), "(approve-use): field 'text' needs"),
        (lambda r: r["rules"][0].update(who="emperor"), "(approve-use): field 'who'"),
        (lambda r: r["rules"][0].update(applies={"venue": "moon"}), "applies.venue"),
        (lambda r: r["rules"][1].update(id="approve-use"), "rule ids repeated: approve-use"),
    ],
)
def test_malformed_ruleset_names_rule_and_field(mutate, message):
    raw = copy.deepcopy(_raw())
    mutate(raw)
    with pytest.raises(RulesetError, match=None) as e:
        parse_ruleset(raw, "vn-2020.json", set(CHECKS))
    assert message in str(e.value)


def test_malformed_file_stops_start_up(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(RulesetError, match="broken.json: not valid JSON"):
        load_rulesets(tmp_path)


def test_citations_verified_in_the_official_codification():
    """legal-rules.md §5: the texts read verbatim since the first table."""
    old = rulesets()["vn-2020"]
    for rule_id in ("no-devices", "mat-devices-chair"):
        assert "Luật 29/2018/QH14, Điều 5 khoản 8" in old.rule(rule_id).citation
    assert old.rule("host-recording").verified and old.rule("outside-guards").verified
    assert "thu tin từ bên ngoài" in old.rule("host-recording").text["vi"]
    assert "Điều 6 khoản 3 điểm a" in old.rule("outside-guards").citation
    assert "Nghị định 26/2020/NĐ-CP, Điều 4 khoản 4" in old.rule("recover-docs").citation
    assert "Nghị định 26/2020/NĐ-CP, Điều 4 khoản 7" in old.rule("records-made").citation


def test_the_2026_regime_wording():
    new = rulesets()["vn-2026"]
    assert "cấp phó" in new.rule("approve-use").text["vi"]
    assert "cấp phó" in new.rule("offsite-police-check").text["vi"]
    assert "hoặc quy định khác của pháp luật có liên quan" in new.rule("online-link").text["vi"]
    forms = new.rule("copy-control").citation
    assert forms.startswith("Luật 117/2025/QH15; Nghị định 63/2026/NĐ-CP, phụ lục")
    assert not any(r.verified for r in new.rules)


def test_each_regime_carries_its_own_commitment():
    old, new = rulesets()["vn-2020"].commitment, rulesets()["vn-2026"].commitment
    assert "năm 2018" in old and "26/2020" in old
    assert "117/2025/QH15" in new and "2018" not in new and "26/2020" not in new


def test_the_readme_lists_every_rule_with_its_citation():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The legal rules and their citations", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(" `"): line for line in section.splitlines() if "| `" in line}
    old = rulesets()["vn-2020"]
    assert set(rows) == {r.id for r in old.rules}
    for rule in old.rules:
        verified = "| yes |" if rule.verified else "| no (cần đối chiếu) |"
        assert rule.citation in rows[rule.id] and rows[rule.id].endswith(verified)
