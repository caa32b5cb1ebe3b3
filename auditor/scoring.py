"""Findings -> scores. One formula, used everywhere (CLI, app, reports):

1. A rule's verdict for the audit: ``fail`` if it failed on any photo, else ``pass`` if it passed on at
   least one, else ``not_assessable`` (also when no photo of its areas was taken).
2. Category score = 100 x (sum of the weights of its passed rules) / (sum of the weights of its assessed
   rules). Not-assessable rules leave both sums. No assessed rule: the category has no score (None).
3. Hall score = the category scores averaged with the categories' weights, over the categories that have
   a score. No category with a score: no hall score.
4. Grade from the hall score: >= 90 excellent, >= 80 good, >= 60 pass, else fail. A failed critical rule
   makes the grade ``fail`` whatever the score (the score is still shown).
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
        seen.setdefault(finding.rule_id, set()).add(finding.verdict)
    verdicts = {}
    for rule_id, found in seen.items():
        if Verdict.FAIL in found:
            verdicts[rule_id] = Verdict.FAIL
        elif Verdict.PASS in found:
            verdicts[rule_id] = Verdict.PASS
        else:
            verdicts[rule_id] = Verdict.NOT_ASSESSABLE
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
    for category in manual.categories:
        passed = assessed = 0.0
        for rule in manual.rules:
            if rule.category != category.id or rule.id not in verdicts:
                continue
            verdict = verdicts[rule.id]
            if verdict is not Verdict.NOT_ASSESSABLE:
                assessed += rule.weight
                passed += rule.weight if verdict is Verdict.PASS else 0.0
        score = round(100.0 * passed / assessed, 1) if assessed else None
        categories.append(CategoryScore(category=category.id, score=score, passed_weight=passed,
                                        assessed_weight=assessed))
    weights = manual.categories_by_id
    scored = [c for c in categories if c.score is not None]
    total_weight = sum(weights[c.category].weight for c in scored)
    hall = (round(sum(weights[c.category].weight * c.score for c in scored) / total_weight, 1)  # type: ignore[operator]
            if total_weight else None)
    failed_critical = tuple(rule.id for rule in manual.rules
                            if rule.severity is Severity.CRITICAL and verdicts.get(rule.id) is Verdict.FAIL)
    return Score(score=hall, grade=grade_for(hall, bool(failed_critical)), failed_critical=failed_critical,
                 categories=tuple(categories), rule_verdicts=verdicts)
