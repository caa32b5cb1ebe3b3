"""An inspector's review of a stored audit: the findings grouped by photo, filtered by verdict with failures
first, each photo drawn with its evidence, and the override of a verdict.

No Streamlit here: the audit screen (views/audit.py) lays these out. An override goes through
``AuditStore.override``, which keeps the machine's verdict, records who and when, refuses a change made
against an outdated view (ConflictError: someone else overrode it meanwhile) and recomputes the score.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from auditor.errors import ConflictError, StoreError
from auditor.i18n import score_text, t
from auditor.localtime import local_zone
from auditor.store import AuditStore
from auditor.types import AuditedPhoto, AuditResult, Finding, Verdict

# Failures first, then what the machine could not judge, then passes.
VERDICT_ORDER: tuple[Verdict, ...] = (Verdict.FAIL, Verdict.NOT_ASSESSABLE, Verdict.PASS)
_RANK = {v: i for i, v in enumerate(VERDICT_ORDER)}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotoFindings:
    """One photo with its findings (photo None: the rules judged over the whole hall)."""

    photo: AuditedPhoto | None
    findings: tuple[Finding, ...]

    @property
    def failures(self) -> int:
        return sum(f.final_verdict == Verdict.FAIL for f in self.findings)


def verdict_counts(findings: Iterable[Finding]) -> dict[Verdict, int]:
    """How many findings have each final verdict (the inspector's where overridden), in VERDICT_ORDER."""
    counts = dict.fromkeys(VERDICT_ORDER, 0)
    for finding in findings:
        counts[finding.final_verdict] += 1
    return counts


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (_RANK[f.final_verdict], f.rule_id)))


def group_by_photo(result: AuditResult, verdicts: Collection[Verdict] = VERDICT_ORDER) -> list[PhotoFindings]:
    """The findings with a final verdict in ``verdicts``, by photo (None: the rules judged over the whole hall),
    the groups with the most failures first (photos in upload order among equals, the whole hall after them),
    each group's findings failures first. A photo with no finding left is kept only when every verdict is
    wanted (so an unfiltered review shows every photo)."""
    wanted = set(verdicts)
    everything = wanted >= set(VERDICT_ORDER)
    by_name: dict[str | None, list[Finding]] = {}
    for finding in result.findings:
        if finding.final_verdict in wanted:
            by_name.setdefault(finding.photo, []).append(finding)
    groups = [PhotoFindings(p, sort_findings(by_name.get(p.name, ()))) for p in result.photos]
    groups = [g for g in groups if g.findings or everything]
    if by_name.get(None):
        groups.append(PhotoFindings(None, sort_findings(by_name[None])))
    return sorted(groups, key=lambda g: -g.failures)  # stable: upload order among equals, the whole hall last


@dataclass(frozen=True)
class OverrideOutcome:
    """What became of an override: saved (with the score before and after) or refused, as a translation key and
    its parameters (a ``verdict`` or ``grade`` parameter is an id, translated by ``text``)."""

    saved: bool
    key: str
    params: dict[str, str] = field(default_factory=dict)
    score_before: float | None = None
    score_after: float | None = None

    def text(self, lang: str) -> str:
        """The outcome in the reader's language, every part of it (verdicts and grades included)."""
        params = dict(self.params)
        if "verdict" in params:
            params["verdict"] = t(f"verdict.{params['verdict']}", lang)
        if "grade" in params:
            params["grade"] = t(f"grade.{params['grade']}", lang)
        return t(self.key, lang, **params)


def conflict_outcome(exc: ConflictError) -> OverrideOutcome:
    """The refusal of an override made against an outdated view: who changed the verdict, when (local time),
    to what and why; a true race (both saved at the same moment) is told without them."""
    if exc.by is None or exc.at is None:
        return OverrideOutcome(False, "review.conflict_race")
    verdict = exc.verdict if exc.verdict in {v.value for v in Verdict} else Verdict.NOT_ASSESSABLE.value
    return OverrideOutcome(False, "review.conflict", {
        "by": exc.by, "at": f"{exc.at.astimezone(local_zone()):%Y-%m-%d %H:%M}", "verdict": verdict,
        "comment": exc.comment or "—"})


def apply_override(store: AuditStore, finding_id: int, verdict: Verdict, comment: str, by: str,
                   expected_sequence: int, score_before: float | None) -> OverrideOutcome:
    """Record the inspector's verdict on a finding, against the override sequence the inspector was shown
    (0: none). Nothing is overwritten: when someone else overrode it meanwhile the outcome says who, when, what
    and why (``review.conflict``) and the store is unchanged. Every refusal is a translation key: no store
    message in English reaches the reader (the English detail is kept for the English text and the log)."""
    if not by.strip():
        return OverrideOutcome(False, "review.need_name")
    if not comment.strip():
        return OverrideOutcome(False, "review.need_comment")
    try:
        score = store.override(finding_id, Verdict(verdict), comment, by, expected_sequence=expected_sequence)
    except ConflictError as exc:
        return conflict_outcome(exc)
    except StoreError as exc:
        log.warning("override of finding %s not saved: %s", finding_id, exc)
        return OverrideOutcome(False, "review.failed", {"detail": str(exc)})
    params = {"before": score_text(score_before), "after": score_text(score.score), "grade": score.grade}
    return OverrideOutcome(True, "review.saved", params, score_before=score_before, score_after=score.score)
