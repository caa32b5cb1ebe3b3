"""The tabular exports of an audit and of a round: workbook, CSV and JSON, checked against docs/reports.md."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_from_string

from auditor.collect import PhotoInput
from auditor.errors import AuditorError, StoreError
from auditor.i18n import t
from auditor.manual import Manual, parse_manual
from auditor.pipeline import Auditor
from auditor.reports.export import (
    AUDIT_FORMATS,
    COMPARISON_FORMATS,
    MEDIA_TYPES,
    export_audit,
    export_comparison,
    export_file_name,
)
from auditor.reports.flat import FLAT_COLUMNS, RECTIFICATION_FIELDS, render_audit_csv, render_audit_json
from auditor.reports.model import build_audit_report
from auditor.reports.xlsx import render_audit_xlsx, render_comparison_xlsx
from auditor.store import AuditStore
from auditor.types import Area, Verdict
from tests.conftest import jpeg_bytes

DOC = Path(__file__).resolve().parent.parent / "docs" / "reports.md"


def documented(heading: str) -> list[str]:
    """The names in the first column of the table that follows ``heading`` in docs/reports.md."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == heading or line.startswith(heading))
    names, in_table = [], False
    for line in lines[start + 1:]:
        if line.startswith("|"):
            in_table = True
            match = re.match(r"\|\s*`([^`]+)`\s*\|", line)
            if match:
                names.append(match.group(1))
        elif in_table:
            break
    return names


def audit(auditor: Auditor, store: AuditStore, hall: str = "纸坊街道", round_name: str = "2026-Q4",
          seed: int = 0, inspector: str = "张三") -> int:
    photos = [PhotoInput(f"{hall}/window_counter/{i:02d}.jpg", Area.WINDOW_COUNTER,
                         jpeg_bytes(colour=(seed, 100 + i, 90))) for i in range(2)]
    audit_id, _ = auditor.audit(photos, hall=hall, round_name=round_name, inspector=inspector, store=store)
    assert audit_id is not None
    return audit_id


def failed_finding_id(store: AuditStore, audit_id: int, rule_id: str = "ITM-01") -> int:
    finding = next(f for f in store.load(audit_id).result.findings
                   if f.rule_id == rule_id and f.verdict is Verdict.FAIL)
    assert finding.id is not None
    return finding.id


def csv_rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def header_row(ws) -> int:
    column, row = coordinate_from_string(ws.freeze_panes)
    return row - 1


# -- the documented layout ------------------------------------------------------------------------------------
def test_csv_header_is_the_documented_table(counter_auditor: Auditor, store: AuditStore) -> None:
    columns = documented("## The flat layout")
    assert columns == list(FLAT_COLUMNS), "docs/reports.md and FLAT_COLUMNS drifted apart"
    report = build_audit_report(store, audit(counter_auditor, store))
    header, rows = csv_rows(render_audit_csv(report))
    assert header == columns
    assert len(rows) == len(report.rows)
    for row in rows:
        date.fromisoformat(row["audit_date"])
        assert row["machine_verdict"] in {"pass", "fail", "not_assessable"}
        assert row["final_verdict"] == row["machine_verdict"], "no override yet"
        assert row["severity"] in {"critical", "major", "minor"}
        float(row["weight"])
    window = [r for r in rows if r["photo"]]
    assert {r["area"] for r in window} == {"window_counter"}, "areas are machine ids"
    assert window[0]["photo"] == "纸坊街道/window_counter/00.jpg", "the photo as given, for joins"
    assert any(r["photo"] == "" and r["area"] == "" for r in rows), "whole-hall findings have no photo"
    itm = next(r for r in rows if r["rule_id"] == "ITM-01")
    assert itm["machine_verdict"] == "fail" and itm["rule_title"] == "窗口台面仅摆放定置物品"
    assert "水杯" in itm["message"] and "水杯" in itm["evidence"], "texts in the report's language"


