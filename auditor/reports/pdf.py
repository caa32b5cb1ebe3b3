"""PDF reports, laid out with reportlab: one audit, and the comparison of a round's halls.

The audit report (A4 portrait): a cover with the score, grade, coverage and what the grade hangs on; the
category scores as a bar chart and a table; the findings by category, every failed or inspector-reviewed
finding with its evidence crop (boxes drawn; citizens' faces blurred unless an inspector asks for them:
auditor.faces) and the others merged into a compact table; the rectification list (整改清单); signature
lines. The comparison (A4 landscape): the ranking with the change since the previous round, the halls'
category scores and the street x rule matrix that tells systemic failures from local ones.

Chinese is set in WenQuanYi Micro Hei, embedded as a subset so the PDF reads the same everywhere (the
built-in CID fonts such as STSong-Light are not embedded and show blank on many readers). Texts come from
the report model, already in the report's language; labels from the translation table.
"""

from __future__ import annotations

import io
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from auditor.annotate import (
    drawable,
    evidence_crop,
    evidence_region,
    face_scale,
    hide_faces,
    load_upright,
    load_upright_reduced,
    transformed,
)
from auditor.errors import AuditorError
from auditor.fonts import cjk_truetype_path
from auditor.i18n import score_text, t
from auditor.reports.model import (
    SYSTEMIC_SHARE,
    AuditReport,
    CategoryLine,
    ComparisonReport,
    RectificationItem,
    ReportRow,
    photo_label,
)
from auditor.types import Finding

FONT = "CJK"
_BUILD_LOCK = threading.Lock()

# Evidence crops: printed at most CROP_W x CROP_H, stored at about 150-200 dpi as JPEG, so that an audit of a
# hundred photos stays a few MB.
CROP_W, CROP_H = 66 * mm, 50 * mm
CROP_MAX_SIDE = 520
CROP_DECODE_SIDE = 400  # a photo is decoded at the resolution that gives each of its crops this much (~150 dpi)
CROP_QUALITY = 75
DECODE_WORKERS = max(1, min(4, os.cpu_count() or 1))
DECODE_AHEAD = DECODE_WORKERS + 1  # decoded photos held at once
MAX_TEXT = 600  # characters of one table cell (OCR readings can be long; a cell must fit on a page)
MAX_PHOTOS_LISTED = 6

NAVY = colors.HexColor("#1F3864")
BLUE_LIGHT = colors.HexColor("#E8EEF7")
GRID = colors.HexColor("#A9B7CC")
ZEBRA = colors.HexColor("#F5F7FA")
TEXT_GREY = colors.HexColor("#5F6368")
PASS_FG, PASS_BG = colors.HexColor("#1E7B34"), colors.HexColor("#DDF0E0")
FAIL_FG, FAIL_BG = colors.HexColor("#C62828"), colors.HexColor("#F9DCDC")
NA_FG, NA_BG = colors.HexColor("#6B6B6B"), colors.HexColor("#E7E7E7")
AMBER_FG, AMBER_BG = colors.HexColor("#A15C00"), colors.HexColor("#FCEBCF")

VERDICT_FG = {"pass": PASS_FG, "fail": FAIL_FG, "not_assessable": NA_FG}
VERDICT_BG = {"pass": PASS_BG, "fail": FAIL_BG, "not_assessable": NA_BG}
GRADE_FG = {"excellent": PASS_FG, "good": PASS_FG, "pass": AMBER_FG, "fail": FAIL_FG, "not_assessable": NA_FG}
STATUS_FG = {"open": AMBER_FG, "still_failing": FAIL_FG, "rectified": PASS_FG}
SEVERITY_FG = {"critical": FAIL_FG, "major": AMBER_FG, "minor": TEXT_GREY}
SPREAD_BG = {"systemic": FAIL_BG, "local": AMBER_BG}
SPREAD_FG = {"systemic": FAIL_FG, "local": AMBER_FG, "none": NA_FG}


# -- fonts, styles, small helpers ------------------------------------------------------------------------------
def _register_font() -> str:
    """The embedded CJK font's name; AuditorError naming the package to install when there is none."""
    path = cjk_truetype_path()
    if path is None:
        raise AuditorError("no CJK TrueType font to embed in the PDF report: install the Debian package "
                           "fonts-wqy-microhei (sudo apt-get install fonts-wqy-microhei)")
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
        # <b>/<i> in markup fall back to the same face (WenQuanYi Micro Hei has no bold) instead of failing.
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_small: ParagraphStyle
    cell_center: ParagraphStyle
    head: ParagraphStyle
    head_center: ParagraphStyle
    label: ParagraphStyle
    big: ParagraphStyle


