"""The one scoring formula (auditor/scoring.py docstring), on a small manual with known weights."""

from __future__ import annotations

import pytest

from auditor.manual import parse_manual
from auditor.scoring import grade_for, rule_verdicts, score_audit
from auditor.types import Area, Finding, Verdict


def _rule(rule_id: str, category: str, weight: float, severity: str = "major", extra: str = "") -> str:
    return f"""
  - id: {rule_id}
    category: {category}
    areas: [window_counter]
    check: object_present
    params: {{objects: [cup]}}
    weight: {weight}
    severity: {severity}
    clause: "x"
    title: {{zh: 标题{rule_id}, en: title {rule_id}}}
    message: {{zh: 问题, en: problem}}{extra}"""


ANY_PHOTO = "\n    judged_on: any_photo"

MANUAL = parse_manual(f"""
version: "score-test"
title: {{zh: 测试, en: test}}
categories:
  - {{id: signage, name: {{zh: 标识, en: Signage}}, weight: 75}}
  - {{id: facilities, name: {{zh: 设施, en: Facilities}}, weight: 25}}
objects:
  - {{id: cup, name: {{zh: 水杯, en: Cup}}}}
rules:{_rule("S-01", "signage", 3)}{_rule("S-02", "signage", 1)}{_rule("F-01", "facilities", 2)}\
{_rule("F-02", "facilities", 2, "critical")}{_rule("S-03", "signage", 1, "minor", ANY_PHOTO)}
""")


def finding(rule_id: str, verdict: str, photo: str = "a.jpg") -> Finding:
    return Finding(rule_id=rule_id, photo=photo, area=Area.WINDOW_COUNTER, verdict=Verdict(verdict),
                   detail_key="detail.test")


def test_rule_fails_when_any_photo_fails() -> None:
    verdicts = rule_verdicts(MANUAL, [finding("S-01", "pass", "a.jpg"), finding("S-01", "fail", "b.jpg"),
                                      finding("S-02", "not_assessable"), finding("S-02", "pass", "b.jpg")])
    assert verdicts["S-01"] is Verdict.FAIL
    assert verdicts["S-02"] is Verdict.PASS
    assert verdicts["F-01"] is Verdict.NOT_ASSESSABLE, "a rule with no photo of its areas is not assessable"


def test_an_any_photo_rule_passes_when_one_photo_shows_it() -> None:
    verdicts = rule_verdicts(MANUAL, [finding("S-03", "fail", "cropped.jpg"), finding("S-03", "pass", "wide.jpg")])
    assert verdicts["S-03"] is Verdict.PASS, "a second, cropped photo of the area must not fail the zone sign"
    assert rule_verdicts(MANUAL, [finding("S-03", "fail"), finding("S-03", "not_assessable", "b.jpg")]
                         )["S-03"] is Verdict.FAIL


def test_weighted_category_and_hall_scores() -> None:
    score = score_audit(MANUAL, [finding("S-01", "pass"), finding("S-02", "fail"), finding("S-03", "not_assessable"),
                                 finding("F-01", "pass"), finding("F-02", "pass")])
    categories = {c.category: c.score for c in score.categories}
    assert categories == {"signage": 75.0, "facilities": 100.0}          # 3/(3+1); 4/4
    assert score.score == pytest.approx((75 * 75.0 + 25 * 100.0) / 100, abs=0.05)  # 81.25
    assert score.grade == "good"
    assert score.failed_critical == ()


def test_not_assessable_rules_leave_the_denominator() -> None:
    score = score_audit(MANUAL, [finding("S-01", "pass"), finding("S-02", "not_assessable"),
                                 finding("F-01", "not_assessable"), finding("F-02", "not_assessable")])
    categories = {c.category: c for c in score.categories}
    assert categories["signage"].score == 100.0 and categories["signage"].assessed_weight == 3
    assert categories["facilities"].score is None
    assert score.score == 100.0, "a category with no assessed rule leaves the hall score's denominator"


def test_coverage_and_unassessed_critical() -> None:
    score = score_audit(MANUAL, [finding("S-01", "pass"), finding("F-01", "fail")])
    assert score.coverage == round((3 + 2) / (3 + 1 + 2 + 2 + 1), 3)
    assert score.unassessed_critical == ("F-02",)


def test_failed_critical_fails_the_audit_whatever_the_score() -> None:
    score = score_audit(MANUAL, [finding("S-01", "pass"), finding("S-02", "pass"), finding("F-01", "pass"),
                                 finding("F-02", "fail")])
    assert score.score == pytest.approx(87.5)
    assert score.failed_critical == ("F-02",)
    assert score.grade == "fail"


def test_nothing_assessable_has_no_score() -> None:
    score = score_audit(MANUAL, [finding("S-01", "not_assessable")])
    assert score.score is None and score.grade == "not_assessable"


@pytest.mark.parametrize(("value", "grade"), [(100, "excellent"), (90, "excellent"), (89.9, "good"), (80, "good"),
                                              (79.9, "pass"), (60, "pass"), (59.9, "fail"), (0, "fail")])
def test_grade_bands(value: float, grade: str) -> None:
    assert grade_for(value, failed_critical=False) == grade
