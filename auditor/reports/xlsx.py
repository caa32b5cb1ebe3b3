"""Excel workbooks of an audit and of a round's comparison (openpyxl).

Audit: sheets Summary (the audit's header, category scores, verdict counts), Findings (one row per finding,
the flat layout of flat.py) and Rectification (整改清单). Comparison: Summary (the ranking with category scores,
previous score and change), Comparison (the street x rule matrix with each rule's spread) and Categories
(each category across the halls). Sheet names stay English so formulas and scripts can name them; headers and
values are in the report's language. Numbers are numbers, dates real dates (naive local time: Excel has no time
zones), verdict cells coloured (pass green, fail red, not assessable grey), header rows frozen and filtered.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from auditor.i18n import t
from auditor.reports.model import AuditReport, ComparisonReport, photo_label

SHEET_SUMMARY = "Summary"
SHEET_FINDINGS = "Findings"
SHEET_RECTIFICATION = "Rectification"
SHEET_COMPARISON = "Comparison"
SHEET_CATEGORIES = "Categories"

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SCORE_FORMAT = "0.0"
PERCENT_FORMAT = "0%"
CHANGE_FORMAT = "[Color10]+0.0;[Red]-0.0;0.0"  # dark green up, red down
# A column kind -> its number format and the width (characters) its values need.
_NUMBER_FORMATS: dict[str, tuple[str, int]] = {
    "date": (DATE_FORMAT, 11),
    "datetime": (DATETIME_FORMAT, 17),
    "score": (SCORE_FORMAT, 6),
    "percent": (PERCENT_FORMAT, 5),
    "change": (CHANGE_FORMAT, 6),
}

# Excel's own Good / Bad / Neutral colours, and grey for "not assessable".
_GREEN = (PatternFill("solid", fgColor="C6EFCE"), Font(color="006100"))
_RED = (PatternFill("solid", fgColor="FFC7CE"), Font(color="9C0006"))
_GREY = (PatternFill("solid", fgColor="E7E6E6"), Font(color="3A3838"))
_AMBER = (PatternFill("solid", fgColor="FFEB9C"), Font(color="9C5700"))
VERDICT_STYLES = {"pass": _GREEN, "fail": _RED, "not_assessable": _GREY}
STATUS_STYLES = {"rectified": _GREEN, "still_failing": _RED, "open": _AMBER}
SPREAD_STYLES = {"systemic": _RED, "local": _AMBER}

# Column kinds whose values are machine ids shown by their translated names: (i18n prefix, ids, colours).
_VOCABULARY: dict[str, tuple[str, frozenset[str], dict[str, tuple[PatternFill, Font]]]] = {
    "verdict": ("verdict", frozenset(VERDICT_STYLES), VERDICT_STYLES),
    "status": ("status", frozenset(STATUS_STYLES), STATUS_STYLES),
    "spread": ("spread", frozenset({"systemic", "local", "none"}), SPREAD_STYLES),
    "severity": ("severity", frozenset({"critical", "major", "minor"}), {}),
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="8EA9DB"))
_TITLE_FONT = Font(bold=True, size=14)
_CRITICAL_FONT = Font(bold=True, color="9C0006")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")

_MAX_WIDTH = 60
_WRAP_WIDTH = 50


@dataclass(frozen=True)
class Column:
    """A column of a table sheet. ``kind`` decides the cell type, format and colour:

    text, wrap (long text, wrapped), int, number (General), score (0.0), percent, change (+/-0.0 coloured),
    date, datetime, verdict (machine id in, translated name out, coloured), status (rectification status id),
    severity (id in, name out, critical in red), spread (id in, name out).
    """

    header: str
    kind: str = "text"


def _display_width(value: Any) -> int:
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _naive(moment: datetime) -> datetime:
    """openpyxl cannot write time-zone-aware datetimes: keep the local wall time."""
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _set(ws: Worksheet, row: int, col: int, value: Any):
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text typed by people is never a formula
    return cell


def _style(cell, styles: tuple[PatternFill, Font] | None) -> None:
    if styles is not None:
        cell.fill, cell.font = styles


def _write_table(ws: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]], lang: str,
                 header_row: int = 1, freeze: str | None = None) -> int:
    """Write a header and rows; freeze the header (``freeze`` names the first unfrozen cell), set the filter
    and the column widths. Returns the number of data rows."""
    widths = [_display_width(c.header) for c in columns]
    for col, column in enumerate(columns, start=1):
        cell = _set(ws, header_row, col, column.header)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    r = header_row
    for r, values in enumerate(rows, start=header_row + 1):
        for col, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            kind = column.kind
            styles = None
            critical = kind == "severity" and value == "critical"
            if value is None or value == "":
                value = None
            elif kind in _VOCABULARY and value in _VOCABULARY[kind][1]:
                prefix, _, palette = _VOCABULARY[kind]
                styles = palette.get(value)
                value = t(f"{prefix}.{value}", lang)
            elif isinstance(value, datetime):
                value = _naive(value)
            cell = _set(ws, r, col, value)
            _style(cell, styles)
            if critical:
                cell.font = _CRITICAL_FONT
            if value is None:
                continue
            if kind in _NUMBER_FORMATS:
                cell.number_format, width = _NUMBER_FORMATS[kind]
            else:
                width = _display_width(value)
            if kind == "wrap":
                cell.alignment = _WRAP
                width = min(width, _WRAP_WIDTH)
            else:
                cell.alignment = _TOP
            widths[col - 1] = max(widths[col - 1], width)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), _MAX_WIDTH)
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{max(r, header_row)}"
    ws.freeze_panes = freeze or f"A{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    return r - header_row


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- one audit ------------------------------------------------------------------------------------------------
def findings_columns(lang: str) -> list[Column]:
    return [
        Column(t("label.photo", lang)), Column(t("label.area", lang)), Column(t("label.rule_id", lang)),
        Column(t("label.title", lang), "wrap"), Column(t("label.category", lang)),
        Column(t("label.severity", lang), "severity"), Column(t("label.weight", lang), "number"),
        Column(t("label.clause", lang), "wrap"), Column(t("label.machine_verdict", lang), "verdict"),
        Column(t("label.override", lang), "verdict"), Column(t("label.override_by", lang)),
        Column(t("label.override_at", lang), "datetime"), Column(t("label.comment", lang), "wrap"),
        Column(t("label.final_verdict", lang), "verdict"), Column(t("label.message", lang), "wrap"),
        Column(t("label.evidence", lang), "wrap"),
    ]


def rectification_columns(lang: str) -> list[Column]:
    return [
        Column(t("label.number", lang), "int"), Column(t("label.rule_id", lang)),
        Column(t("label.title", lang), "wrap"), Column(t("label.category", lang)),
        Column(t("label.severity", lang), "severity"), Column(t("label.clause", lang), "wrap"),
        Column(t("label.problem", lang), "wrap"), Column(t("label.photo", lang), "wrap"),
        Column(t("label.responsible", lang)), Column(t("label.deadline", lang), "date"),
        Column(t("label.status", lang), "status"), Column(t("label.checked_in_audit", lang), "int"),
    ]


def _audit_summary(ws: Worksheet, report: AuditReport) -> None:
    lang = report.lang
    ws.sheet_view.showGridLines = False
    _set(ws, 1, 1, t("label.report_title", lang)).font = _TITLE_FONT

    def titled(pairs: tuple[tuple[str, str], ...]) -> str | None:
        return "\n".join(f"{rule_id} {title}" for rule_id, title in pairs) or None

    fields: list[tuple[str, Any, str | None]] = [
        ("label.hall", report.hall, None),
        ("label.round", report.round, None),
        ("label.audit", report.audit_id, None),
        ("label.date", _naive(report.created_at), DATETIME_FORMAT),
        ("label.inspector", report.inspector or None, None),
        ("label.manual_version", f"{report.manual_title} {report.manual_version}", None),
        ("label.score", report.score, SCORE_FORMAT),
        ("label.grade", report.grade_name, None),
        ("label.coverage", report.coverage, PERCENT_FORMAT),
        ("label.failed_critical", titled(report.failed_critical), None),
        ("label.unassessed_critical", titled(report.unassessed_critical), None),
        ("label.uncovered_areas", "、".join(report.uncovered_areas) if lang == "zh"
         else ", ".join(report.uncovered_areas), None),
        ("label.rejected_photos", "\n".join(f"{photo_label(p)}: {reason}" for p, reason in report.rejected), None),
    ]
    row = 3
    for key, value, number_format in fields:
        label = _set(ws, row, 1, t(key, lang))
        label.font, label.alignment = _HEADER_FONT, _TOP
        cell = _set(ws, row, 2, value if value != "" else None)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if number_format and value is not None:
            cell.number_format = number_format
        if key == "label.grade":
            _style(cell, _RED if report.grade == "fail" else _GREY if report.grade == "not_assessable" else _GREEN)
        if key == "label.failed_critical" and value:
            cell.font = _CRITICAL_FONT
        row += 1
    row += 1
    _set(ws, row, 1, t("label.category_scores", lang)).font = Font(bold=True, size=12)
    row += 1
    for col, key in enumerate(("label.category", "label.weight", "label.score"), start=1):
        cell = _set(ws, row, col, t(key, lang))
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
    for line in report.categories:
        row += 1
        _set(ws, row, 1, line.name)
        _set(ws, row, 2, line.weight).number_format = "General"
        if line.score is not None:
            _set(ws, row, 3, line.score).number_format = SCORE_FORMAT
        else:
            _style(_set(ws, row, 3, t("verdict.not_assessable", lang)), _GREY)
    row += 2
    _set(ws, row, 1, t("label.verdict_counts", lang)).font = Font(bold=True, size=12)
    for verdict in ("pass", "fail", "not_assessable"):
        row += 1
        _style(_set(ws, row, 1, t(f"verdict.{verdict}", lang)), VERDICT_STYLES[verdict])
        _set(ws, row, 2, sum(1 for r in report.rows if r.final_verdict == verdict)).alignment = Alignment(
            horizontal="left")
    ws.column_dimensions["A"].width = max(22, max(_display_width(t(k, lang)) for k, _, _ in fields) + 2)
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 12
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def render_audit_xlsx(report: AuditReport) -> bytes:
    """The audit as a workbook: sheets Summary, Findings (one row per finding), Rectification."""
    lang = report.lang
    wb = Workbook()
    wb.properties.title = f"{t('label.report_title', lang)} {report.hall} {report.round}"
    wb.properties.creator = "hall-auditor"
    summary = wb.active
    summary.title = SHEET_SUMMARY
    _audit_summary(summary, report)

    findings = wb.create_sheet(SHEET_FINDINGS)
    whole_hall = t("label.whole_hall", lang)
    _write_table(findings, findings_columns(lang), (
        (photo_label(r.photo) or whole_hall, r.area_name, r.rule_id, r.rule_title, r.category_name, r.severity,
         r.weight, r.clause, r.machine_verdict, r.override_verdict, r.override_by, r.override_at,
         r.override_comment, r.final_verdict, r.message, r.evidence)
        for r in report.rows), lang, freeze="D2")

    rectification = wb.create_sheet(SHEET_RECTIFICATION)
    _write_table(rectification, rectification_columns(lang), (
        (item.number, item.rule_id, item.rule_title, item.category_name, item.severity, item.clause, item.problem,
         "\n".join(photo_label(p) for p in item.photos), item.responsible, item.deadline, item.status,
         item.checked_in_audit)
        for item in report.rectification), lang, freeze="C2")
    return _save(wb)


# -- a round's comparison -------------------------------------------------------------------------------------
COMPARISON_HEADER_ROW = 2  # the Summary sheet of a comparison has its title on row 1


def render_comparison_xlsx(report: ComparisonReport) -> bytes:
    """The round as a workbook: Summary (ranking), Comparison (street x rule matrix), Categories."""
    lang = report.lang
    wb = Workbook()
    title = f"{t('label.comparison_title', lang)} {report.round}"
    wb.properties.title = title
    wb.properties.creator = "hall-auditor"

    summary = wb.active
    summary.title = SHEET_SUMMARY
    previous = (f"  ({t('label.previous_round', lang)}: {report.previous_round})" if report.previous_round else "")
    _set(summary, 1, 1, f"{title}{previous}  · {report.manual.title.get(lang)} {report.manual.version}"
         ).font = _TITLE_FONT
    columns = [Column(t("label.rank", lang), "int"), Column(t("label.hall", lang)), Column(t("label.audit", lang),
                                                                                             "int"),
               Column(t("label.score", lang), "score"), Column(t("label.grade", lang)),
               Column(t("label.coverage", lang), "percent")]
    columns += [Column(c.name, "score") for c in report.categories]
    columns += [Column(t("label.previous_score", lang), "score"), Column(t("label.change", lang), "change"),
                Column(t("label.failed_critical", lang))]
    _write_table(summary, columns, (
        (h.rank, h.hall, h.audit_id, h.score, h.grade_name, h.coverage,
         *(h.categories.get(c.category) for c in report.categories),
         h.previous_score, h.change, ", ".join(h.failed_critical) or None)
        for h in report.halls), lang, header_row=COMPARISON_HEADER_ROW, freeze=f"C{COMPARISON_HEADER_ROW + 1}")
    grade_col = 5
    for offset, hall in enumerate(report.halls, start=COMPARISON_HEADER_ROW + 1):
        if hall.grade == "fail":
            _style(summary.cell(row=offset, column=grade_col), _RED)

    matrix = wb.create_sheet(SHEET_COMPARISON)
    halls = [h.hall for h in report.halls]
    area_sep = "、" if lang == "zh" else ", "
    columns = [Column(t("label.rule_id", lang)), Column(t("label.title", lang), "wrap"),
               Column(t("label.category", lang)), Column(t("label.severity", lang), "severity"),
               Column(t("label.area", lang), "wrap")]
    columns += [Column(hall, "verdict") for hall in halls]
    columns += [Column(t("label.failed_in", lang), "int"), Column(t("label.assessed_in", lang), "int"),
                Column(t("label.spread", lang), "spread")]
    _write_table(matrix, columns, (
        (rule.rule_id, rule.title, rule.category_name, rule.severity,
         area_sep.join(t(f"area.{a}", lang) for a in report.rule_areas.get(rule.rule_id, ())),
         *(rule.verdicts.get(hall) or "—" for hall in halls), rule.failed_in, rule.assessed_in, rule.spread)
        for rule in report.rules), lang, freeze="C2")

    categories = wb.create_sheet(SHEET_CATEGORIES)
    columns = [Column(t("label.category", lang)), Column(t("label.weight", lang), "number"),
               Column(t("label.mean_score", lang), "score"), Column(t("label.lowest_score", lang), "score"),
               Column(t("label.highest_score", lang), "score"), Column(t("label.lowest_hall", lang)),
               Column(t("label.assessed_in", lang), "int")]
    rows = []
    for c in report.categories:
        scored = [(h.categories.get(c.category), h.hall) for h in report.halls
                  if h.categories.get(c.category) is not None]
        if scored:
            values = [s for s, _ in scored]
            lowest = min(scored)
            rows.append((c.name, c.weight, round(sum(values) / len(values), 1), lowest[0], max(values), lowest[1],
                         len(scored)))
        else:
            rows.append((c.name, c.weight, None, None, None, None, 0))
    _write_table(categories, columns, rows, lang)
    return _save(wb)