def _styles(base: float = 8.0) -> _Styles:
    def style(name: str, size: float, colour: Any = colors.black, leading: float | None = None,
              align: int = TA_LEFT, before: float = 0, after: float = 0, keep: int = 0) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading or size * 1.3, textColor=colour,
                              alignment=align, spaceBefore=before, spaceAfter=after, keepWithNext=keep,
                              wordWrap="CJK")

    return _Styles(
        title=style("title", 20, NAVY, 27, TA_CENTER, after=4),
        subtitle=style("subtitle", 16, colors.black, 22, TA_CENTER, after=2),
        h1=style("h1", 13, NAVY, 17, before=6, after=5, keep=1),
        h2=style("h2", 10.5, NAVY, 14, before=8, after=4, keep=1),
        h3=style("h3", 9, colors.black, 12, before=4, after=3, keep=1),
        body=style("body", 9, leading=13),
        note=style("note", 7.5, TEXT_GREY, 10, after=4),
        cell=style("cell", base, leading=base * 1.3),
        cell_small=style("cell_small", base - 1, leading=(base - 1) * 1.3),
        cell_center=style("cell_center", base, leading=base * 1.3, align=TA_CENTER),
        head=style("head", base, colors.white, base * 1.3),
        head_center=style("head_center", base, colors.white, base * 1.3, TA_CENTER),
        label=style("label", 7.5, TEXT_GREY, 10, TA_CENTER),
        big=style("big", 22, NAVY, 26, TA_CENTER),
    )


def _label(key: str, lang: str) -> str:
    """A label of the translation table as a heading or column shows it (English ones capitalised)."""
    text = t(key, lang)
    return text[:1].upper() + text[1:] if lang == "en" else text


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _x(text: object) -> str:
    """A user text made safe for Paragraph markup (hall names, comments and OCR readings may hold < & >)."""
    return escape(_clip(str(text))).replace("\n", "<br/>")


def _coloured(text: str, colour: Any) -> str:
    """Markup of an already escaped text in a colour."""
    return f'<font color="{colour.hexval().replace("0x", "#")}">{text}</font>'


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_x(text), style)


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _photos_markup(photos: Sequence[str], lang: str) -> str:
    """Photo labels one a line (a label never breaks inside), the first few when there are many."""
    labels = [_x(photo_label(p)) for p in photos]
    if len(labels) > MAX_PHOTOS_LISTED:
        labels = labels[:MAX_PHOTOS_LISTED - 1] + [_x(t("pdf.more_photos", lang, count=len(labels)))]
    return "<br/>".join(labels)


def _table(data: list[list[Any]], widths: Sequence[float], header_rows: int = 1, zebra: bool = True,
           extra: Iterable[tuple[Any, ...]] = ()) -> Table:
    """A report table: navy header repeated on each page, thin grid, zebra rows."""
    table = Table(data, colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        commands += [("BACKGROUND", (0, 0), (-1, header_rows - 1), NAVY),
                     ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), colors.white)]
    if zebra and len(data) > header_rows + 1:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, ZEBRA]))
    commands += list(extra)
    table.setStyle(TableStyle(commands))
    return table


class _Swatch(Flowable):
    """A small coloured square for legends."""

    def __init__(self, fill: Any, size: float = 3 * mm):
        super().__init__()
        self.fill, self.width, self.height = fill, size, size

    def draw(self) -> None:
        self.canv.setFillColor(self.fill)
        self.canv.setStrokeColor(GRID)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=1)


