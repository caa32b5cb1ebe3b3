"""What every export and the app's views show of stored audits, built once and in one language.

``build_audit_report`` turns one stored audit into flat rows (one per photo and rule: the layout of the CSV,
the JSON and the Findings sheet), the category lines and the rectification list (整改清单);
``build_comparison`` ranks the halls of a round, with each hall's change since the previous round and the
street x rule matrix that tells systemic failures from local ones. The renderers (pdf, xlsx, flat) and the
app's screens only lay these out, so a number reads the same everywhere.

An audit is always explained with the manual it ran with (kept in the store), not today's manual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from auditor.errors import StoreError
from auditor.i18n import rejected_reason, render_message, t
from auditor.localtime import local_zone
from auditor.manual import Manual
from auditor.store import AuditStore, StoredAudit
from auditor.types import AuditedPhoto, Evidence, Finding, Severity, Verdict

# A rule failing in at least this share of the halls assessed on it (and in two halls or more) is systemic:
# a matter for the manual, supplies or training rather than for one street.
SYSTEMIC_SHARE = 0.5


@dataclass(frozen=True)
class ReportRow:
    """One finding: a rule judged on one photo (photo "" for a rule judged over the whole hall)."""

    finding_id: int | None
    audit_id: int
    hall: str
    round: str
    audit_date: date
    inspector: str
    photo: str
    area: str
    area_name: str
    rule_id: str
    rule_title: str
    category: str
    category_name: str
    severity: str
    severity_name: str
    weight: float
    clause: str
    machine_verdict: str
    override_verdict: str | None
    override_by: str | None
    override_at: datetime | None
    override_comment: str | None
    final_verdict: str
    message: str
    evidence: str


@dataclass(frozen=True)
class CategoryLine:
    category: str
    name: str
    weight: float
    score: float | None
    passed_weight: float
    assessed_weight: float


@dataclass(frozen=True)
class RectificationItem:
    """One failed rule to put right, with every photo it failed on."""

    number: int
    rule_id: str
    rule_title: str
    category_name: str
    severity: str
    severity_name: str
    clause: str
    problem: str
    photos: tuple[str, ...]
    responsible: str
    deadline: date
    status: str  # open, still_failing or rectified (judged by the hall's later audits)
    status_name: str
    checked_in_audit: int | None  # the later audit that decided the status


@dataclass(frozen=True)
class AuditReport:
    lang: str
    audit_id: int
    hall: str
    round: str
    created_at: datetime  # local time
    inspector: str
    manual_title: str
    manual_version: str
    score: float | None
    grade: str
    grade_name: str
    coverage: float
    failed_critical: tuple[tuple[str, str], ...]  # (rule id, title)
    unassessed_critical: tuple[tuple[str, str], ...]
    categories: tuple[CategoryLine, ...]
    rows: tuple[ReportRow, ...]
    rectification: tuple[RectificationItem, ...]
    photos: tuple[AuditedPhoto, ...]
    photo_files: dict[str, Path]  # photo name -> the kept copy, where it still exists
    findings: tuple[Finding, ...]  # with their evidence, for drawing it on the photos
    uncovered_areas: tuple[str, ...]  # area names
    rejected: tuple[tuple[str, str], ...]  # (photo, reason)
    rule_verdicts: dict[str, str]  # rule id -> the audit's verdict on it (pass, fail, not_assessable)
    manual: Manual


def evidence_summary(finding: Finding, manual: Manual, lang: str) -> str:
    """One line naming what decided the verdict: objects with confidence, texts read, lines, counted values."""
    names = {oid: text.get(lang) for oid, text in manual.object_names.items()}
    parts = [_evidence_text(e, names, lang) for e in finding.evidence]
    return "; ".join(p for p in parts if p)


def photo_label(name: str) -> str:
    """A photo's name as reports show it: its folder and file (``window_counter/03.jpg``), not the full path."""
    return "/".join(Path(name).parts[-2:]) if name else name


def _evidence_text(e: Evidence, names: dict[str, str], lang: str) -> str:
    if e.kind == "box":
        label = names.get(e.label, e.label)
        if ":" in e.label:  # a person: role:colour
            role, _, colour = e.label.partition(":")
            label = f"{t('role.' + role, lang)} {t('colour.' + colour, lang) if colour else ''}".strip()
        return f"{label} ({e.value:.2f})" if e.value is not None else label
    if e.kind == "text":
        return f"“{e.text}”" if e.text else ""
    if e.kind == "line":
        colours = "/".join(t(f"colour.{c}", lang) for c in e.label.split("/"))
        return f"{t('label.line', lang)} {colours}"
    if e.kind == "value" and e.value is not None:
        label = e.label.split(":", 1)[-1]
        label = ", ".join(names.get(part, part) for part in label.split(","))
        number = f"{e.value:g}" + (f" {e.unit}" if e.unit else "")
        return f"{label} = {number}"
    return ""


