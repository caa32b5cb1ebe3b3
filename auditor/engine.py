"""Run the manual's rules over the facts of an audit's photos: one Finding per applicable rule and photo.

A rule applies only to photos of its functional areas; hall-level rules (scope ``hall``) are judged once
over all photos of their areas. A check that crashes yields ``not_assessable`` naming the error, so one
bad rule cannot sink an audit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from auditor.checks import Analyzer, Outcome, Scope
from auditor.checks.registry import not_assessable
from auditor.manual import Manual, Rule
from auditor.types import Area, Finding, PhotoFacts

log = logging.getLogger(__name__)


def analyzers_for(manual: Manual, area: Area) -> frozenset[Analyzer]:
    """The analyzers some rule of the area needs: the others need not run on its photos."""
    needed: set[Analyzer] = set()
    for rule in manual.rules_for(area):
        needed |= rule.kind.analyzers | rule.params.extra_analyzers()
    return frozenset(needed)


def _run(rule: Rule, subject: PhotoFacts | Sequence[PhotoFacts]) -> Outcome:
    try:
        return rule.kind.run(rule.params, subject)
    except Exception as exc:  # a defect in one check must not lose the whole audit
        log.exception("check %s of rule %s failed", rule.check, rule.id)
        return not_assessable("detail.check_error", error=f"{type(exc).__name__}: {exc}")


def _finding(rule: Rule, outcome: Outcome, photo: str | None, area: Area | None) -> Finding:
    return Finding(rule_id=rule.id, photo=photo, area=area, verdict=outcome.verdict,
                   detail_key=outcome.detail_key, detail_params=outcome.detail_params,
                   evidence=outcome.evidence)


def evaluate(manual: Manual, photos: Sequence[PhotoFacts]) -> list[Finding]:
    findings: list[Finding] = []
    for facts in photos:
        for rule in manual.rules_for(facts.area):
            if rule.scope is Scope.PHOTO:
                findings.append(_finding(rule, _run(rule, facts), facts.photo, facts.area))
    for rule in manual.rules:
        if rule.scope is Scope.HALL:
            # Judged even without a photo of its areas, so the missing photos show as not assessable.
            of_areas = [f for f in photos if f.area in rule.areas]
            findings.append(_finding(rule, _run(rule, of_areas), None, None))
    return findings