def _legend(items: Sequence[tuple[Any, str]], st: _Styles) -> Table:
    row: list[Any] = []
    widths: list[float] = []
    for fill, text in items:
        row += [_Swatch(fill), _p(text, st.cell_small)]
        widths += [4.5 * mm, max(16 * mm, pdfmetrics.stringWidth(text, FONT, st.cell_small.fontSize) + 4 * mm)]
    table = Table([row], colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 1),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 1), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _canvas_class(footer: str, lang: str) -> type[Canvas]:
    """A canvas that writes the footer (``footer`` left, "page x of y" right) once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = self._pagesize
            left, right, y = 15 * mm, width - 15 * mm, 10 * mm
            self.saveState()
            self.setStrokeColor(GRID)
            self.setLineWidth(0.5)
            self.line(left, y + 4 * mm, right, y + 4 * mm)
            self.setFont(FONT, 7.5)
            self.setFillColor(TEXT_GREY)
            self.drawString(left, y, footer)
            self.drawRightString(right, y, t("pdf.page_of", lang, page=self._pageNumber, pages=total))
            self.restoreState()

    return FooterCanvas


def _build(story: list[Flowable], pagesize: tuple[float, float], footer: str, lang: str, title: str,
           subject: str, author: str = "", top: float = 14 * mm, bottom: float = 20 * mm) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=top, bottomMargin=bottom, title=title, subject=subject, author=author,
                            creator="hall-auditor", lang="zh-CN" if lang == "zh" else "en")
    with _BUILD_LOCK:  # rl_config is global: one build at a time changes it
        previous = rl_config.useA85
        rl_config.useA85 = 0  # binary streams: a quarter smaller than ASCII85, and no slow pure-Python encoding
        try:
            doc.build(story, canvasmaker=_canvas_class(footer, lang))
        finally:
            rl_config.useA85 = previous
    return buffer.getvalue()


# -- the audit report -----------------------------------------------------------------------------------------
def render_audit_pdf(report: AuditReport, show_faces: bool = False) -> bytes:
    """The PDF report of one audit, in ``report.lang``. Faces in the evidence crops are blurred unless
    ``show_faces`` (an inspector's copy; docs/reports.md). AuditorError when no CJK TrueType font is installed
    or, faces to be blurred, the face model is missing."""
    _register_font()
    lang = report.lang
    st = _styles()
    width = A4[0] - 30 * mm
    title = _label("label.report_title", lang)
    story: list[Flowable] = []
    story += _cover(report, st, width)
    story += _category_section(report, st, width)
    story.append(PageBreak())
    story += _findings_section(report, st, width, _evidence_crops(report, show_faces))
    story.append(PageBreak())
    story += _rectification_section(report, st, width)
    story += _signatures(report, st, width)
    footer = f"{report.hall} · {_label('label.round', lang)} {report.round} · {title}"
    return _build(story, A4, footer, lang, title=f"{title} - {report.hall} {report.round}", subject=report.hall,
                  author=report.inspector)


def _info_table(pairs: Sequence[tuple[str, str]], st: _Styles, width: float) -> Table:
    """Label/value pairs, two pairs a row (a pair alone on its row spans it)."""
    label_w = 24 * mm
    value_w = width / 2 - label_w
    rows: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    for i in range(0, len(pairs), 2):
        chunk = pairs[i:i + 2]
        row: list[Any] = []
        for label, value in chunk:
            row += [_p(label, st.cell), _p(value, st.cell)]
        if len(chunk) == 1:
            row += ["", ""]
            spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
        rows.append(row)
    shade = [("BACKGROUND", (2, n), (2, n), BLUE_LIGHT) for n in range(len(rows)) if rows[n][2] != ""]
    return _table(rows, [label_w, value_w, label_w, value_w], header_rows=0, zebra=False, extra=[
        ("BACKGROUND", (0, 0), (0, -1), BLUE_LIGHT), *shade, *spans])


def _cover(report: AuditReport, st: _Styles, width: float) -> list[Flowable]:
    lang = report.lang
    story: list[Flowable] = [Spacer(1, 6 * mm), _p(_label("label.report_title", lang), st.title),
                             _p(report.hall, st.subtitle), Spacer(1, 4 * mm)]
    story.append(_info_table([
        (_label("label.hall", lang), report.hall),
        (_label("label.round", lang), report.round),
        (_label("label.date", lang), f"{report.created_at:%Y-%m-%d %H:%M}"),
        (_label("label.inspector", lang), report.inspector or "-"),
        (_label("label.audit", lang), str(report.audit_id)),
        (_label("label.manual_version", lang), report.manual_version),
        (t("pdf.manual", lang), report.manual_title),
    ], st, width))
    story.append(Spacer(1, 5 * mm))

    grade_colour = GRADE_FG.get(report.grade, NA_FG)
    big = [Paragraph(_x(score_text(report.score)), st.big),
           Paragraph(_coloured(_x(report.grade_name), grade_colour), st.big),
           Paragraph(_x(_percent(report.coverage)), st.big)]
    labels = [_p(_label("label.score", lang), st.label), _p(_label("label.grade", lang), st.label),
              _p(_label("label.coverage", lang), st.label)]
    panel = Table([big, labels], colWidths=[width / 3] * 3, hAlign="LEFT")
    panel.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, NAVY), ("LINEAFTER", (0, 0), (1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, -1), BLUE_LIGHT), ("TOPPADDING", (0, 0), (-1, 0), 8),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 7), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [panel, Spacer(1, 4 * mm)]

    def listing(label: str, items: Sequence[str], colour: Any = colors.black) -> None:
        text = "<br/>".join(_coloured(_x(i), colour) for i in items) if items else _x(t("pdf.none", lang))
        rows.append([_p(label, st.cell), Paragraph(text, st.cell)])

    rows: list[list[Any]] = []
    listing(_label("label.failed_critical", lang), [f"{r} {title}" for r, title in report.failed_critical], FAIL_FG)
    listing(_label("label.unassessed_critical", lang), [f"{r} {title}" for r, title in report.unassessed_critical],
            AMBER_FG)
    listing(_label("label.uncovered_areas", lang), ["、".join(report.uncovered_areas) if lang == "zh"
                                               else ", ".join(report.uncovered_areas)] if report.uncovered_areas
            else [])
    listing(_label("label.rejected_photos", lang), [f"{photo_label(p)}: {reason}" for p, reason in report.rejected])
    story.append(_table(rows, [42 * mm, width - 42 * mm], header_rows=0, zebra=False,
                        extra=[("BACKGROUND", (0, 0), (0, -1), BLUE_LIGHT)]))
    return story


def _score_colour(score: float | None) -> Any:
    if score is None:
        return NA_FG
    return PASS_FG if score >= 80 else AMBER_FG if score >= 60 else FAIL_FG


def _category_chart(categories: Sequence[CategoryLine], lang: str, width: float) -> Drawing:
    """Horizontal bars of the category scores, first category on top; a category without score says so."""
    lines = list(reversed(categories))
    label_w = 48 * mm
    bar_h = 9 * mm
    height = bar_h * max(1, len(lines)) + 14 * mm
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 9 * mm
    chart.width, chart.height = width - label_w - 22 * mm, bar_h * max(1, len(lines))
    chart.data = [[c.score if c.score is not None else 0 for c in lines]]
    chart.categoryAxis.categoryNames = [c.name for c in lines]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = GRID
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = GRID
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDE3EC")
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.barWidth = bar_h * 0.6
    chart.groupSpacing = bar_h * 0.4
    chart.bars.strokeColor = None
    for i, line in enumerate(lines):
        chart.bars[(0, i)].fillColor = _score_colour(line.score) if line.score is not None else NA_BG
    drawing.add(chart)
    for i, line in enumerate(lines):
        y = chart.y + (i + 0.5) * chart.height / len(lines) - 3
        if line.score is None:
            text, x, colour = f"- ({t('verdict.not_assessable', lang)})", chart.x + 3, NA_FG
        else:
            text, x, colour = f"{line.score:.1f}", chart.x + chart.width * line.score / 100 + 3, colors.black
        drawing.add(String(x, y, text, fontName=FONT, fontSize=8, fillColor=colour))
    return drawing


def _category_section(report: AuditReport, st: _Styles, width: float) -> list[Flowable]:
    lang = report.lang
    story: list[Flowable] = [Spacer(1, 4 * mm), _p(_label("label.category_scores", lang), st.h1)]
    if report.categories:
        story.append(_category_chart(report.categories, lang, width))
    head = [_p(_label("label.category", lang), st.head), _p(_label("label.weight", lang), st.head_center),
            _p(_label("label.score", lang), st.head_center), _p(t("pdf.passed_of_assessed", lang), st.head_center)]
    rows: list[list[Any]] = [head]
    for c in report.categories:
        score = (_x(score_text(c.score)) if c.score is not None
                 else _coloured(_x(t("verdict.not_assessable", lang)), NA_FG))
        rows.append([_p(c.name, st.cell), _p(f"{c.weight:g}", st.cell_center),
                     Paragraph(_coloured(score, _score_colour(c.score)), st.cell_center),
                     _p(f"{c.passed_weight:g} / {c.assessed_weight:g}", st.cell_center)])
    story.append(_table(rows, [width - 96 * mm, 24 * mm, 30 * mm, 42 * mm]))
    return story


# -- findings ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Crop:
    jpeg: bytes
    width: int
    height: int


def _detailed(row: ReportRow) -> bool:
    """Findings shown one by one with their evidence: failed ones and those an inspector reviewed."""
    return row.final_verdict == "fail" or row.override_verdict is not None


def _crop_jobs(row: ReportRow, finding: Finding | None) -> list[tuple[str, Finding]]:
    """(photo, finding restricted to that photo's evidence) pairs to draw for a row."""
    if finding is None:
        return []
    if finding.photo:
        return [(finding.photo, finding)]
    photos = list(dict.fromkeys(e.photo for e in drawable(finding) if e.photo))[:2]  # a hall-level finding
    return [(p, finding.model_copy(update={"evidence": tuple(e for e in finding.evidence if e.photo == p)}))
            for p in photos]


def _needed_scale(findings: Iterable[Finding], width: int, height: int) -> float:
    """The least share of the photo's resolution that still gives every crop CROP_DECODE_SIDE pixels."""
    scale = 0.0
    for finding in findings:
        region = evidence_region(finding, width, height)
        side = max(region[2] - region[0], region[3] - region[1]) if region is not None else max(width, height)
        scale = max(scale, min(1.0, CROP_DECODE_SIDE / max(side, 1.0)))
    return scale or 1.0


@dataclass
class _Decoded:
    image: PILImage.Image | None
    sx: float = 1.0
    sy: float = 1.0
    problem: str = ""


def _decode(report: AuditReport, photo: str, findings: Sequence[Finding], show_faces: bool = False) -> _Decoded:
    """One photo for its crops, its faces blurred unless ``show_faces`` (decoded large enough for the face
    finder then); a missing or unreadable file becomes the sentence the report prints instead."""
    path = report.photo_files.get(photo)
    if path is None:
        return _Decoded(None, problem=t("pdf.photo_missing", report.lang, photo=photo_label(photo)))
    sizes = next(((p.width, p.height) for p in report.photos if p.name == photo), None)
    try:
        if sizes is None:
            decoded = _Decoded(load_upright(path))
        else:
            scale = _needed_scale(findings, *sizes)
            image, sx, sy = load_upright_reduced(path, *sizes, scale if show_faces else face_scale(*sizes, scale))
            decoded = _Decoded(image, sx, sy)
    except (AuditorError, OSError, ValueError, PILImage.DecompressionBombError):
        return _Decoded(None, problem=t("pdf.photo_unreadable", report.lang, photo=photo_label(photo)))
    if not show_faces and decoded.image is not None:  # a missing face model is an error, not a photo problem
        width, height = decoded.image.size
        # Only the crops leave: the face finder looks closely at them (the whole photo is looked at once).
        regions = [evidence_region(transformed(f, sx=decoded.sx, sy=decoded.sy), width, height)
                   or (0.0, 0.0, float(width), float(height)) for f in findings]
        decoded.image = hide_faces(decoded.image, report.findings, photo, decoded.sx, decoded.sy, regions)
    return decoded


def _decoded_photos(report: AuditReport, by_photo: dict[str, list[tuple[int, Finding]]], show_faces: bool = False
                    ) -> Iterator[tuple[str, list[tuple[int, Finding]], _Decoded]]:
    """The photos decoded (and their faces blurred, unless ``show_faces``) a few at a time in threads
    (decoding and the face model release the GIL), in order; at most DECODE_AHEAD decoded images are held
    at once."""
    items = iter(by_photo.items())
    with ThreadPoolExecutor(max_workers=DECODE_WORKERS) as pool:
        pending: deque[tuple[str, list[tuple[int, Finding]], Future[_Decoded]]] = deque()

        def submit() -> None:
            item = next(items, None)
            if item is not None:
                photo, jobs = item
                pending.append((photo, jobs, pool.submit(_decode, report, photo, [f for _, f in jobs], show_faces)))

        for _ in range(DECODE_AHEAD):
            submit()
        while pending:
            photo, jobs, future = pending.popleft()
            submit()
            yield photo, jobs, future.result()


def _evidence_crops(report: AuditReport, show_faces: bool = False) -> dict[int, list[_Crop | str]]:
    """Row index -> its evidence crops (or the text saying why a photo cannot be shown), faces blurred unless
    ``show_faces``.

    Each photo is decoded once, at the resolution its crops need, and only the small JPEG crops are kept.
    The drawing stays in this thread (the font is shared).
    """
    findings = {f.id: f for f in report.findings if f.id is not None}
    by_photo: dict[str, list[tuple[int, Finding]]] = {}
    for index, row in enumerate(report.rows):
        if _detailed(row):
            for photo, finding in _crop_jobs(row, findings.get(row.finding_id)):
                by_photo.setdefault(photo, []).append((index, finding))
    crops: dict[int, list[_Crop | str]] = {}
    for _photo, jobs, decoded in _decoded_photos(report, by_photo, show_faces):
        for index, finding in jobs:
            if decoded.image is None:
                crops.setdefault(index, []).append(decoded.problem)
                continue
            # Evidence outside the photo (another photo under the same name) gives the whole photo, not an error.
            crop = evidence_crop(decoded.image, transformed(finding, sx=decoded.sx, sy=decoded.sy), report.manual,
                                 report.lang, max_side=CROP_MAX_SIDE)
            buffer = io.BytesIO()
            crop.save(buffer, "JPEG", quality=CROP_QUALITY, optimize=True)
            crops.setdefault(index, []).append(_Crop(buffer.getvalue(), crop.width, crop.height))
        decoded.image = None
    return crops


def _crop_flowable(crop: _Crop | str, st: _Styles) -> Flowable:
    if isinstance(crop, str):
        return _p(crop, st.cell_small)
    scale = min(CROP_W / crop.width, CROP_H / crop.height)
    return Image(io.BytesIO(crop.jpeg), width=crop.width * scale, height=crop.height * scale)


def _verdict_markup(verdict: str, lang: str) -> str:
    return _coloured(_x(t(f"verdict.{verdict}", lang)), VERDICT_FG.get(verdict, colors.black))


def _finding_block(row: ReportRow, crops: list[_Crop | str], st: _Styles, width: float, lang: str) -> Flowable:
    verdict = row.final_verdict
    head = Table([[Paragraph(f"{_verdict_markup(verdict, lang)}　{_x(row.rule_id)} {_x(row.rule_title)}", st.h3),
                   Paragraph(_coloured(_x(row.severity_name), SEVERITY_FG.get(row.severity, colors.black)),
                             ParagraphStyle("sev", parent=st.cell, alignment=TA_RIGHT))]],
                 colWidths=[width - 30 * mm, 30 * mm])
    head.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), VERDICT_BG.get(verdict, NA_BG)),
                              ("LINEABOVE", (0, 0), (-1, 0), 1.2, VERDICT_FG.get(verdict, NA_FG)),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    details: list[list[Any]] = []

    def add(label: str, markup: str) -> None:
        details.append([_p(label, st.cell_small), Paragraph(markup, st.cell)])

    add(_label("label.clause", lang), _x(row.clause))
    add(_label("label.area", lang), _x(row.area_name))
    add(_label("label.photo", lang), _x(photo_label(row.photo) or _label("label.whole_hall", lang)))
    add(_label("label.machine_verdict", lang), _verdict_markup(row.machine_verdict, lang))
    if row.override_verdict is not None:
        at = f"{row.override_at:%Y-%m-%d %H:%M}" if isinstance(row.override_at, datetime) else ""
        add(_label("label.override", lang), f"{_verdict_markup(row.override_verdict, lang)}　"
                                       f"{_x(row.override_by or '')}　{_x(at)}")
        add(_label("label.comment", lang), _x(row.override_comment or ""))
    add(_label("label.message", lang), _x(row.message))
    if row.evidence:
        add(_label("label.evidence", lang), _x(row.evidence))
    image_w = CROP_W + 4 * mm if crops else 0
    detail_w = width - image_w
    detail_table = Table(details, colWidths=[24 * mm, detail_w - 24 * mm])
    detail_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                                      ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                                      ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                                      ("LINEBELOW", (0, 0), (-1, -2), 0.3, colors.HexColor("#E1E5EB"))]))
    if crops:
        body = Table([[detail_table, [_crop_flowable(c, st) for c in crops]]], colWidths=[detail_w, image_w])
    else:
        body = Table([[detail_table]], colWidths=[width])
    body.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (-1, 0), (-1, 0), "RIGHT"),
                              ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID)]))
    return KeepTogether([head, body, Spacer(1, 4 * mm)])


