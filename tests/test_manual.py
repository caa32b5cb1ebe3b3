"""Manual validation: golden *.ok.yaml manuals load, every *.fail.yaml is refused with the named problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.checks import CHECK_KINDS
from auditor.errors import ManualError
from auditor.manual import DEFAULT_MANUAL, load_manual, parse_manual
from auditor.types import Area

FIXTURES = Path(__file__).parent / "fixtures" / "manuals"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.ok.yaml")), ids=lambda p: p.name)
def test_ok_manuals_load(path: Path) -> None:
    manual = load_manual(path)
    assert manual.rules and len(manual.sha256) == 64


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.fail.yaml")), ids=lambda p: p.name)
def test_fail_manuals_are_refused_with_file_rule_and_field(path: Path) -> None:
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(ManualError) as caught:
        load_manual(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_all_problems_are_reported_at_once() -> None:
    text = (FIXTURES / "minimal.ok.yaml").read_text(encoding="utf-8")
    broken = text.replace("mode: regex", "mode: fuzy").replace("zone: counter_top", "zones: counter_top")
    with pytest.raises(ManualError) as caught:
        parse_manual(broken, "two-typos.yaml")
    assert len(caught.value.problems) == 2


def test_missing_file_is_a_manual_error(tmp_path: Path) -> None:
    with pytest.raises(ManualError, match="file not found"):
        load_manual(tmp_path / "nope.yaml")


def test_shipped_manual_is_complete() -> None:
    manual = load_manual(DEFAULT_MANUAL)
    assert len(manual.rules) >= 30
    per_category = {c.id: [r for r in manual.rules if r.category == c.id] for c in manual.categories}
    assert set(per_category) == {"signage", "floor_marking", "item_placement", "staff_dress", "facilities"}
    assert all(len(rules) >= 5 for rules in per_category.values())
    assert {r.check for r in manual.rules} == set(CHECK_KINDS), "every check kind is used by the manual"
    assert all(manual.rules_for(area) for area in Area), "every functional area has rules"
    for rule in manual.rules:
        assert rule.title.zh != rule.title.en and rule.message.zh and rule.message.en and rule.clause


def test_manual_identity_follows_its_bytes() -> None:
    text = (FIXTURES / "minimal.ok.yaml").read_text(encoding="utf-8")
    assert parse_manual(text).sha256 == parse_manual(text).sha256
    assert parse_manual(text).sha256 != parse_manual(text + "\n# edited\n").sha256


def test_a_manual_level_problem_does_not_hide_rule_problems() -> None:
    text = (FIXTURES / "minimal.ok.yaml").read_text(encoding="utf-8")
    broken = text.replace("weight: 60", "weight: -5").replace("check: sign_text", "check: sign_txt")
    with pytest.raises(ManualError) as caught:
        parse_manual(broken, "two-levels.yaml")
    joined = "\n".join(caught.value.problems)
    assert "categories.0.weight" in joined and "unknown check kind 'sign_txt'" in joined


def test_duplicate_top_level_rules_key_is_refused_not_merged() -> None:
    text = (FIXTURES / "minimal.ok.yaml").read_text(encoding="utf-8")
    with pytest.raises(ManualError, match="found the key 'rules' twice"):
        parse_manual(text + "rules: []\n", "dup.yaml")


def test_judged_on_any_photo_is_read() -> None:
    text = (FIXTURES / "minimal.ok.yaml").read_text(encoding="utf-8")
    manual = parse_manual(text.replace("    weight: 2", "    weight: 2\n    judged_on: any_photo", 1))
    assert manual.rules_by_id["SIG-01"].any_photo and not manual.rules_by_id["ITM-01"].any_photo
