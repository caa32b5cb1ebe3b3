"""The one entry point for exports: the `auditor report` command and the app's export buttons call these.

``export_audit`` renders one stored audit as PDF, Excel, CSV or JSON; ``export_comparison`` a round's
comparison as PDF or Excel. Both build the report model once (auditor.reports.model) in the language asked
for, and import only the renderer they need (openpyxl and reportlab load on first use).
"""

from __future__ import annotations

import re

from auditor.errors import AuditorError
from auditor.i18n import LANGS
from auditor.reports.model import build_audit_report, build_comparison
from auditor.store import AuditStore

AUDIT_FORMATS: tuple[str, ...] = ("pdf", "xlsx", "csv", "json")
COMPARISON_FORMATS: tuple[str, ...] = ("pdf", "xlsx")

MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def _check(fmt: str, lang: str, formats: tuple[str, ...], what: str) -> str:
    name = str(fmt).lower().lstrip(".")
    if name not in formats:
        raise AuditorError(f"cannot export {what} as {fmt!r}: the formats are {', '.join(formats)}")
    if lang not in LANGS:
        raise AuditorError(f"unknown report language {lang!r}: use one of {', '.join(LANGS)}")
    return name


def export_audit(store: AuditStore, audit_id: int, fmt: str, lang: str = "zh", show_faces: bool = False) -> bytes:
    """One stored audit as ``fmt`` (pdf, xlsx, csv or json). StoreError (an AuditorError) for an unknown id;
    AuditorError naming the valid choices for an unknown format or language.

    The PDF's evidence pictures have citizens' faces blurred unless ``show_faces`` (an inspector's copy:
    ``auditor report --show-faces``, or the app's inspector PIN); the other formats hold no pictures. The
    stored photos are only read."""
    fmt = _check(fmt, lang, AUDIT_FORMATS, "an audit")
    report = build_audit_report(store, audit_id, lang)
    if fmt == "csv":
        from auditor.reports.flat import render_audit_csv

        return render_audit_csv(report)
    if fmt == "json":
        from auditor.reports.flat import render_audit_json

        return render_audit_json(report)
    if fmt == "xlsx":
        from auditor.reports.xlsx import render_audit_xlsx

        return render_audit_xlsx(report)
    from auditor.reports.pdf import render_audit_pdf

    return render_audit_pdf(report, show_faces=show_faces)


def export_comparison(store: AuditStore, round_name: str, fmt: str, lang: str = "zh") -> bytes:
    """The comparison of a round's halls as ``fmt`` (pdf or xlsx). StoreError naming the rounds there are
    when the round has no audit."""
    fmt = _check(fmt, lang, COMPARISON_FORMATS, "a comparison")
    report = build_comparison(store, round_name, lang)
    if fmt == "xlsx":
        from auditor.reports.xlsx import render_comparison_xlsx

        return render_comparison_xlsx(report)
    from auditor.reports.pdf import render_comparison_pdf

    return render_comparison_pdf(report)


# Characters Windows, macOS or a browser download would refuse or mangle in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+|\s+')


def _safe(part: str) -> str:
    return _UNSAFE.sub("_", part.strip()).strip("._") or "_"


def export_file_name(fmt: str, round_name: str, hall: str | None = None, audit_id: int | None = None) -> str:
    """The default file name of an export: ``纸坊街道_2026-Q4_audit12.pdf`` for an audit (hall and audit_id
    given), ``2026-Q4_comparison.xlsx`` for a round's comparison (no hall)."""
    fmt = fmt.lower().lstrip(".")
    if hall is None:
        return f"{_safe(round_name)}_comparison.{fmt}"
    suffix = f"_audit{audit_id}" if audit_id is not None else ""
    return f"{_safe(hall)}_{_safe(round_name)}{suffix}.{fmt}"