def _merged_rows(rows: Sequence[ReportRow], rule_order: dict[str, int]) -> list[tuple[ReportRow, list[str]]]:
    """Rows with the same rule, verdict and message merged, with the photos they were judged on."""
    verdict_order = {"fail": 0, "pass": 1, "not_assessable": 2}
    groups: dict[tuple[str, str, str], tuple[ReportRow, list[str]]] = {}
    for row in rows:
        key = (row.rule_id, row.final_verdict, row.message)
        groups.setdefault(key, (row, []))[1].append(row.photo)
    return sorted(groups.values(), key=lambda g: (rule_order.get(g[0].rule_id, len(rule_order)),
                                                  verdict_order.get(g[0].final_verdict, 3)))


def _findings_section(report: AuditReport, st: _Styles, width: float,
                      crops: dict[int, list[_Crop | str]]) -> list[Flowable]:
    lang = report.lang
    story: list[Flowable] = [_p(_label("label.findings", lang), st.h1), _p(t("pdf.findings_note", lang), st.note)]
    rule_order = {r.id: i for i, r in enumerate(report.manual.rules)}
    indexed = sorted(enumerate(report.rows), key=lambda ir: (rule_order.get(ir[1].rule_id, len(rule_order)),
                                                             ir[1].photo))
    names = {c.category: c.name for c in report.categories}
    scores = {c.category: c.score for c in report.categories}
    order = [c.category for c in report.categories]
    order += sorted({r.category for r in report.rows} - set(order))
    for number, category in enumerate(order, start=1):
        in_category = [(i, r) for i, r in indexed if r.category == category]
        name = names.get(category) or (in_category[0][1].category_name if in_category else category) or "-"
        score = scores.get(category)
        score_markup = (_coloured(_x(f"{_label('label.score', lang)} {score_text(score)}"), _score_colour(score))
                        if category in scores else "")
        story.append(Paragraph(f"{number}. {_x(name)}　{score_markup}", st.h2))
        if not in_category:
            story.append(_p(t("pdf.no_findings", lang), st.note))
            continue
        detailed = [(i, r) for i, r in in_category if _detailed(r)]
        others = [r for _, r in in_category if not _detailed(r)]
        if detailed:
            story.append(_p(t("pdf.reviewed_findings", lang), st.h3))
            story += [_finding_block(r, crops.get(i, []), st, width, lang) for i, r in detailed]
        if others:
            story.append(_p(t("pdf.other_findings", lang), st.h3))
            story.append(_others_table(others, rule_order, st, width, lang))
    return story


