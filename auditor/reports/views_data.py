"""Tables the app's compare, hall and manual screens draw, shaped from the report model (no Streamlit here).

Each function returns a pandas DataFrame with plain column ids (the screens label them in the reader's
language) and texts already in that language, so the screens only lay them out and chart them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

import pandas as pd
from PIL import UnidentifiedImageError

from auditor.annotate import VERDICT_COLOURS as VERDICT_RGB
from auditor.annotate import faces_hidden_thumbnail, upright_thumbnail
from auditor.checks import Analyzer
from auditor.errors import AuditorError, DetectorConfigError
from auditor.i18n import score_text, t
from auditor.localtime import local_zone
from auditor.manual import Manual, Rule
from auditor.reports.model import AuditReport, ComparisonReport, RuleSpread, photo_label
from auditor.store import AuditStore, HallSummary
from auditor.types import Finding

# One palette for every screen: a verdict reads the same colour in the matrix, the findings, the charts and the
# evidence drawn on the photos (auditor.annotate's colours, as the hex the charts take).
VERDICT_COLOURS: dict[str, str] = {v.value: "#{:02x}{:02x}{:02x}".format(*rgb) for v, rgb in VERDICT_RGB.items()}
NOT_IN_MANUAL = "not_in_manual"  # a rule the manual of that hall's audit did not have
NOT_IN_MANUAL_COLOUR = "#e6e6e6"
SPREAD_COLOURS: dict[str, str] = {"systemic": VERDICT_COLOURS["fail"], "local": "#f2a93b", "none": "#c8c8c8"}
CATEGORY_COLOUR = "#4c78a8"  # bars of category scores
SPREAD_ORDER = ("systemic", "local", "none")
VERDICT_ORDER = ("fail", "not_assessable", "pass")
ANALYZER_ORDER = (Analyzer.OBJECTS, Analyzer.TEXTS, Analyzer.FLOOR_LINES, Analyzer.PERSONS)


def heading(text: str) -> str:
    """A table label used as a heading: capitalised in English (no change to Chinese)."""
    return text[:1].upper() + text[1:]


# -- rounds and audits ----------------------------------------------------------------------------------------
def latest_round(store: AuditStore) -> str | None:
    rounds = store.rounds()  # in the order they were audited
    return rounds[-1] if rounds else None


def _in_round_order(audits: Iterable[HallSummary], rounds: Sequence[str]) -> list[HallSummary]:
    """Audits by round (in the store's order of ``rounds``), then by when they were made."""
    position = {name: index for index, name in enumerate(rounds)}
    return sorted(audits, key=lambda a: (position.get(a.round, len(position)), a.created_at, a.audit_id))


def latest_per_round(audits: Iterable[HallSummary], rounds: Sequence[str]) -> list[HallSummary]:
    """A hall's latest audit of each round, the rounds in the order they were audited (``rounds``: the
    store's ``rounds()``): one point per round of its trend."""
    latest: dict[str, HallSummary] = {}
    for audit in sorted(audits, key=lambda a: (a.created_at, a.audit_id)):
        latest[audit.round] = audit
    return _in_round_order(latest.values(), rounds)


def previous_audit(audits: Iterable[HallSummary], audit_id: int, rounds: Sequence[str]) -> HallSummary | None:
    """The hall's audit before ``audit_id``: an earlier one of the same round, else its latest audit of an
    earlier round (rounds in the store's order, so an audit filed late for an earlier round is not taken for
    the one before a later round's audit)."""
    ordered = _in_round_order(audits, rounds)
    index = next((i for i, a in enumerate(ordered) if a.audit_id == audit_id), 0)
    return ordered[index - 1] if index > 0 else None


def audits_newest_first(audits: Iterable[HallSummary], rounds: Sequence[str]) -> list[HallSummary]:
    """A hall's audits, the latest round's latest audit first."""
    return list(reversed(_in_round_order(audits, rounds)))


def trend_frame(audits: Iterable[HallSummary], lang: str, rounds: Sequence[str]) -> pd.DataFrame:
    """Score per round of one hall (its latest audit in each round), the rounds in the order they were
    audited, each dated in the bureau's time zone."""
    zone = local_zone()
    rows = [{"round": a.round, "score": a.score, "grade": t(f"grade.{a.grade}", lang), "audit_id": a.audit_id,
             "date": a.created_at.astimezone(zone).date().isoformat()} for a in latest_per_round(audits, rounds)]
    return pd.DataFrame(rows, columns=["round", "score", "grade", "audit_id", "date"])


def round_signature(store: AuditStore, round_name: str) -> tuple:
    """What a round's comparison is built from: the latest audit of each hall in the round and in the previous
    round (the store's), with their revisions (``AuditStore.revision``). Anything built from the comparison is
    out of date when it changes: a new audit, a re-check, or an override, even one that moves no score."""
    previous = store.previous_round(round_name)
    rounds = [round_name] + ([previous] if previous else [])
    latest = [(r, s.audit_id) for r in rounds for s in store.latest_per_hall(r)]
    revisions = store.revisions([audit_id for _, audit_id in latest])
    return tuple((r, audit_id, revisions[audit_id]) for r, audit_id in latest)


# -- the comparison of a round ----------------------------------------------------------------------------------
def ranking_frame(report: ComparisonReport) -> pd.DataFrame:
    """One row per hall, best first: what the ranking table shows."""
    rows = [{"rank": h.rank, "hall": h.hall, "score": h.score, "grade": h.grade_name, "grade_id": h.grade,
             "coverage": h.coverage, "failed_critical": len(h.failed_critical), "previous_score": h.previous_score,
             "change": h.change, "audit_id": h.audit_id} for h in report.halls]
    return pd.DataFrame(rows, columns=["rank", "hall", "score", "grade", "grade_id", "coverage", "failed_critical",
                                       "previous_score", "change", "audit_id"])


def mean_change(report: ComparisonReport) -> float | None:
    """The average change of the halls scored in both rounds; None when no hall was."""
    changes = [h.change for h in report.halls if h.change is not None]
    return round(sum(changes) / len(changes), 1) if changes else None


def mean_score(report: ComparisonReport) -> float | None:
    scores = [h.score for h in report.halls if h.score is not None]
    return round(sum(scores) / len(scores), 1) if scores else None


def category_frame(report: ComparisonReport, categories: Collection[str] | None = None) -> pd.DataFrame:
    """Long format: one row per hall and category (of the filter, in the manual's order)."""
    wanted = [c for c in report.categories if not categories or c.category in categories]
    rows = [{"rank": h.rank, "hall": h.hall, "category": c.category, "category_name": c.name,
             "score": h.categories.get(c.category)}
            for c in wanted for h in report.halls]
    return pd.DataFrame(rows, columns=["rank", "hall", "category", "category_name", "score"])


def category_table(report: ComparisonReport, categories: Collection[str] | None = None) -> pd.DataFrame:
    """Wide format: one row per hall (ranked), one column per category name, then the hall score."""
    long = category_frame(report, categories)
    names = [c.name for c in report.categories if not categories or c.category in categories]
    table = pd.DataFrame({"hall": [h.hall for h in report.halls]})
    for name in names:
        scores = long[long["category_name"] == name].set_index("hall")["score"]
        table[name] = [scores.get(h.hall) for h in report.halls]
    table["score"] = [h.score for h in report.halls]
    return table


def filter_rules(report: ComparisonReport, categories: Collection[str] | None = None,
                 areas: Collection[str] | None = None) -> list[RuleSpread]:
    """The rules of the filters, systemic failures first, then local ones, then the rest; within each, the
    rules failing in most halls first, then those assessed in most halls, then the manual's order."""
    position = {r.rule_id: i for i, r in enumerate(report.rules)}
    chosen = [r for r in report.rules
              if (not categories or r.category in categories)
              and (not areas or set(report.rule_areas.get(r.rule_id, ())) & set(areas))]
    return sorted(chosen, key=lambda r: (SPREAD_ORDER.index(r.spread), -r.failed_in, -r.assessed_in,
                                         position[r.rule_id]))


def rule_label(rule: RuleSpread) -> str:
    return f"{rule.rule_id} {rule.title}"


def matrix_frame(report: ComparisonReport, rules: list[RuleSpread], lang: str) -> pd.DataFrame:
    """Long format of the street x rule matrix: one row per rule and hall, in the order of ``rules``."""
    rows = []
    for order, rule in enumerate(rules):
        for hall in report.halls:
            verdict = rule.verdicts.get(hall.hall) or NOT_IN_MANUAL
            rows.append({
                "order": order, "rule_id": rule.rule_id, "rule": rule_label(rule), "category": rule.category_name,
                "hall": hall.hall, "rank": hall.rank, "verdict": verdict, "verdict_name": verdict_name(verdict, lang),
                "spread": rule.spread, "spread_name": t(f"spread.{rule.spread}", lang),
                "failed_in": rule.failed_in, "assessed_in": rule.assessed_in,
                "severity": t(f"severity.{rule.severity}", lang)})
    return pd.DataFrame(rows, columns=["order", "rule_id", "rule", "category", "hall", "rank", "verdict",
                                       "verdict_name", "spread", "spread_name", "failed_in", "assessed_in",
                                       "severity"])


def spread_frame(rules: list[RuleSpread], lang: str) -> pd.DataFrame:
    """One row per rule (in the order of ``rules``): in how many halls it failed, and whether that is systemic."""
    rows = [{"order": order, "rule_id": r.rule_id, "rule": rule_label(r), "category": r.category_name,
             "severity": t(f"severity.{r.severity}", lang), "failed_in": r.failed_in, "assessed_in": r.assessed_in,
             "spread": r.spread, "spread_name": t(f"spread.{r.spread}", lang),
             "failed_halls": "、".join(h for h, v in r.verdicts.items() if v == "fail") if lang == "zh"
             else ", ".join(h for h, v in r.verdicts.items() if v == "fail")}
            for order, r in enumerate(rules)]
    return pd.DataFrame(rows, columns=["order", "rule_id", "rule", "category", "severity", "failed_in",
                                       "assessed_in", "spread", "spread_name", "failed_halls"])


def verdict_name(verdict: str, lang: str) -> str:
    return t("app.not_in_manual", lang) if verdict == NOT_IN_MANUAL else t(f"verdict.{verdict}", lang)


def verdict_legend(lang: str, with_missing: bool = False) -> tuple[list[str], list[str]]:
    """(names, colours) for a chart's colour scale: pass, fail, not assessable (and not in the manual)."""
    verdicts = ["pass", "fail", "not_assessable"] + ([NOT_IN_MANUAL] if with_missing else [])
    colours = [VERDICT_COLOURS.get(v, NOT_IN_MANUAL_COLOUR) for v in verdicts]
    return [verdict_name(v, lang) for v in verdicts], colours


# -- one hall's audit -------------------------------------------------------------------------------------------
def category_bars(report: AuditReport) -> pd.DataFrame:
    """A row per category: its score, weight, and the bar's label (the score, or "not assessable" in the
    report's language where nothing of the category could be judged)."""
    rows = [{"category": c.category, "category_name": c.name, "score": c.score, "weight": c.weight,
             "label": score_text(c.score) if c.score is not None else t("grade.not_assessable", report.lang)}
            for c in report.categories]
    return pd.DataFrame(rows, columns=["category", "category_name", "score", "weight", "label"])


def findings_frame(report: AuditReport, verdicts: Collection[str] | None = None,
                   thumbnails: dict[str, str | None] | None = None, failed_rules_only: bool = False) -> pd.DataFrame:
    """The audit's findings (of the verdicts asked, all when none), failures first, with the photo's thumbnail
    (a data URI from ``thumbnails``, keyed by photo name) beside each. ``failed_rules_only`` keeps the findings
    of the rules the audit failed: not a photo failing a rule that another photo satisfied (``any_photo``)."""
    thumbnails = thumbnails or {}
    rows = [r for r in report.rows if (not verdicts or r.final_verdict in verdicts)
            and (not failed_rules_only or report.rule_verdicts.get(r.rule_id) == "fail")]
    rows.sort(key=lambda r: (VERDICT_ORDER.index(r.final_verdict) if r.final_verdict in VERDICT_ORDER else 9,
                             r.rule_id, r.photo))
    data = [{"thumbnail": thumbnails.get(r.photo), "photo": photo_name(r.photo, report.lang), "area": r.area_name,
             "where": f"{r.area_name} · {photo_label(r.photo)}" if r.photo else r.area_name,
             "rule_id": r.rule_id, "title": r.rule_title, "rule": f"{r.rule_id} {r.rule_title}", "clause": r.clause,
             "severity": r.severity_name, "verdict": verdict_name(r.final_verdict, report.lang),
             "verdict_id": r.final_verdict, "overridden": r.override_verdict is not None, "message": r.message,
             "evidence": r.evidence}
            for r in rows]
    return pd.DataFrame(data, columns=["thumbnail", "photo", "area", "where", "rule_id", "title", "rule", "clause",
                                       "severity", "verdict", "verdict_id", "overridden", "message", "evidence"])


def photo_name(name: str, lang: str) -> str:
    return photo_label(name) if name else t("label.whole_hall", lang)


def verdict_counts(report: AuditReport) -> dict[str, int]:
    """How many rules the audit passed, failed and could not assess (rule verdicts, not photos)."""
    counts = dict.fromkeys(VERDICT_COLOURS, 0)
    for verdict in report.rule_verdicts.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    return counts


def rectification_frame(report: AuditReport) -> pd.DataFrame:
    rows = [{"number": i.number, "rule_id": i.rule_id, "title": i.rule_title, "severity": i.severity_name,
             "clause": i.clause, "problem": i.problem, "responsible": i.responsible,
             "deadline": i.deadline.isoformat(), "status": i.status_name} for i in report.rectification]
    return pd.DataFrame(rows, columns=["number", "rule_id", "title", "severity", "clause", "problem", "responsible",
                                       "deadline", "status"])


def thumbnail_data_uri(path: str | Path, max_side: int = 160, quality: int = 70, show_faces: bool = False,
                       findings: Iterable[Finding] = (), photo: str | None = None) -> str | None:
    """A small JPEG of the photo (upright) as a data URI for a table cell, citizens' faces blurred unless
    ``show_faces`` (with the heads of the persons the audit found on ``photo``: ``findings``' evidence);
    None when it cannot be read. Without the face model it raises DetectorConfigError: no thumbnail leaves
    with its faces unlooked-at."""
    try:
        image = (upright_thumbnail(path, max_side) if show_faces
                 else faces_hidden_thumbnail(path, max_side, findings, photo))
    except DetectorConfigError:
        raise
    except (AuditorError, OSError, UnidentifiedImageError, ValueError):
        return None
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# -- the manual -------------------------------------------------------------------------------------------------
def evidence_of(rule: Rule) -> tuple[Analyzer, ...]:
    """The analyzers the rule's check looks at (its kind's and any its parameters add), in a fixed order."""
    used = set(rule.kind.analyzers) | set(rule.params.extra_analyzers())
    return tuple(a for a in ANALYZER_ORDER if a in used)


def evidence_words(rule: Rule, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"analyzer.{a.value}", lang) for a in evidence_of(rule))


