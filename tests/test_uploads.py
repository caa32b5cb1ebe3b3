"""Checking an upload batch before the audit (auditor.uploads): limits, type by content, duplicates, areas,
and the fingerprint that keeps a batch from being stored twice."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from auditor import uploads
from auditor.collect import PhotoInput
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Area
from auditor.uploads import (
    Upload,
    area_from_photo,
    area_from_texts,
    batch_fingerprint,
    check_batch,
    find_audited_batch,
    suggest_area,
    to_inputs,
)
from tests.conftest import FIXTURES, FixedTexts, jpeg_bytes

ROOT = Path(__file__).resolve().parent.parent


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_batch_keeps_the_photos_and_names_every_file_it_will_not_audit() -> None:
    good = jpeg_bytes()
    batch = check_batch([
        Upload("window_counter/01.jpg", good),
        Upload("02.png", png_bytes()),
        Upload("notes.jpg", b"these are not pixels"),
        Upload("empty.jpg", b""),
        Upload("half.jpg", good[: len(good) // 2]),
        Upload("again.jpg", good),
    ])
    assert [p.name for p in batch.photos] == ["window_counter/01.jpg", "02.png"]
    assert [p.format for p in batch.photos] == ["JPEG", "PNG"]
    reasons = {p.name: p.key for p in batch.rejected}
    assert reasons == {"notes.jpg": "reject.not_image", "empty.jpg": "reject.empty", "half.jpg": "reject.damaged"}
    assert [(d.name, d.params["first"]) for d in batch.duplicates] == [("again.jpg", "window_counter/01.jpg")]
    assert batch.total_bytes == len(good) + len(batch.photos[1].data)


def test_messages_name_the_file_and_the_reason_in_both_languages() -> None:
    batch = check_batch([Upload("a.jpg", jpeg_bytes()), Upload("b.jpg", jpeg_bytes()), Upload("c.txt", b"hello")])
    duplicate, rejected = batch.duplicates[0], batch.rejected[0]
    assert duplicate.text("zh") == "b.jpg 与 a.jpg 是同一张照片，只计一次"
    assert duplicate.text("en") == "b.jpg is the same photo as a.jpg; counted once"
    assert "不是图片文件" in rejected.text("zh")
    assert rejected.text("en").startswith("not an image file")
    # What the audit records beside its photos: English, like the pipeline's own reasons.
    assert [(r.photo, r.reason) for r in (p.rejected() for p in batch.notes)] == [
        ("c.txt", rejected.text("en")), ("b.jpg", duplicate.text("en"))]


def test_size_and_batch_limits_name_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 2000)
    big = jpeg_bytes(640, 480, colour=(10, 200, 30))
    small = png_bytes()
    assert len(big) > 2000 > len(small)
    batch = check_batch([Upload("big.jpg", big), Upload("small.png", small)])
    assert [p.name for p in batch.photos] == ["small.png"]
    assert batch.rejected[0].name == "big.jpg" and batch.rejected[0].key == "upload.too_big"
    assert "25 MB" in batch.rejected[0].text("zh") and "MB" in batch.rejected[0].text("en")

    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 25 * uploads.MB)
    monkeypatch.setattr(uploads, "MAX_BATCH_FILES", 1)
    batch = check_batch([Upload("1.png", png_bytes(10, 10)), Upload("2.png", png_bytes(20, 20))])
    assert [p.name for p in batch.photos] == ["1.png"]
    assert batch.rejected[0].key == "upload.over_count" and "another batch" in batch.rejected[0].text("en")

    monkeypatch.setattr(uploads, "MAX_BATCH_FILES", 200)
    monkeypatch.setattr(uploads, "MAX_BATCH_BYTES", len(small) + 10)
    batch = check_batch([Upload("1.png", small), Upload("2.png", png_bytes(20, 20))])
    assert [p.name for p in batch.photos] == ["1.png"]
    assert [p.key for p in batch.rejected] == ["upload.over_bytes"]


def count_decodes(monkeypatch) -> list[str]:
    """The names of the photos check_batch decodes, in order."""
    names: list[str] = []
    real = uploads.decode_photo

    def counting(data: bytes, name: str, *args, **kwargs):
        names.append(name)
        return real(data, name, *args, **kwargs)

    monkeypatch.setattr(uploads, "decode_photo", counting)
    return names


def test_a_batch_past_the_limits_is_refused_before_anything_is_decoded(monkeypatch) -> None:
    decoded = count_decodes(monkeypatch)
    monkeypatch.setattr(uploads, "MAX_BATCH_FILES", 3)
    files = [Upload(f"{i:04d}.jpg", b"not a photo %d" % i) for i in range(1000)]
    batch = check_batch(files)
    assert sorted(decoded) == ["0000.jpg", "0001.jpg", "0002.jpg"], "only the files within the limit are read"
    assert [p.key for p in batch.rejected].count("upload.over_count") == 997

    decoded.clear()
    monkeypatch.setattr(uploads, "MAX_BATCH_FILES", 200)
    monkeypatch.setattr(uploads, "MAX_BATCH_BYTES", 100)
    batch = check_batch([Upload("small.jpg", b"x" * 60), Upload("more.jpg", b"y" * 60)])
    assert decoded == ["small.jpg"]
    assert [(p.name, p.key) for p in batch.rejected] == [("small.jpg", "reject.not_image"),
                                                          ("more.jpg", "upload.over_bytes")]


def test_a_copy_of_a_rejected_file_is_rejected_for_the_same_reason(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 2000)
    big = jpeg_bytes(640, 480, colour=(10, 200, 30))
    batch = check_batch([Upload("big.jpg", big), Upload("big copy.jpg", big), Upload("bad.jpg", b"nonsense"),
                         Upload("bad again.jpg", b"nonsense"), Upload("ok.png", png_bytes()),
                         Upload("ok copy.png", png_bytes())])
    assert [(p.name, p.key) for p in batch.rejected] == [
        ("big.jpg", "upload.too_big"), ("big copy.jpg", "upload.too_big"),
        ("bad.jpg", "reject.not_image"), ("bad again.jpg", "reject.not_image")]
    assert batch.rejected[0].params == batch.rejected[1].params
    assert [(d.name, d.params["first"]) for d in batch.duplicates] == [("ok copy.png", "ok.png")]
    assert [p.name for p in batch.photos] == ["ok.png"]


def test_the_upload_limit_of_the_server_is_the_limit_per_photo() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == uploads.MAX_FILE_MB


def test_phone_photos_are_read_upright() -> None:
    rotated = jpeg_bytes(320, 240, exif_orientation=6)  # stored landscape, shown portrait
    photo = check_batch([Upload("phone.jpg", rotated)]).photos[0]
    assert (photo.width, photo.height) == (240, 320)
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.height > thumb.width
        assert max(thumb.size) <= uploads.THUMBNAIL_SIDE


def test_two_photos_with_one_name_are_kept_apart() -> None:
    batch = check_batch([Upload("01.jpg", jpeg_bytes()), Upload("01.jpg", png_bytes())])
    assert [p.name for p in batch.photos] == ["01.jpg", "01 (2).jpg"]
    assert batch.renamed[0].params["new"] == "01 (2).jpg"


def test_each_photo_is_decoded_once_per_session(monkeypatch) -> None:
    calls = count_decodes(monkeypatch)
    cache: dict = {}
    files = [Upload("a.jpg", jpeg_bytes()), Upload("b.png", png_bytes()), Upload("bad.jpg", b"x")]
    first = check_batch(files, cache=cache)
    second = check_batch(files, cache=cache)
    assert sorted(calls) == ["a.jpg", "b.png", "bad.jpg"]
    assert [p.name for p in second.photos] == [p.name for p in first.photos]
    assert [p.key for p in second.rejected] == ["reject.not_image"]


def test_progress_counts_the_photos_read() -> None:
    seen: list[tuple[int, int]] = []
    check_batch([Upload("a.jpg", jpeg_bytes()), Upload("b.png", png_bytes())],
                progress=lambda done, total, name: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


@pytest.mark.parametrize(("name", "area"), [
    ("window_counter/03.jpg", Area.WINDOW_COUNTER),
    ("湖泗街道/综合受理窗口/IMG_0001.JPG", Area.WINDOW_COUNTER),
    ("入口/IMG_1.jpg", Area.ENTRANCE),
    ("等候区01.jpg", Area.WAITING_AREA),
    ("self-service-2.heic", Area.SELF_SERVICE),
    ("湖泗街道/窗口后台/1.jpg", Area.BACK_OFFICE),  # says 窗口, but is the back office
    ("backOffice3.png", Area.BACK_OFFICE),
    ("导服台.jpg", Area.GUIDANCE_DESK),
    ("便民服务区/药箱.jpg", Area.CONVENIENCE),
    ("entrance/window.jpg", Area.WINDOW_COUNTER),  # the file's own name first, then its folders
    ("IMG_0001.JPG", None),
    ("outdoor.jpg", None),  # whole English words only
    ("湖泗街道政务服务中心/IMG_2.jpg", None),
])
def test_areas_are_suggested_from_file_and_folder_names(name: str, area: Area | None) -> None:
    assert suggest_area(name) == area


def test_areas_are_suggested_from_signs_only_when_they_name_one_area() -> None:
    assert area_from_texts(["等候区 Waiting Area", "请A001到3号窗口"]) is None  # a call screen names windows too
    assert area_from_texts(["等候区", "Waiting Area"]) == Area.WAITING_AREA
    assert area_from_texts(["自助服务区 Self-service Area"]) == Area.SELF_SERVICE
    assert area_from_texts(["导服台", "自助服务区", "便民服务区"]) is None  # a guide map
    assert area_from_texts([]) is None


def test_signs_are_read_on_a_reduced_copy() -> None:
    image = np.zeros((3000, 4000, 3), dtype=np.uint8)
    reader = FixedTexts([("便民服务区 Convenience Services", (10, 10, 200, 60))])
    sizes: list[tuple[int, ...]] = []
    original = reader.read

    def read(img: np.ndarray):
        sizes.append(img.shape)
        return original(img)

    reader.read = read
    assert area_from_photo(image, reader) == Area.CONVENIENCE
    assert max(sizes[0][:2]) == uploads.SIGN_READ_SIDE
    assert area_from_photo(image, None) is None


def test_untagged_photos_are_not_audited() -> None:
    batch = check_batch([Upload("window_counter/a.jpg", jpeg_bytes()), Upload("b.png", png_bytes())])
    a, b = batch.photos
    inputs, untagged = to_inputs(batch.photos, {a.sha256: Area.WINDOW_COUNTER, b.sha256: None})
    assert [(i.name, i.area, i.source) for i in inputs] == [("window_counter/a.jpg", Area.WINDOW_COUNTER, a.data)]
    assert untagged == [b]


def test_the_fingerprint_is_the_hall_round_photos_areas_in_any_order_and_the_manual() -> None:
    photos = [("a" * 64, Area.ENTRANCE), ("b" * 64, Area.WINDOW_COUNTER)]
    manual = "m" * 64
    same = batch_fingerprint("湖泗街道", "2026-Q4", photos, manual)
    assert batch_fingerprint(" 湖泗街道 ", "2026-Q4", list(reversed(photos)), manual) == same
    assert batch_fingerprint("纸坊街道", "2026-Q4", photos, manual) != same
    assert batch_fingerprint("湖泗街道", "2026-Q3", photos, manual) != same
    assert batch_fingerprint("湖泗街道", "2026-Q4", [("a" * 64, Area.ENTRANCE), ("b" * 64, Area.BACK_OFFICE)],
                             manual) != same
    assert batch_fingerprint("湖泗街道", "2026-Q4", photos[:1], manual) != same
    assert batch_fingerprint("湖泗街道", "2026-Q4", photos, "n" * 64) != same, "the manual changed: a new audit"


def test_a_batch_audited_already_is_found_in_the_store(counter_auditor: Auditor, store: AuditStore) -> None:
    batch = check_batch([Upload("w.jpg", jpeg_bytes()), Upload("e.png", png_bytes())])
    areas = {batch.photos[0].sha256: Area.WINDOW_COUNTER, batch.photos[1].sha256: Area.ENTRANCE}
    pairs = list(areas.items())
    manual = counter_auditor.manual.sha256
    assert find_audited_batch(store, "湖泗街道", "2026-Q4", pairs, manual) is None
    inputs, _ = to_inputs(batch.photos, areas)
    audit_id, _ = counter_auditor.audit(inputs, "湖泗街道", "2026-Q4", store=store)
    assert find_audited_batch(store, "湖泗街道", "2026-Q4", pairs, manual) == audit_id
    assert find_audited_batch(store, "湖泗街道", "2026-Q3", pairs, manual) is None
    assert find_audited_batch(store, "湖泗街道", "2026-Q4", pairs[:1], manual) is None
    assert find_audited_batch(store, "湖泗街道", "2026-Q4", [(pairs[0][0], Area.BACK_OFFICE), pairs[1]], manual) is None
    # The same photos after the manual changed are audited again, under the new manual.
    assert find_audited_batch(store, "湖泗街道", "2026-Q4", pairs, "0" * 64) is None
    # The photos were kept: nothing the inspector gave is lost.
    stored = store.load(audit_id).result
    assert all(store.photo_path(p.stored_as).read_bytes() == i.source
               for p, i in zip(stored.photos, inputs, strict=True) if isinstance(i, PhotoInput))


def test_iphone_heic_photos_are_accepted() -> None:
    data = (FIXTURES / "iphone_64x48.heic").read_bytes()
    batch = check_batch([Upload("IMG_0042.HEIC", data)])
    assert not batch.rejected
    assert (batch.photos[0].format, batch.photos[0].width, batch.photos[0].height) == ("HEIF", 64, 48)