def _others_table(rows: Sequence[ReportRow], rule_order: dict[str, int], st: _Styles, width: float,
                  lang: str) -> Table:
    head = [_p(_label("label.rule", lang), st.head), _p(_label("label.final_verdict", lang), st.head_center),
            _p(_label("label.photo", lang), st.head), _p(_label("label.message", lang), st.head)]
    data: list[list[Any]] = [head]
    extra: list[tuple[Any, ...]] = []
    for n, (row, photos) in enumerate(_merged_rows(rows, rule_order), start=1):
        verdict = row.final_verdict
        listed = [p for p in photos if p]
        photos_markup = _photos_markup(listed, lang) if listed else _x(_label("label.whole_hall", lang))
        data.append([_p(f"{row.rule_id} {row.rule_title}", st.cell_small),
                     Paragraph(_coloured(_x(t(f"pdf.verdict_short.{verdict}", lang)), VERDICT_FG.get(verdict, NA_FG)),
                               st.cell_center),
                     Paragraph(photos_markup, st.cell_small), _p(row.message, st.cell_small)])
        extra.append(("BACKGROUND", (1, n), (1, n), VERDICT_BG.get(verdict, NA_BG)))
    widths = [48 * mm, 16 * mm, 42 * mm, width - 106 * mm]
    return _table(data, widths, extra=extra)


