"""The JSON form of one audit: what ``auditor audit --json`` writes and ``auditor show --json`` prints."""

from __future__ import annotations

from typing import Any

from auditor.i18n import DEFAULT_LANG, render_message
from auditor.manual import Manual
from auditor.types import AuditResult


def audit_to_dict(result: AuditResult, manual: Manual, audit_id: int | None,
                  lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """``manual`` must be the manual the audit ran with (``StoredAudit.manual()`` for a stored one)."""
    score = result.score
    return {
        "audit_id": audit_id,
        "hall": result.hall,
        "round": result.round,
        "inspector": result.inspector,
        "manual_version": result.manual_version,
        "manual_sha256": result.manual_sha256,
        "score": score.score,
        "grade": score.grade,
        "failed_critical": list(score.failed_critical),
        "unassessed_critical": list(score.unassessed_critical),
        "coverage": score.coverage,
        "categories": {c.category: c.score for c in score.categories},
        "rules": {rule_id: verdict.value for rule_id, verdict in score.rule_verdicts.items()},
        "uncovered_areas": [a.value for a in result.uncovered_areas],
        "photos": [p.model_dump(mode="json") for p in result.photos],
        "findings": [
            {
                "rule_id": f.rule_id,
                "title": manual.rules_by_id[f.rule_id].title.get(lang) if f.rule_id in manual.rules_by_id else None,
                "photo": f.photo,
                "area": f.area.value if f.area else None,
                "finding_id": f.id,
                "verdict": f.final_verdict.value,
                "machine_verdict": f.verdict.value,
                "override": f.override.model_dump(mode="json") if f.override else None,
                "message": render_message(f, manual, lang),
                "evidence": [e.model_dump(mode="json", exclude_none=True) for e in f.evidence],
            }
            for f in result.findings
        ],
        "errors": [r.model_dump() for r in result.rejected],
    }
