"""The flat layout of one audit: one row per finding (a rule judged on one photo, or on the whole hall).

The CSV is that table alone; the JSON is the audit's header (hall, round, date, score, categories, failed
critical rules...) with the same rows under ``rows`` and the rectification list (整改清单). Column names are
stable English machine names (``FLAT_COLUMNS``, documented one by one in docs/reports.md); verdicts,
severities, areas and categories are machine ids, rule titles, messages and evidence are in the report's
language. Dates are ISO 8601 in the bureau's local time zone.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from auditor.reports.model import AuditReport, RectificationItem, ReportRow

# The columns of the CSV and of the JSON's rows, in order. docs/reports.md documents each; a test checks that
# the CSV header is exactly the documented table.
FLAT_COLUMNS: tuple[str, ...] = (
    "audit_id", "finding_id", "hall", "round", "audit_date", "inspector", "photo", "area", "rule_id", "rule_title",
    "category", "severity", "weight", "clause", "machine_verdict", "override_verdict", "override_by", "override_at",
    "override_comment", "final_verdict", "message", "evidence",
)

# The fields of each item of the JSON's ``rectification`` list.
RECTIFICATION_FIELDS: tuple[str, ...] = (
    "number", "rule_id", "rule_title", "category", "category_name", "severity", "clause", "problem", "photos",
    "responsible", "deadline", "status", "checked_in_audit",
)

# A spreadsheet takes text beginning with one of these for a formula; in the CSV every text value that does
# (hall, round, inspector, comments, texts read from photos: any of them may be typed by someone) gets a
# leading apostrophe, the usual CSV-injection guard. Numbers are numbers and are left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def flat_row(row: ReportRow) -> dict[str, Any]:
    """One finding as the flat layout's typed values (None where a value is absent)."""
    return {
        "audit_id": row.audit_id,
        "finding_id": row.finding_id,
        "hall": row.hall,
        "round": row.round,
        "audit_date": row.audit_date,
        "inspector": row.inspector or None,
        "photo": row.photo or None,
        "area": row.area or None,
        "rule_id": row.rule_id,
        "rule_title": row.rule_title,
        "category": row.category or None,
        "severity": row.severity or None,
        "weight": row.weight,
        "clause": row.clause or None,
        "machine_verdict": row.machine_verdict,
        "override_verdict": row.override_verdict,
        "override_by": row.override_by,
        "override_at": row.override_at,
        "override_comment": row.override_comment,
        "final_verdict": row.final_verdict,
        "message": row.message,
        "evidence": row.evidence or None,
    }


def rectification_item(report: AuditReport, item: RectificationItem) -> dict[str, Any]:
    rule = report.manual.rules_by_id.get(item.rule_id)
    return {
        "number": item.number,
        "rule_id": item.rule_id,
        "rule_title": item.rule_title,
        "category": rule.category if rule else None,
        "category_name": item.category_name,
        "severity": item.severity,
        "clause": item.clause,
        "problem": item.problem,
        "photos": list(item.photos),
        "responsible": item.responsible,
        "deadline": item.deadline.isoformat(),
        "status": item.status,
        "checked_in_audit": item.checked_in_audit,
    }


def _iso(value: date | datetime) -> str:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return _iso(value)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def render_audit_csv(report: AuditReport) -> bytes:
    """The findings as CSV: UTF-8 with a BOM (so Excel on Chinese Windows reads it right), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FLAT_COLUMNS)
    for row in report.rows:
        values = flat_row(row)
        writer.writerow([_csv_value(values[column]) for column in FLAT_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def _json_value(value: Any) -> Any:
    return _iso(value) if isinstance(value, date | datetime) else value


def audit_report_dict(report: AuditReport) -> dict[str, Any]:
    """The JSON document of ``render_audit_json`` as Python values."""
    return {
        "report": "audit",
        "lang": report.lang,
        "audit_id": report.audit_id,
        "hall": report.hall,
        "round": report.round,
        "audit_date": report.created_at.date().isoformat(),
        "created_at": _iso(report.created_at),
        "inspector": report.inspector or None,
        "manual_title": report.manual_title,
        "manual_version": report.manual_version,
        "score": report.score,
        "grade": report.grade,
        "grade_name": report.grade_name,
        "coverage": report.coverage,
        "failed_critical": [{"rule_id": r, "title": title} for r, title in report.failed_critical],
        "unassessed_critical": [{"rule_id": r, "title": title} for r, title in report.unassessed_critical],
        "categories": [{"category": c.category, "name": c.name, "weight": c.weight, "score": c.score,
                        "passed_weight": c.passed_weight, "assessed_weight": c.assessed_weight}
                       for c in report.categories],
        "uncovered_areas": list(report.uncovered_areas),
        "rejected": [{"photo": photo, "reason": reason} for photo, reason in report.rejected],
        "columns": list(FLAT_COLUMNS),
        "rows": [{column: _json_value(value) for column, value in flat_row(row).items()} for row in report.rows],
        "rectification": [rectification_item(report, item) for item in report.rectification],
    }


def render_audit_json(report: AuditReport) -> bytes:
    """The audit's header, its findings in the flat layout (``rows``) and the rectification list, as UTF-8 JSON."""
    return json.dumps(audit_report_dict(report), ensure_ascii=False, indent=2).encode("utf-8")
