"""Findings -> scores. One formula, used everywhere (CLI, app, reports). A finding counts with its final
verdict: the inspector's override where there is one, else the machine's.

1. A rule's verdict for the audit. Rules judged on each photo (the default: each window, each desk):
   ``fail`` if it failed on any photo, else ``pass`` if it passed on at least one. Rules judged on any
   photo (``judged_on: any_photo``, e.g. a zone sign that one photo of the area shows): ``pass`` if it
   passed on at least one photo, else ``fail`` if it failed on one. Otherwise ``not_assessable`` (also
   when no photo of its areas was taken).
2. Category score = 100 x (sum of the weights of its passed rules) / (sum of the weights of its assessed
   rules). Not-assessable rules leave both sums. No assessed rule: the category has no score (None).
3. Hall score = the category scores averaged with the categories' weights, over the categories that have
   a score. No category with a score: no hall score. Scores are rounded to one decimal once, at the end;
   the grade is read from the score as shown.
4. Grade from the hall score: >= 90 excellent, >= 80 good, >= 60 pass, else fail. A failed critical rule
   makes the grade ``fail`` whatever the score (the score is still shown).

Coverage (the share of the manual's rule weight that could be assessed) and the critical rules that
could not be assessed are reported beside the score, because a score over few rules says little.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.manual import Manual
from auditor.types import CategoryScore, Finding, Score, Severity, Verdict

GRADE_BANDS: tuple[tuple[float, str], ...] = ((90.0, "excellent"), (80.0, "good"), (60.0, "pass"), (0.0, "fail"))
NO_GRADE = "not_assessable"


def rule_verdicts(manual: Manual, findings: Iterable[Finding]) -> dict[str, Verdict]:
    seen: dict[str, set[Verdict]] = {rule.id: set() for rule in manual.rules}
    for finding in findings:
        seen.setdefault(finding.rule_id, set()).add(finding.final_verdict)
    verdicts = {}
    for rule_id, found in seen.items():
        rule = manual.rules_by_id.get(rule_id)
        decisive = (Verdict.PASS, Verdict.FAIL) if rule is not None and rule.any_photo else (Verdict.FAIL, Verdict.PASS)
        verdicts[rule_id] = next((v for v in decisive if v in found), Verdict.NOT_ASSESSABLE)
    return verdicts


def grade_for(score: float | None, failed_critical: bool) -> str:
    if score is None:
        return NO_GRADE
    if failed_critical:
        return "fail"
    return next(grade for floor, grade in GRADE_BANDS if score >= floor)


def score_audit(manual: Manual, findings: Iterable[Finding]) -> Score:
    verdicts = rule_verdicts(manual, findings)
    categories: list[CategoryScore] = []
    exact: dict[str, float] = {}
    for category in manual.categories:
        passed = assessed = 0.0
        for rule in manual.rules:
            if rule.category != category.id:
                continue
            verdict = verdicts[rule.id]
            if verdict is not Verdict.NOT_ASSESSABLE:
                assessed += rule.weight
                passed += rule.weight if verdict is Verdict.PASS else 0.0
        if assessed:
            exact[category.id] = 100.0 * passed / assessed
        categories.append(CategoryScore(category=category.id,
                                        score=round(exact[category.id], 1) if assessed else None,
                                        passed_weight=passed, assessed_weight=assessed))
    weights = manual.categories_by_id
    total_weight = sum(weights[c].weight for c in exact)
    hall = (round(sum(weights[c].weight * value for c, value in exact.items()) / total_weight, 1)
            if total_weight else None)
    failed_critical = tuple(rule.id for rule in manual.rules
                            if rule.severity is Severity.CRITICAL and verdicts[rule.id] is Verdict.FAIL)
    unassessed_critical = tuple(rule.id for rule in manual.rules
                                if rule.severity is Severity.CRITICAL and verdicts[rule.id] is Verdict.NOT_ASSESSABLE)
    all_weight = sum(rule.weight for rule in manual.rules)
    assessed_weight = sum(rule.weight for rule in manual.rules if verdicts[rule.id] is not Verdict.NOT_ASSESSABLE)
    return Score(score=hall, grade=grade_for(hall, bool(failed_critical)), failed_critical=failed_critical,
                 unassessed_critical=unassessed_critical, coverage=round(assessed_weight / all_weight, 3),
                 categories=tuple(categories), rule_verdicts=verdicts)