def manual_frame(manual: Manual, lang: str, categories: Collection[str] | None = None,
                 areas: Collection[str] | None = None, search: str = "") -> pd.DataFrame:
    """The manual's rules (of the filters), in the manual's order. ``search`` matches the id, the title (either
    language), the clause and the message, ignoring case."""
    needle = search.strip().lower()
    sep = "、" if lang == "zh" else ", "
    rows = []
    for rule in manual.rules:
        if categories and rule.category not in categories:
            continue
        if areas and not {a.value for a in rule.areas} & set(areas):
            continue
        haystack = " ".join([rule.id, rule.title.zh, rule.title.en, rule.clause, rule.message.zh,
                             rule.message.en]).lower()
        if needle and needle not in haystack:
            continue
        rows.append({"rule_id": rule.id, "title": rule.title.get(lang),
                     "category": manual.categories_by_id[rule.category].name.get(lang),
                     "areas": sep.join(t(f"area.{a.value}", lang) for a in rule.areas), "clause": rule.clause,
                     "severity": t(f"severity.{rule.severity.value}", lang), "weight": rule.weight,
                     "evidence": evidence_words(rule, lang), "message": rule.message.get(lang)})
    return pd.DataFrame(rows, columns=["rule_id", "title", "category", "areas", "clause", "severity", "weight",
                                       "evidence", "message"])


def category_weights(manual: Manual, lang: str) -> pd.DataFrame:
    """Each category's share of the hall score and its number of rules."""
    total = sum(c.weight for c in manual.categories) or 1.0
    rows = [{"category": c.id, "name": c.name.get(lang), "share": c.weight / total,
             "rules": sum(1 for r in manual.rules if r.category == c.id)} for c in manual.categories]
    return pd.DataFrame(rows, columns=["category", "name", "share", "rules"])