def _rows(stored: StoredAudit, manual: Manual, lang: str, local_date: date) -> tuple[ReportRow, ...]:
    result = stored.result
    rows = []
    for f in result.findings:
        rule = manual.rules_by_id.get(f.rule_id)
        category = manual.categories_by_id.get(rule.category) if rule else None
        o = f.override
        rows.append(ReportRow(
            finding_id=f.id, audit_id=stored.audit_id, hall=result.hall, round=result.round,
            audit_date=local_date, inspector=result.inspector or "", photo=f.photo or "",
            area=f.area.value if f.area else "",
            area_name=t(f"area.{f.area.value}", lang) if f.area else t("label.whole_hall", lang),
            rule_id=f.rule_id, rule_title=rule.title.get(lang) if rule else f.rule_id,
            category=rule.category if rule else "", category_name=category.name.get(lang) if category else "",
            severity=rule.severity.value if rule else "",
            severity_name=t(f"severity.{rule.severity.value}", lang) if rule else "",
            weight=rule.weight if rule else 0.0, clause=rule.clause if rule else "",
            machine_verdict=f.verdict.value, override_verdict=o.verdict.value if o else None,
            override_by=o.by if o else None, override_at=o.at.astimezone(local_zone()) if o else None,
            override_comment=o.comment if o else None, final_verdict=f.final_verdict.value,
            message=render_message(f, manual, lang),
            evidence=evidence_summary(f, manual, lang),
        ))
    return tuple(rows)


def _rechecks(store: AuditStore, stored: StoredAudit) -> dict[str, tuple[int, Verdict]]:
    """Rule id -> (audit id, verdict) of the hall's latest re-check that judged the rule: an audit made after
    this one, in the same round or a later one (an audit filed afterwards for an earlier round is not a
    re-check). A later audit that could not judge a rule (no photo of its area) leaves the earlier word."""
    rounds = store.rounds()
    position = {name: index for index, name in enumerate(rounds)}
    own = position.get(stored.result.round, 0)
    later = [s for s in store.audits_of_hall(stored.result.hall)
             if (s.created_at, s.audit_id) > (stored.created_at, stored.audit_id) and position.get(s.round, own) >= own]
    decided: dict[str, tuple[int, Verdict]] = {}
    for summary in later:  # oldest first: a newer judgement replaces an older one
        for rule_id, verdict in summary.detail.rule_verdicts.items():
            if verdict is not Verdict.NOT_ASSESSABLE:
                decided[rule_id] = (summary.audit_id, verdict)
    return decided


def _rectification(stored: StoredAudit, manual: Manual, lang: str, local_date: date,
                   rechecks: dict[str, tuple[int, Verdict]]) -> tuple[RectificationItem, ...]:
    failed = [rule_id for rule_id, v in stored.result.score.rule_verdicts.items() if v is Verdict.FAIL]
    severity_order = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}
    rules = sorted((manual.rules_by_id[r] for r in failed if r in manual.rules_by_id),
                   key=lambda r: (severity_order[r.severity], r.id))
    items = []
    for number, rule in enumerate(rules, start=1):
        failing = [f for f in stored.result.findings if f.rule_id == rule.id and f.final_verdict is Verdict.FAIL]
        areas = {f.area for f in failing}
        area = next(iter(areas)) if len(areas) == 1 else None
        recheck_id, later = rechecks.get(rule.id, (None, None))
        status = "open" if later is None else "rectified" if later is Verdict.PASS else "still_failing"
        items.append(RectificationItem(
            number=number, rule_id=rule.id, rule_title=rule.title.get(lang),
            category_name=manual.categories_by_id[rule.category].name.get(lang),
            severity=rule.severity.value, severity_name=t(f"severity.{rule.severity.value}", lang),
            clause=rule.clause,
            problem=render_message(failing[0], manual, lang) if failing else rule.message.get(lang),
            photos=tuple(f.photo or t("label.whole_hall", lang) for f in failing),
            responsible=manual.rectification.responsible_for(area).get(lang),
            deadline=local_date + timedelta(days=manual.rectification.deadline_days[rule.severity]),
            status=status, status_name=t(f"status.{status}", lang),
            checked_in_audit=recheck_id,
        ))
    return tuple(items)