# -- rectification list, signatures ---------------------------------------------------------------------------
def _rectification_section(report: AuditReport, st: _Styles, width: float) -> list[Flowable]:
    lang = report.lang
    story: list[Flowable] = [_p(_label("label.rectification", lang), st.h1)]
    if not report.rectification:
        story.append(_p(_label("label.no_failed_rules", lang), st.body))
        return story
    head = [_p(_label(key, lang), st.head_center if key in ("label.number", "label.deadline", "label.status")
               else st.head)
            for key in ("label.number", "label.rule", "label.problem", "label.photo", "label.responsible",
                        "label.deadline", "label.status")]
    data: list[list[Any]] = [head]
    for item in report.rectification:
        data.append(_rectification_row(item, st, lang))
    widths = [9 * mm, 33 * mm, 0.0, 31 * mm, 20 * mm, 18 * mm, 16 * mm]
    widths[2] = width - sum(widths)
    story.append(_table(data, widths, extra=[("VALIGN", (0, 1), (-1, -1), "TOP")]))
    return story


def _rectification_row(item: RectificationItem, st: _Styles, lang: str) -> list[Any]:
    severity = _coloured(_x(item.severity_name), SEVERITY_FG.get(item.severity, colors.black))
    rule = Paragraph(f"{_x(item.rule_id)} {_x(item.rule_title)}<br/>{severity}", st.cell_small)
    status = Paragraph(_coloured(_x(item.status_name), STATUS_FG.get(item.status, colors.black)), st.cell_center)
    return [_p(str(item.number), st.cell_center), rule, _p(item.problem, st.cell_small),
            Paragraph(_photos_markup(item.photos, lang), st.cell_small), _p(item.responsible, st.cell_small),
            _p(f"{item.deadline:%Y-%m-%d}", st.cell_center), status]


