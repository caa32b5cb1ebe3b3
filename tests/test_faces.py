"""Citizens' faces: found by the face model, blurred in every picture that leaves the store, shown to the
inspector only; the stored originals untouched (auditor.faces, its wiring into the PDF, the CLI and the app)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from auditor import faces
from auditor.annotate import evidence_preview
from auditor.cli import app
from auditor.collect import PhotoInput
from auditor.errors import DetectorConfigError
from auditor.manual import Manual
from auditor.pipeline import Auditor, Detectors
from auditor.reports import views_data as vd
from auditor.reports.export import export_audit
from auditor.store import AuditStore
from auditor.types import Area, Evidence, Finding, Verdict
from tests.conftest import FixedObjects

ROOT = Path(__file__).resolve().parent.parent
PHOTO = "纸坊街道/window_counter/03.jpg"  # two staff behind the counter and a visitor, all facing the camera


def _truth_persons() -> list[tuple[float, float, float, float]]:
    truth = json.loads((ROOT / "samples" / "truth.json").read_text(encoding="utf-8"))
    photo = next(p for p in truth["photos"] if p["file"] == PHOTO)
    return [tuple(p["box"]) for p in photo["facts"]["persons"]]


PERSONS = _truth_persons()


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return cv2.imread(str(ROOT / "samples" / PHOTO))


def _sharpness(image: np.ndarray, box: tuple[float, float, float, float]) -> float:
    x1, y1, x2, y2 = (round(v) for v in box)
    return float(cv2.Laplacian(cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def _in_head(face: faces.Face, person: tuple[float, float, float, float]) -> bool:
    x1, y1, x2, y2 = person
    return faces._centre_in(face.box, (x1, y1 - 10, x2, y1 + 0.45 * (y2 - y1)))


def _faces_in(pictures: list[Image.Image]) -> list[faces.Face]:
    finder = faces.default_finder()
    return [f for p in pictures for f in finder.find(cv2.cvtColor(np.asarray(p), cv2.COLOR_RGB2BGR))]


# -- the model ------------------------------------------------------------------------------------------------------
def test_decoding_follows_the_anchors() -> None:
    """One anchor fires: its box is centred on its grid cell plus the regressor, sized by the regressor."""
    raw = np.zeros((faces.GRID * faces.GRID, 17), dtype=np.float32)
    raw[:, 0] = -10
    row, col = 10, 20
    index = row * faces.GRID + col
    raw[index, 0] = 3  # sigmoid 0.95
    raw[index, 1:5] = [9.6, -4.8, 19.2, 38.4]  # +0.05, -0.025 of the window; 0.1 wide, 0.2 high
    scores, boxes = faces.decode(raw)
    assert scores.shape == (1,) and scores[0] == pytest.approx(0.9526, abs=1e-3)
    cx, cy = (col + 0.5) / faces.GRID + 0.05, (row + 0.5) / faces.GRID - 0.025
    assert boxes[0] == pytest.approx([cx - 0.05, cy - 0.1, cx + 0.05, cy + 0.1], abs=1e-6)
    overlapping = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], dtype=float)
    assert faces.nms(np.array([0.6, 0.9, 0.7]), overlapping) == [1, 2]


def test_windows_cover_the_photo_and_only_what_is_shown() -> None:
    spots = faces.windows(960, 720, persons=[(100.0, 100.0, 160.0, 300.0)])
    assert spots[0] == (0, -120, 960), "the whole photo, letterboxed"
    tiles = spots[1:-1]
    assert len(tiles) == 6 and {s for _, _, s in tiles} == {396}
    assert max(x + s for x, _, s in tiles) == 960 and max(y + s for _, y, s in tiles) == 720
    assert spots[-1] == (97, 93, 66), "a square over the person's head"
    person = [(100.0, 100.0, 160.0, 300.0)]
    assert faces.windows(960, 720, person, regions=[(700.0, 500.0, 900.0, 700.0)]) == [
        (0, -120, 960), (564, 324, 396)], "the whole photo and the tile over the crop; no head far from it"
    assert faces.windows(960, 720, person, regions=[(100.0, 100.0, 300.0, 300.0)]) == [
        (0, -120, 960), (0, 0, 396), (282, 0, 396), (97, 93, 66)]


def test_the_face_model_finds_the_faces_of_a_sample_photo(photo: np.ndarray) -> None:
    found = faces.default_finder().find(photo)  # the model alone: no person boxes to help it
    with_face = [p for p in PERSONS if any(_in_head(f, p) for f in found)]
    assert len(with_face) >= 2, found
    assert all(4 <= f.box[2] - f.box[0] <= 80 for f in found)


def test_the_model_missing_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(DetectorConfigError, match="face model is missing"):
        faces.FaceFinder(tmp_path / "none.onnx")


# -- blurring ----------------------------------------------------------------------------------------------------
def test_blurred_faces_are_not_found_again_and_lose_their_detail(photo: np.ndarray) -> None:
    finder = faces.default_finder()
    before = photo.copy()
    found = [f for f in finder.find(photo) if any(_in_head(f, p) for p in PERSONS)]
    blurred = faces.blur_faces(photo, PERSONS)
    assert np.array_equal(photo, before), "the image given is not changed"
    assert finder.find(blurred, PERSONS) == []
    for face in found:
        assert _sharpness(blurred, face.box) < 0.1 * _sharpness(photo, face.box)
    # far from every person, nothing changed
    assert np.array_equal(blurred[600:], photo[600:])


def test_a_person_whose_face_is_not_found_has_the_head_blurred() -> None:
    y, x = np.mgrid[0:300, 0:400]  # a fine texture and no face (the model finds faces in random noise)
    image = np.stack([127 + 100 * np.sin(x / 2.0) * np.cos(y / 3.0), 127 + 100 * np.sin((x + y) / 2.5),
                      127 + 100 * np.cos(x / 1.7)], axis=2).astype(np.uint8)
    standing = (100.0, 50.0, 160.0, 290.0)
    assert faces.head_region(standing) == (100.0, 50.0, 160.0, 98.0)  # the top 20 % of a standing person
    assert faces.head_region((0.0, 0.0, 100.0, 120.0)) == (0.0, 0.0, 100.0, 60.0)  # seated: 0.6 widths
    blurred = faces.blur_faces(image, [standing])
    assert _sharpness(blurred, (100, 50, 160, 98)) < 0.05 * _sharpness(image, (100, 50, 160, 98))
    assert np.array_equal(blurred[120:], image[120:]), "the body stays as it was"
    assert np.array_equal(faces.blur_faces(image), image), "no face, no person: nothing to hide"


def test_pil_images_come_back_as_pil(photo: np.ndarray) -> None:
    image = Image.fromarray(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB))
    blurred = faces.blur_faces(image, PERSONS)
    assert isinstance(blurred, Image.Image) and blurred.size == image.size and blurred.mode == "RGB"
    assert blurred.tobytes() != image.tobytes()


def test_person_boxes_come_from_the_findings_evidence() -> None:
    person = Evidence(kind="box", label="staff:dress", photo="a.jpg", box=(10, 20, 30, 80))
    other = Evidence(kind="box", label="cup", photo="a.jpg", box=(1, 1, 5, 5))
    count = Evidence(kind="value", label="count:person", photo="a.jpg", value=1)
    on_b = Evidence(kind="box", label="person", photo="b.jpg", box=(0, 0, 4, 8))
    finding = Finding(rule_id="DRS-01", photo=None, area=None, verdict=Verdict.PASS, detail_key="x",
                      evidence=(person, other, count, on_b, person))
    assert faces.person_boxes([finding], "a.jpg", sx=0.5, sy=0.5) == [(5.0, 10.0, 15.0, 40.0)]
    assert len(faces.person_boxes([finding])) == 2


# -- wired in: the PDF, the CLI, the app's pictures ------------------------------------------------------------------
@pytest.fixture()
def face_audit(store: AuditStore, manual: Manual) -> int:
    """The sample photo audited with its true people and a bag across the counter top (ITM fails): the PDF
    prints a crop of the counter with the three faces."""
    found = [("person", box) for box in PERSONS] + [("bag", (160.0, 170.0, 610.0, 340.0)),
                                                   ("counter", (0.0, 323.0, 960.0, 540.0))]
    objects = FixedObjects(found=found, detectable={"person", "bag", "counter", "cup", "food", "plant",
                                                    "paper_pile", "clothing", "sticker", "handwritten_note"})
    auditor = Auditor(manual, Detectors(objects=objects, texts=None, lines=None))
    photo = PhotoInput("window_counter/03.jpg", Area.WINDOW_COUNTER, (ROOT / "samples" / PHOTO).read_bytes())
    audit_id, _ = auditor.audit([photo], hall="纸坊街道", round_name="2026-Q4", inspector="张三", store=store)
    assert audit_id is not None
    return audit_id


def _stored(store: AuditStore, audit_id: int) -> Path:
    (photo,) = store.load(audit_id).result.photos
    assert photo.stored_as is not None
    return store.photo_path(photo.stored_as)


def test_the_pdf_holds_only_blurred_faces_and_the_original_stays(store: AuditStore, face_audit: int) -> None:
    original = _stored(store, face_audit)
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    blurred = export_audit(store, face_audit, "pdf")
    pictures = faces.pdf_images(blurred)
    assert pictures, "the failed finding's evidence crop is printed"
    assert _faces_in(pictures) == []
    shown = export_audit(store, face_audit, "pdf", show_faces=True)  # the inspector's copy
    assert len(_faces_in(faces.pdf_images(shown))) >= 2
    counts = faces.compare(shown, blurred)
    assert counts["found"] >= 2 and counts["still"] == 0 and counts["gone"] == counts["found"]
    assert hashlib.sha256(original.read_bytes()).hexdigest() == digest, "the stored photo is byte-identical"


def test_the_report_command_blurs_unless_show_faces(store: AuditStore, face_audit: int, tmp_path: Path) -> None:
    runner = CliRunner()
    for name, extra in (("blurred.pdf", []), ("shown.pdf", ["--show-faces"])):
        result = runner.invoke(app, ["report", str(face_audit), "--db", store.url, "-o", str(tmp_path / name),
                                     *extra])
        assert result.exit_code == 0, result.output
    assert _faces_in(faces.pdf_images((tmp_path / "blurred.pdf").read_bytes())) == []
    assert len(_faces_in(faces.pdf_images((tmp_path / "shown.pdf").read_bytes()))) >= 2


def test_the_app_pictures_blur_faces_unless_shown(store: AuditStore, face_audit: int, manual: Manual) -> None:
    result = store.load(face_audit).result
    (photo,) = result.photos
    path = _stored(store, face_audit)

    def preview(show: bool) -> Image.Image:
        data = evidence_preview(path, photo.width, photo.height, result.findings, manual, "zh", show_faces=show)
        return Image.open(io.BytesIO(data)).convert("RGB")

    def on_heads(picture: Image.Image) -> list[faces.Face]:
        """Faces where the people's heads are (the drawn evidence turns a clock into a 0.55 face elsewhere)."""
        k = picture.width / photo.width
        persons = [tuple(v * k for v in p) for p in PERSONS]
        return [f for f in _faces_in([picture]) if any(_in_head(f, p) for p in persons)]

    assert on_heads(preview(False)) == []
    assert len(on_heads(preview(True))) >= 2

    def thumb(show: bool) -> bytes:
        uri = vd.thumbnail_data_uri(path, max_side=480, show_faces=show, findings=result.findings,
                                    photo=photo.name)
        assert uri is not None
        return base64.b64decode(uri.split(",", 1)[1])

    assert on_heads(Image.open(io.BytesIO(thumb(False))).convert("RGB")) == []
    assert len(on_heads(Image.open(io.BytesIO(thumb(True))).convert("RGB"))) >= 1


def _sidebar_app() -> None:
    import streamlit as st

    from views.common import faces_sidebar, show_faces

    faces_sidebar()
    st.write(f"faces shown: {show_faces()}")


def test_only_the_inspector_pin_shows_faces_in_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUDITOR_INSPECTOR_PIN", raising=False)
    at = AppTest.from_function(_sidebar_app, default_timeout=30).run()
    assert not at.sidebar.toggle, "no PIN configured: no switch, faces blurred for everyone"
    assert at.markdown[-1].value == "faces shown: False"

    monkeypatch.setenv("AUDITOR_INSPECTOR_PIN", "2468")
    at = AppTest.from_function(_sidebar_app, default_timeout=30).run()
    assert at.markdown[-1].value == "faces shown: False"
    at.sidebar.toggle[0].set_value(True).run()
    at.sidebar.text_input[0].input("1234").run()
    assert at.markdown[-1].value == "faces shown: False", "a wrong PIN shows nothing"
    at.sidebar.text_input[0].input("2468").run()
    assert at.markdown[-1].value == "faces shown: True"
