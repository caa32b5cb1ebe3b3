"""The PDF reports: what a reader finds in them (parsed back with pypdf), the embedded font, missing photos."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from auditor.collect import PhotoInput
from auditor.errors import AuditorError
from auditor.i18n import t
from auditor.manual import Manual
from auditor.pipeline import Auditor, Detectors
from auditor.reports import pdf as pdf_module
from auditor.reports.model import build_audit_report, build_comparison
from auditor.reports.pdf import render_audit_pdf, render_comparison_pdf
from auditor.store import AuditStore
from auditor.types import Area, Verdict
from tests.conftest import FixedObjects, FixedTexts, jpeg_bytes

COMMENT = "水杯为办事群众遗留 <已当场移走> & 不计"


def _audit(auditor: Auditor, store: AuditStore, hall: str, round_name: str = "2026-Q4", seed: int = 0,
           duplicate: bool = False) -> int:
    photos = [PhotoInput(f"window_counter/{i:02d}.jpg", Area.WINDOW_COUNTER, jpeg_bytes(colour=(seed, 100 + i, 90)))
              for i in range(2)]
    if duplicate:
        photos.append(PhotoInput("window_counter/dup.jpg", Area.WINDOW_COUNTER, jpeg_bytes(colour=(seed, 100, 90))))
    audit_id, _ = auditor.audit(photos, hall=hall, round_name=round_name, inspector="张三", store=store)
    assert audit_id is not None
    return audit_id


@pytest.fixture()
def clean_auditor(manual: Manual) -> Auditor:
    """Sees the same counter as ``counter_auditor`` but without the cup: nothing fails."""
    objects = FixedObjects(
        found=[("counter", (20, 120, 300, 220)), ("window_plate", (100, 10, 220, 60)),
               ("evaluation_device", (200, 100, 240, 128))],
        detectable={"counter", "cup", "food", "bag", "plant", "paper_pile", "clothing", "sticker", "window_plate",
                    "evaluation_device", "handwritten_note"},
    )
    return Auditor(manual, Detectors(objects=objects, texts=FixedTexts([("3号窗口 综合受理", (105, 15, 215, 55))]),
                                     lines=None))


def _reader(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-"
    return PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    """All the text, without white space: table cells wrap titles over lines."""
    return "".join("".join(page.extract_text() for page in _reader(data).pages).split())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _image_count(data: bytes) -> int:
    return len(_jpegs(data))


def _jpegs(data: bytes) -> list[Image.Image]:
    """The JPEG images drawn on the pages, decoded here: pypdf's own decoding calls Image.open with keyword
    arguments, which breaks once ultralytics (imported by other tests) has patched Image.open."""
    found = []
    for page in _reader(data).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            xobject = ref.get_object()
            filters = xobject.get("/Filter")
            filters = list(filters) if isinstance(filters, list) else [filters]
            if xobject.get("/Subtype") == "/Image" and filters == ["/DCTDecode"]:
                found.append(Image.open(io.BytesIO(xobject._data)))
    return found


def _fonts(data: bytes) -> list[dict]:
    fonts = []
    for page in _reader(data).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources is not None else None
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            fonts.append(ref.get_object())
    return fonts


def test_audit_pdf_in_chinese(counter_auditor: Auditor, store: AuditStore, manual: Manual) -> None:
    audit_id = _audit(counter_auditor, store, "纸坊街道", duplicate=True)
    finding = next(f for f in store.load(audit_id).result.findings
                   if f.rule_id == "ITM-02" and f.verdict is Verdict.FAIL)
    store.override(finding.id, Verdict.PASS, COMMENT, by="李四")
    report = build_audit_report(store, audit_id, "zh")
    data = render_audit_pdf(report)
    text = _text(data)

    assert "纸坊街道" in text and "张三" in text
    assert _squeezed(t("label.report_title", "zh")) in text
    for rule_id in ("ITM-01", "ITM-02", "SIG-03"):
        assert rule_id in text
        assert _squeezed(manual.rules_by_id[rule_id].title.zh) in text
    assert report.score is not None and f"{report.score:.1f}" in text
    assert report.grade_name in text
    assert _squeezed(COMMENT) in text, "the inspector's comment, markup characters and all"
    assert "李四" in text, "who overrode the verdict"
    assert "window_counter/dup.jpg" in text, "a photo that could not be audited is named on the cover"

    rectification = text.split(t("label.rectification", "zh"))[-1]
    assert rectification != text, "the rectification list has its heading"
    failed = list(report.rectification)
    assert [i.rule_id for i in failed][:1] == ["ITM-01"]
    for item in failed:
        assert item.rule_id in rectification
        assert f"{item.deadline:%Y-%m-%d}" in rectification
        assert _squeezed(item.responsible) in rectification
    assert "SIG-03" not in rectification, "a passed rule is no item of the list"

    pages = len(_reader(data).pages)
    assert t("pdf.page_of", "zh", page=pages, pages=pages).replace(" ", "") in text
    assert _image_count(data) >= 2, "the failed findings' evidence crops are printed"


def test_audit_pdf_in_english(counter_auditor: Auditor, store: AuditStore, manual: Manual) -> None:
    audit_id = _audit(counter_auditor, store, "金口街道")
    text = _text(render_audit_pdf(build_audit_report(store, audit_id, "en")))
    assert "金口街道" in text, "the hall's name is kept as it was written"
    assert _squeezed(manual.rules_by_id["ITM-01"].title.en) in text
    assert _squeezed(manual.rules_by_id["SIG-03"].title.en) in text
    assert _squeezed(manual.rules_by_id["ITM-01"].title.zh) not in text
    assert "rectificationlist" in text.lower()
    assert _squeezed(t("verdict.not_assessable", "en")) in text, "categories without score say so"
    assert "整改清单" not in text


def test_no_failed_rule_says_so(clean_auditor: Auditor, store: AuditStore) -> None:
    audit_id = _audit(clean_auditor, store, "山坡街道")
    report = build_audit_report(store, audit_id, "zh")
    assert report.rectification == ()
    data = render_audit_pdf(report)
    assert _squeezed(t("label.no_failed_rules", "zh")) in _text(data)
    assert _image_count(data) == 0, "no failed or reviewed finding, so no evidence crop"


def test_the_font_is_embedded(counter_auditor: Auditor, store: AuditStore) -> None:
    data = render_audit_pdf(build_audit_report(store, _audit(counter_auditor, store, "法泗街道"), "zh"))
    fonts = _fonts(data)
    names = [str(f.get("/BaseFont")) for f in fonts]
    assert not any("STSong" in n for n in names), names
    cjk = [f for f in fonts if "WenQuanYi" in str(f.get("/BaseFont"))]
    assert cjk, names
    for font in cjk:
        descriptor = font.get("/FontDescriptor").get_object()
        assert "/FontFile2" in descriptor, "the TrueType outlines are in the file"
        assert str(font["/BaseFont"])[7] == "+", "a subset (AAAAAA+name), so the file stays small"


def test_missing_font_names_the_package(counter_auditor: Auditor, store: AuditStore,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    report = build_audit_report(store, _audit(counter_auditor, store, "郑店街道"), "zh")
    monkeypatch.setattr(pdf_module, "cjk_truetype_path", lambda: None)
    with pytest.raises(AuditorError, match="fonts-wqy-microhei"):
        render_audit_pdf(report)


def test_report_renders_when_the_photos_are_gone(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id = _audit(counter_auditor, store, "乌龙泉街道")
    stored = store.load(audit_id)
    for photo in stored.result.photos:
        store.photo_path(photo.stored_as).unlink()
    report = build_audit_report(store, audit_id, "zh")
    assert report.photo_files == {}
    data = render_audit_pdf(report)
    text = _text(data)
    assert _image_count(data) == 0
    assert _squeezed(t("pdf.photo_missing", "zh", photo="window_counter/00.jpg")) in text
    assert "ITM-01" in text.split(t("label.rectification", "zh"))[-1], "the rectification list is still there"


def test_photo_deleted_after_the_report_was_built(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id = _audit(counter_auditor, store, "五里界街道")
    report = build_audit_report(store, audit_id, "en")
    for path in report.photo_files.values():
        path.unlink()
    text = _text(render_audit_pdf(report))
    assert _squeezed(t("pdf.photo_unreadable", "en", photo="window_counter/00.jpg")) in text


def test_comparison_pdf(counter_auditor: Auditor, clean_auditor: Auditor, store: AuditStore,
                        manual: Manual) -> None:
    _audit(counter_auditor, store, "安山街道", round_name="2026-Q3", seed=9)
    _audit(counter_auditor, store, "纸坊街道", seed=1)
    _audit(counter_auditor, store, "金口街道", seed=2)
    _audit(clean_auditor, store, "安山街道", seed=3)
    report = build_comparison(store, "2026-Q4", "zh")
    assert report.previous_round == "2026-Q3"
    data = render_comparison_pdf(report)
    text = _text(data)
    for hall in ("纸坊街道", "金口街道", "安山街道"):
        assert hall in text
    for rule in manual.rules:
        assert rule.id in text
    assert "2026-Q3" in text, "the previous round is named"
    improved = next(h for h in report.halls if h.hall == "安山街道")
    assert improved.change is not None and improved.change > 0
    assert f"+{improved.change:.1f}" in text, "the change since the previous round"
    itm01 = next(r for r in report.rules if r.rule_id == "ITM-01")
    assert itm01.spread == "systemic"
    assert t("spread.systemic", "zh") in text
    assert _squeezed(t("pdf.rule_matrix", "zh")) in text
    assert any("WenQuanYi" in str(f.get("/BaseFont")) for f in _fonts(data))


def test_comparison_pdf_in_english_splits_many_halls(counter_auditor: Auditor, store: AuditStore,
                                                     manual: Manual) -> None:
    halls = [f"Hall {n:02d} <east> & co" for n in range(16)]
    for n, hall in enumerate(halls):
        _audit(counter_auditor, store, hall, seed=n)
    text = _text(render_comparison_pdf(build_comparison(store, "2026-Q4", "en")))
    for hall in halls:
        assert _squeezed(hall) in text, "every hall, escaped for the markup"
    assert _squeezed(manual.rules_by_id["FAC-10"].title.en) in text
    assert text.count("FAC-10") >= 2, "more halls than fit one table: the matrix goes on in a second one"


def test_evidence_crop_of_a_large_photo_shows_the_evidence(manual: Manual, store: AuditStore,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A large JPEG is decoded at a fraction of its size for the crops; the boxes must follow it."""
    scale = 10  # the counter_auditor's scene, ten times larger
    found = [("counter", (20, 120, 300, 220)), ("cup", (100, 90, 130, 130)), ("window_plate", (100, 10, 220, 60)),
             ("evaluation_device", (200, 100, 240, 128))]
    objects = FixedObjects(found=[(name, tuple(v * scale for v in box)) for name, box in found],
                           detectable={"counter", "cup", "window_plate", "evaluation_device"})
    auditor = Auditor(manual, Detectors(objects=objects, texts=None, lines=None))
    image = Image.new("RGB", (320 * scale, 240 * scale), (128, 128, 128))
    ImageDraw.Draw(image).rectangle((100 * scale, 90 * scale, 130 * scale, 130 * scale), fill=(0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    audit_id, _ = auditor.audit([PhotoInput("window_counter/big.jpg", Area.WINDOW_COUNTER, buffer.getvalue())],
                                hall="舒安街道", round_name="2026-Q4", store=store)
    monkeypatch.setattr(pdf_module, "CROP_DECODE_SIDE", 100)  # decode at 1/4: the crops are small anyway
    data = render_audit_pdf(build_audit_report(store, audit_id, "zh"))
    crops = _jpegs(data)
    assert len(crops) == 2, "ITM-01 and ITM-02 fail on the cup"
    for crop in crops:
        assert max(crop.size) <= pdf_module.CROP_MAX_SIDE
        r, g, b = crop.convert("RGB").getpixel((crop.width // 2, crop.height // 2))
        assert b > 180 and r < 90 and g < 90, "the cup is in the middle of its crop"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (make setup installs it)")
def test_pdftotext_reads_the_chinese(counter_auditor: Auditor, store: AuditStore, manual: Manual,
                                     tmp_path) -> None:
    """What a hall head's PDF viewer or a search index sees: poppler extracts the Chinese text itself."""
    audit_id = _audit(counter_auditor, store, "江夏经济开发区")
    path = tmp_path / "report.pdf"
    path.write_bytes(render_audit_pdf(build_audit_report(store, audit_id, "zh")))
    text = _squeezed(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                                    text=True).stdout)
    assert "江夏经济开发区" in text
    assert _squeezed(manual.rules_by_id["ITM-01"].title.zh) in text
    assert _squeezed(t("label.rectification", "zh")) in text