def test_json_has_the_documented_header_rows_and_rectification(counter_auditor: Auditor, store: AuditStore) -> None:
    report = build_audit_report(store, audit(counter_auditor, store), lang="en")
    data = json.loads(render_audit_json(report))
    assert list(data) == documented("## The audit as JSON")
    assert data["report"] == "audit" and data["lang"] == "en" and data["hall"] == "纸坊街道"
    assert data["audit_date"] == report.created_at.date().isoformat()
    assert datetime.fromisoformat(data["created_at"]).utcoffset() is not None
    assert data["score"] == report.score and data["grade"] == report.grade and data["coverage"] == report.coverage
    assert {c["category"] for c in data["categories"]} == {"signage", "floor_marking", "item_placement",
                                                           "staff_dress", "facilities"}
    assert data["columns"] == list(FLAT_COLUMNS)
    assert len(data["rows"]) == len(report.rows)
    assert all(list(row) == list(FLAT_COLUMNS) for row in data["rows"])
    itm = next(r for r in data["rows"] if r["rule_id"] == "ITM-01")
    assert itm["rule_title"].isascii() and itm["weight"] > 0 and itm["override_verdict"] is None
    assert [item["rule_id"] for item in data["rectification"]] == ["ITM-01", "ITM-02"]
    assert documented("Each item of `rectification`") == list(RECTIFICATION_FIELDS)
    for item in data["rectification"]:
        assert list(item) == list(RECTIFICATION_FIELDS)
        assert item["status"] == "open" and item["category"] == "item_placement"
        assert date.fromisoformat(item["deadline"]) > date.fromisoformat(data["audit_date"])
        assert item["photos"] == ["纸坊街道/window_counter/00.jpg", "纸坊街道/window_counter/01.jpg"]