def _signatures(report: AuditReport, st: _Styles, width: float) -> list[Flowable]:
    lang = report.lang
    line = "_" * 22
    date_text = f"{t('pdf.sign_date', lang)}{line}"
    rows = [[_p(t("pdf.signature_inspector", lang), st.body), _p(line, st.body), _p(date_text, st.body)],
            [_p(t("pdf.signature_hall", lang), st.body), _p(line, st.body), _p(date_text, st.body)]]
    table = Table(rows, colWidths=[width * 0.36, width * 0.3, width * 0.34], hAlign="LEFT")
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return [Spacer(1, 12 * mm), KeepTogether([table])]


# -- the comparison of a round --------------------------------------------------------------------------------
def render_comparison_pdf(report: ComparisonReport) -> bytes:
    """The PDF comparison of a round's halls (A4 landscape), in ``report.lang``."""
    _register_font()
    lang = report.lang
    st = _styles(7.5)
    pagesize = landscape(A4)
    width = pagesize[0] - 30 * mm
    title = _label("label.comparison_title", lang)
    facts = [f"{_label('label.round', lang)}：{report.round}" if lang == "zh" else f"{_label('label.round', lang)}: "
             f"{report.round}"]
    if report.previous_round:
        facts.append(f"{_label('label.previous_round', lang)}：{report.previous_round}" if lang == "zh"
                     else f"{_label('label.previous_round', lang)}: {report.previous_round}")
    facts.append(f"{t('pdf.halls', lang)}：{len(report.halls)}" if lang == "zh"
                 else f"{t('pdf.halls', lang)}: {len(report.halls)}")
    story: list[Flowable] = [_p(title, st.title), _p("　·　".join(facts), ParagraphStyle(
        "facts", parent=st.body, alignment=TA_CENTER)), Spacer(1, 4 * mm)]
    story += _ranking(report, st, width)
    story += _category_matrix(report, st, width)
    story.append(PageBreak())
    story += _rule_matrix(report, st, width)
    footer = f"{title} · {_label('label.round', lang)} {report.round}"
    return _build(story, pagesize, footer, lang, title=f"{title} - {report.round}", subject=report.round,
                  top=11 * mm, bottom=18 * mm)


def _ranking(report: ComparisonReport, st: _Styles, width: float) -> list[Flowable]:
    lang = report.lang
    keys = ("label.rank", "label.hall", "label.score", "label.grade", "label.previous_round", "label.change",
            "label.coverage", "label.failed_critical")
    head = [_p(_label(k, lang), st.head if k in ("label.hall", "label.failed_critical") else st.head_center)
            for k in keys]
    data: list[list[Any]] = [head]
    rules = report.manual.rules_by_id
    for h in report.halls:
        if h.change is None:
            change = "-"
        else:
            sign = "+" if h.change > 0 else ""
            colour = PASS_FG if h.change > 0 else FAIL_FG if h.change < 0 else colors.black
            change = _coloured(_x(f"{sign}{h.change:.1f}"), colour)
        critical = "<br/>".join(_coloured(_x(f"{r} {rules[r].title.get(lang) if r in rules else ''}".strip()), FAIL_FG)
                                for r in h.failed_critical) or _x(t("pdf.none", lang))
        data.append([_p(str(h.rank), st.cell_center), _p(h.hall, st.cell),
                     _p(score_text(h.score), st.cell_center),
                     Paragraph(_coloured(_x(h.grade_name), GRADE_FG.get(h.grade, NA_FG)), st.cell_center),
                     _p(score_text(h.previous_score), st.cell_center), Paragraph(change, st.cell_center),
                     _p(_percent(h.coverage), st.cell_center), Paragraph(critical, st.cell)])
    widths = [12 * mm, 40 * mm, 18 * mm, 20 * mm, 18 * mm, 18 * mm, 26 * mm, 0.0]
    widths[-1] = width - sum(widths)
    return [_p(t("pdf.ranking", lang), st.h1), _table(data, widths)]


def _score_bg(score: float | None) -> Any:
    if score is None:
        return NA_BG
    return PASS_BG if score >= 80 else AMBER_BG if score >= 60 else FAIL_BG