def build_audit_report(store: AuditStore, audit_id: int, lang: str = "zh") -> AuditReport:
    """Everything a report of one audit shows. StoreError (naming the id) when there is no such audit."""
    stored = store.load(audit_id)
    manual = stored.manual()
    result, score = stored.result, stored.result.score
    created = stored.created_at.astimezone(local_zone())
    local_date = created.date()

    def titled(rule_ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((r, manual.rules_by_id[r].title.get(lang) if r in manual.rules_by_id else r) for r in rule_ids)

    categories = tuple(
        CategoryLine(category=c.category, name=manual.categories_by_id[c.category].name.get(lang),
                     weight=manual.categories_by_id[c.category].weight, score=c.score,
                     passed_weight=c.passed_weight, assessed_weight=c.assessed_weight)
        for c in score.categories if c.category in manual.categories_by_id)
    files = {p.name: store.photo_path(p.stored_as) for p in result.photos
             if p.stored_as and store.photo_path(p.stored_as).is_file()}
    return AuditReport(
        lang=lang, audit_id=stored.audit_id, hall=result.hall, round=result.round, created_at=created,
        inspector=result.inspector or "", manual_title=manual.title.get(lang), manual_version=manual.version,
        score=score.score, grade=score.grade, grade_name=t(f"grade.{score.grade}", lang), coverage=score.coverage,
        failed_critical=titled(score.failed_critical), unassessed_critical=titled(score.unassessed_critical),
        categories=categories, rows=_rows(stored, manual, lang, local_date),
        rectification=_rectification(stored, manual, lang, local_date, _rechecks(store, stored)),
        photos=result.photos, photo_files=files, findings=result.findings,
        uncovered_areas=tuple(t(f"area.{a.value}", lang) for a in result.uncovered_areas),
        rejected=tuple((r.photo, rejected_reason(r, lang)) for r in result.rejected),
        rule_verdicts={r: v.value for r, v in score.rule_verdicts.items()}, manual=manual,
    )


# -- comparison of a round ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HallRank:
    rank: int
    hall: str
    audit_id: int
    score: float | None
    grade: str
    grade_name: str
    coverage: float
    failed_critical: tuple[str, ...]
    categories: dict[str, float | None]  # category id -> score
    previous_score: float | None
    change: float | None  # score - previous_score, when both exist


@dataclass(frozen=True)
class RuleSpread:
    """One rule across the halls of a round: the row of the street x rule matrix."""

    rule_id: str
    title: str
    category: str
    category_name: str
    severity: str
    verdicts: dict[str, str | None]  # hall -> pass / fail / not_assessable; None: not in that audit's manual
    failed_in: int
    assessed_in: int
    spread: str  # systemic, local or none


@dataclass(frozen=True)
class ComparisonReport:
    lang: str
    round: str
    previous_round: str | None
    halls: tuple[HallRank, ...]
    categories: tuple[CategoryLine, ...]  # the categories of the newest manual; score None (per hall in HallRank)
    rules: tuple[RuleSpread, ...]
    rule_areas: dict[str, tuple[str, ...]]  # rule id -> area ids (for filtering by functional area)
    manual: Manual  # the newest manual among the round's audits: the titles shown


def spread_of(failed_in: int, assessed_in: int) -> str:
    if failed_in == 0:
        return "none"
    if failed_in >= 2 and failed_in >= SYSTEMIC_SHARE * assessed_in:
        return "systemic"
    return "local"


def build_comparison(store: AuditStore, round_name: str, lang: str = "zh",
                     previous_round: str | None = None) -> ComparisonReport:
    """All halls' latest audits of a round, ranked. ``previous_round`` defaults to the round before it."""
    summaries = store.latest_per_hall(round_name)
    if not summaries:
        rounds = store.rounds()
        raise StoreError(f"no audit in round {round_name!r} (rounds in the store: {', '.join(rounds) or 'none'})")
    if previous_round is None:
        previous_round = store.previous_round(round_name)
    previous = {s.hall: s.score for s in store.latest_per_hall(previous_round)} if previous_round else {}
    by_hall = {s.hall: s.detail for s in summaries}
    # Rules and categories as the newest of the audits knew them.
    manual = store.manual_of(max(summaries, key=lambda s: (s.created_at, s.audit_id)).audit_id)
    halls = []
    for rank, s in enumerate(summaries, start=1):
        before = previous.get(s.hall)
        halls.append(HallRank(
            rank=rank, hall=s.hall, audit_id=s.audit_id, score=s.score, grade=s.grade,
            grade_name=t(f"grade.{s.grade}", lang), coverage=s.coverage, failed_critical=s.failed_critical,
            categories={c.category: c.score for c in by_hall[s.hall].categories},
            previous_score=before,
            change=round(s.score - before, 1) if s.score is not None and before is not None else None))
    rules = []
    for rule in manual.rules:
        verdicts: dict[str, str | None] = {}
        for s in summaries:
            verdict = by_hall[s.hall].rule_verdicts.get(rule.id)
            verdicts[s.hall] = verdict.value if verdict is not None else None
        failed = sum(1 for v in verdicts.values() if v == Verdict.FAIL.value)
        assessed = sum(1 for v in verdicts.values() if v in (Verdict.FAIL.value, Verdict.PASS.value))
        rules.append(RuleSpread(
            rule_id=rule.id, title=rule.title.get(lang), category=rule.category,
            category_name=manual.categories_by_id[rule.category].name.get(lang), severity=rule.severity.value,
            verdicts=verdicts, failed_in=failed, assessed_in=assessed, spread=spread_of(failed, assessed)))
    categories = tuple(CategoryLine(category=c.id, name=c.name.get(lang), weight=c.weight, score=None,
                                    passed_weight=0.0, assessed_weight=0.0) for c in manual.categories)
    return ComparisonReport(lang=lang, round=round_name, previous_round=previous_round, halls=tuple(halls),
                            categories=categories, rules=tuple(rules),
                            rule_areas={r.id: tuple(a.value for a in r.areas) for r in manual.rules},
                            manual=manual)