# -- the workbooks --------------------------------------------------------------------------------------------
def test_audit_workbook(counter_auditor: Auditor, store: AuditStore) -> None:
    report = build_audit_report(store, audit(counter_auditor, store))
    wb = openpyxl.load_workbook(io.BytesIO(render_audit_xlsx(report)))
    assert wb.sheetnames == ["Summary", "Findings", "Rectification"]

    findings = wb["Findings"]
    assert header_row(findings) == 1, "the header row is frozen"
    assert findings.auto_filter.ref == f"A1:P{len(report.rows) + 1}"
    assert findings.max_row - 1 == len(report.rows)
    headers = [c.value for c in findings[1]]
    assert headers[:3] == [t("label.photo", "zh"), t("label.area", "zh"), t("label.rule_id", "zh")]
    assert t("label.final_verdict", "zh") in headers
    rows = list(findings.iter_rows(min_row=2))
    weight = headers.index(t("label.weight", "zh"))
    assert all(isinstance(r[weight].value, int | float) for r in rows), "weights are numbers"
    final = headers.index(t("label.final_verdict", "zh"))
    itm = next(r for r in rows if r[2].value == "ITM-01")
    assert itm[0].value == "window_counter/00.jpg", "photos shown as folder/file"
    assert itm[final].value == t("verdict.fail", "zh")
    assert itm[final].fill.fgColor.rgb.endswith("FFC7CE"), "fail is red"
    passed = next(r for r in rows if r[final].value == t("verdict.pass", "zh"))
    assert passed[final].fill.fgColor.rgb.endswith("C6EFCE"), "pass is green"
    unjudged = next(r for r in rows if r[final].value == t("verdict.not_assessable", "zh"))
    assert unjudged[final].fill.fgColor.rgb.endswith("E7E6E6"), "not assessable is grey"
    assert any(r[0].value == t("label.whole_hall", "zh") for r in rows)
    widths = [findings.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOP"]
    assert all(8 <= w <= 60 for w in widths)

    rect = wb["Rectification"]
    assert header_row(rect) == 1 and rect.auto_filter.ref.startswith("A1:")
    assert rect.max_row - 1 == len(report.rectification) == 2
    first = [c.value for c in rect[2]]
    assert first[0] == 1 and first[1] == "ITM-01"
    deadline = first[[c.value for c in rect[1]].index(t("label.deadline", "zh"))]
    assert isinstance(deadline, datetime) and deadline.date() == report.rectification[0].deadline
    assert rect.cell(row=2, column=10).number_format == "yyyy-mm-dd"

    summary = {row[0].value: row[1] for row in wb["Summary"].iter_rows(min_row=3, max_col=2) if row[0].value}
    assert summary[t("label.hall", "zh")].value == "纸坊街道"
    when = summary[t("label.date", "zh")].value
    assert isinstance(when, datetime) and abs(when - report.created_at.replace(tzinfo=None)) < timedelta(seconds=1)
    assert summary[t("label.score", "zh")].value == pytest.approx(report.score)
    assert summary[t("label.coverage", "zh")].number_format == "0%"


def test_audit_workbook_in_english(counter_auditor: Auditor, store: AuditStore) -> None:
    report = build_audit_report(store, audit(counter_auditor, store), lang="en")
    wb = openpyxl.load_workbook(io.BytesIO(render_audit_xlsx(report)))
    assert wb.sheetnames == ["Summary", "Findings", "Rectification"], "sheet names never translated"
    assert [c.value for c in wb["Findings"][1]][:3] == ["photo", "area", "rule id"]
    titles = [row[2].value for row in wb["Rectification"].iter_rows(min_row=2)]
    assert titles and titles == [i.rule_title for i in report.rectification], "titles in English"
    assert titles[0] == counter_auditor.manual.rules_by_id[report.rectification[0].rule_id].title.en


def test_comparison_workbook(counter_auditor: Auditor, store: AuditStore, manual: Manual) -> None:
    audit(counter_auditor, store, "纸坊街道", "2026-Q3", seed=1)
    audit(counter_auditor, store, "纸坊街道", "2026-Q4", seed=2)
    audit(counter_auditor, store, "金口街道", "2026-Q4", seed=3)
    data = export_comparison(store, "2026-Q4", "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:2] == ["Summary", "Comparison"]

    summary = wb["Summary"]
    assert "2026-Q4" in summary["A1"].value and "2026-Q3" in summary["A1"].value
    assert header_row(summary) == 2 and summary.auto_filter.ref.startswith("A2:")
    headers = [c.value for c in summary[2]]
    assert headers[:4] == [t("label.rank", "zh"), t("label.hall", "zh"), t("label.audit", "zh"),
                           t("label.score", "zh")]
    assert [c.name.get("zh") for c in manual.categories] == headers[6:6 + len(manual.categories)]
    rows = [[c.value for c in r] for r in summary.iter_rows(min_row=3)]
    assert len(rows) == 2 and {r[1] for r in rows} == {"纸坊街道", "金口街道"}
    zhifang = next(r for r in rows if r[1] == "纸坊街道")
    previous = headers.index(t("label.previous_score", "zh"))
    assert isinstance(zhifang[3], int | float) and isinstance(zhifang[previous], int | float), "scores are numbers"
    assert zhifang[previous + 1] == pytest.approx(0.0), "same photos, same score: no change"
    assert next(r for r in rows if r[1] == "金口街道")[previous] is None, "no audit in the round before"

    matrix = wb["Comparison"]
    assert header_row(matrix) == 1 and matrix.auto_filter.ref.startswith("A1:")
    assert matrix.max_row - 1 == len(manual.rules)
    headers = [c.value for c in matrix[1]]
    assert {"纸坊街道", "金口街道"} <= set(headers) and headers[-1] == t("label.spread", "zh")
    itm = next(r for r in matrix.iter_rows(min_row=2) if r[0].value == "ITM-01")
    assert itm[headers.index("纸坊街道")].value == t("verdict.fail", "zh")
    assert itm[headers.index("纸坊街道")].fill.fgColor.rgb.endswith("FFC7CE")
    assert itm[-1].value == t("spread.systemic", "zh"), "failing in both halls"
    assert isinstance(itm[-3].value, int) and itm[-3].value == 2


# -- overrides and old manuals --------------------------------------------------------------------------------
def test_an_override_shows_beside_the_machine_verdict(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id = audit(counter_auditor, store)
    finding_id = failed_finding_id(store, audit_id)
    store.override(finding_id, Verdict.PASS, "杯子是办事群众的", by="李四")

    _, rows = csv_rows(export_audit(store, audit_id, "csv"))
    row = next(r for r in rows if r["finding_id"] == str(finding_id))
    assert (row["machine_verdict"], row["override_verdict"], row["final_verdict"]) == ("fail", "pass", "pass")
    assert row["override_by"] == "李四" and row["override_comment"] == "杯子是办事群众的"
    assert datetime.fromisoformat(row["override_at"]).utcoffset() is not None, "local time with its offset"

    data = json.loads(export_audit(store, audit_id, "json"))
    row = next(r for r in data["rows"] if r["finding_id"] == finding_id)
    assert (row["machine_verdict"], row["override_verdict"], row["final_verdict"]) == ("fail", "pass", "pass")
    assert row["override_by"] == "李四"

    wb = openpyxl.load_workbook(io.BytesIO(export_audit(store, audit_id, "xlsx")))
    findings = wb["Findings"]
    headers = [c.value for c in findings[1]]
    overridden = [r for r in findings.iter_rows(min_row=2)
                  if r[headers.index(t("label.comment", "zh"))].value == "杯子是办事群众的"]
    assert len(overridden) == 1
    cells = overridden[0]
    assert cells[headers.index(t("label.machine_verdict", "zh"))].value == t("verdict.fail", "zh")
    assert cells[headers.index(t("label.final_verdict", "zh"))].value == t("verdict.pass", "zh")
    assert isinstance(cells[headers.index(t("label.override_at", "zh"))].value, datetime)


def test_an_old_audit_keeps_the_titles_of_its_own_manual(counter_auditor: Auditor, store: AuditStore,
                                                         manual: Manual) -> None:
    old_id = audit(counter_auditor, store, "山坡街道")
    original = manual.rules_by_id["ITM-01"].title.zh
    changed = parse_manual(manual.source.replace(original, "改过的标题"))
    assert changed.sha256 != manual.sha256
    new_auditor = Auditor(changed, counter_auditor.detectors)
    new_id = audit(new_auditor, store, "法泗街道", seed=5)

    as_json = json.loads(export_audit(store, old_id, "json"))
    for fmt_rows in (csv_rows(export_audit(store, old_id, "csv"))[1], as_json["rows"]):
        assert next(r for r in fmt_rows if r["rule_id"] == "ITM-01")["rule_title"] == original
    assert as_json["rectification"][0]["rule_title"] == original
    wb = openpyxl.load_workbook(io.BytesIO(export_audit(store, old_id, "xlsx")))
    assert original in [c.value for c in wb["Rectification"]["C"]]
    assert "改过的标题" not in [c.value for c in wb["Findings"]["D"]]

    _, rows = csv_rows(export_audit(store, new_id, "csv"))
    assert next(r for r in rows if r["rule_id"] == "ITM-01")["rule_title"] == "改过的标题"


# -- small guarantees -----------------------------------------------------------------------------------------
def test_text_that_looks_like_a_formula_stays_text(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id = audit(counter_auditor, store, inspector="=HYPERLINK(\"http://x\")", round_name="@SUM(A1)")
    _, rows = csv_rows(export_audit(store, audit_id, "csv"))
    assert rows[0]["inspector"] == "'=HYPERLINK(\"http://x\")", "CSV-injection guard"
    assert rows[0]["round"] == "'@SUM(A1)", "every text column is guarded, the round too"
    assert json.loads(export_audit(store, audit_id, "json"))["inspector"] == "=HYPERLINK(\"http://x\")"
    wb = openpyxl.load_workbook(io.BytesIO(export_audit(store, audit_id, "xlsx")))
    cell = next(r[1] for r in wb["Summary"].iter_rows(min_row=3, max_col=2)
                if r[0].value == t("label.inspector", "zh"))
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_export_entry_point(counter_auditor: Auditor, store: AuditStore) -> None:
    assert AUDIT_FORMATS == ("pdf", "xlsx", "csv", "json") and COMPARISON_FORMATS == ("pdf", "xlsx")
    assert set(MEDIA_TYPES) == set(AUDIT_FORMATS)
    audit_id = audit(counter_auditor, store)
    with pytest.raises(AuditorError, match="docx.*pdf, xlsx, csv, json"):
        export_audit(store, audit_id, "docx")
    with pytest.raises(AuditorError, match="pdf, xlsx"):
        export_comparison(store, "2026-Q4", "csv")
    with pytest.raises(AuditorError, match="zh, en"):
        export_audit(store, audit_id, "csv", lang="fr")
    with pytest.raises(StoreError, match="no audit with id 999"):
        export_audit(store, 999, "csv")
    with pytest.raises(StoreError, match="2026-Q4"):
        export_comparison(store, "1999-Q1", "xlsx")
    assert export_file_name("pdf", "2026-Q4", "纸坊街道", 12) == "纸坊街道_2026-Q4_audit12.pdf"
    assert export_file_name("xlsx", "2026-Q4") == "2026-Q4_comparison.xlsx"
    assert export_file_name("csv", "2026/Q4", "a:b*c", 3) == "a_b_c_2026_Q4_audit3.csv"


def test_comparison_workbook_renders_from_the_model(counter_auditor: Auditor, store: AuditStore) -> None:
    from auditor.reports.model import build_comparison

    audit(counter_auditor, store)
    report = build_comparison(store, "2026-Q4", "en")
    # A rule the hall's audit did not have (its manual was older) shows as a dash, not as a verdict.
    first = dataclasses.replace(report.rules[0], verdicts={"纸坊街道": None})
    report = dataclasses.replace(report, rules=(first, *report.rules[1:]))
    wb = openpyxl.load_workbook(io.BytesIO(render_comparison_xlsx(report)))
    assert wb.sheetnames == ["Summary", "Comparison", "Categories"]
    assert [c.value for c in wb["Summary"][2]][:2] == ["rank", "hall"]
    assert wb["Comparison"].cell(row=2, column=6).value == "—"
    categories = wb["Categories"]
    assert categories.max_row - 1 == len(report.categories)
    signage = next(r for r in categories.iter_rows(min_row=2, values_only=True) if r[0] == "Signage")
    assert isinstance(signage[2], int | float) and signage[5] == "纸坊街道" and signage[6] == 1