def _category_matrix(report: ComparisonReport, st: _Styles, width: float) -> list[Flowable]:
    lang = report.lang
    head = [_p(_label("label.hall", lang), st.head)] + [
        _p(f"{c.name} ({c.weight:g})", st.head_center) for c in report.categories] + [
        _p(_label("label.score", lang), st.head_center)]
    data: list[list[Any]] = [head]
    extra: list[tuple[Any, ...]] = []
    for n, h in enumerate(report.halls, start=1):
        row: list[Any] = [_p(h.hall, st.cell)]
        for col, c in enumerate(report.categories, start=1):
            score = h.categories.get(c.category)
            row.append(_p(score_text(score), st.cell_center))
            extra.append(("BACKGROUND", (col, n), (col, n), _score_bg(score)))
        row.append(_p(score_text(h.score), st.cell_center))
        data.append(row)
    hall_w = 40 * mm
    col_w = min(36 * mm, (width - hall_w) / (len(report.categories) + 1))
    widths = [hall_w] + [col_w] * (len(report.categories) + 1)
    return [_p(_label("label.category_scores", lang), st.h1), _table(data, widths, zebra=False, extra=extra)]


def _rule_matrix(report: ComparisonReport, st: _Styles, width: float) -> list[Flowable]:
    """Rules as rows (grouped by category), halls as columns; more halls than fit go to a further table."""
    lang = report.lang
    story: list[Flowable] = [_p(t("pdf.rule_matrix", lang), st.h1),
                             _p(t("pdf.spread_note", lang, share=f"{SYSTEMIC_SHARE:.0%}"), st.note),
                             _legend([(PASS_BG, t("verdict.pass", lang)), (FAIL_BG, t("verdict.fail", lang)),
                                      (NA_BG, t("verdict.not_assessable", lang)),
                                      (colors.white, f"— {t('pdf.not_in_manual', lang)}")], st),
                             Spacer(1, 1.5 * mm)]
    rule_w, failed_w, spread_w = (66 if lang == "zh" else 84) * mm, 19 * mm, 17 * mm
    room = width - rule_w - failed_w - spread_w
    per_table = max(1, int(room // (12 * mm)))
    halls = [h.hall for h in report.halls]
    chunks = [halls[i:i + per_table] for i in range(0, len(halls), per_table)] or [[]]
    small = ParagraphStyle("matrix", parent=st.cell_small, fontSize=6.3, leading=7.0, alignment=TA_CENTER)
    rule_style = ParagraphStyle("matrix_rule", parent=small, alignment=TA_LEFT)
    for chunk in chunks:
        hall_w = room / max(1, len(chunk)) if len(chunks) == 1 else room / per_table
        head = ([_p(_label("label.rule", lang), st.head)] + [_p(h, ParagraphStyle(
            "hallhead", parent=st.head_center, fontSize=6.5, leading=8)) for h in chunk]
            + [_p(_label("label.failed_in", lang), st.head_center), _p(_label("label.spread", lang), st.head_center)])
        data: list[list[Any]] = [head]
        extra: list[tuple[Any, ...]] = [("TOPPADDING", (0, 1), (-1, -1), 0.8),
                                        ("BOTTOMPADDING", (0, 1), (-1, -1), 1.2)]
        last_category = None
        ncols = len(chunk) + 3
        for rule in report.rules:
            if rule.category != last_category:
                last_category = rule.category
                n = len(data)
                data.append([_p(rule.category_name, rule_style)] + [""] * (ncols - 1))
                extra += [("SPAN", (0, n), (-1, n)), ("BACKGROUND", (0, n), (-1, n), BLUE_LIGHT)]
            n = len(data)
            row: list[Any] = [_p(f"{rule.rule_id} {rule.title}", rule_style)]
            for col, hall in enumerate(chunk, start=1):
                verdict = rule.verdicts.get(hall)
                if verdict is None:
                    row.append(_p("—", small))
                    continue
                word = _x(t(f"pdf.verdict_short.{verdict}", lang))
                row.append(Paragraph(_coloured(word, FAIL_FG) if verdict == "fail" else word, small))
                extra += [("BACKGROUND", (col, n), (col, n), VERDICT_BG.get(verdict, NA_BG))]
            spread = (Paragraph(_coloured(_x(t(f"spread.{rule.spread}", lang)), SPREAD_FG[rule.spread]), small)
                      if rule.spread in SPREAD_FG else _p(rule.spread, small))
            row += [_p(f"{rule.failed_in} / {rule.assessed_in}", small), spread]
            if rule.spread in SPREAD_BG:
                extra.append(("BACKGROUND", (ncols - 1, n), (ncols - 1, n), SPREAD_BG[rule.spread]))
            data.append(row)
        widths = [rule_w] + [hall_w] * len(chunk) + [failed_w, spread_w]
        if len(story) > 4:  # a further table of halls
            story.append(Spacer(1, 5 * mm))
        story.append(_table(data, widths, zebra=False, extra=extra))
    return story


__all__ = ["render_audit_pdf", "render_comparison_pdf"]
