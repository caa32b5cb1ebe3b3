"""Reading photos: bad input is named with its reason; EXIF orientation is honoured."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from auditor.errors import PhotoReadError
from auditor.photos import decode_photo, read_photo
from tests.conftest import jpeg_bytes


def test_reads_jpeg_with_hash_and_bgr_pixels() -> None:
    data = jpeg_bytes(64, 48, colour=(200, 10, 10))
    photo = decode_photo(data, "red.jpg")
    assert (photo.width, photo.height) == (64, 48)
    assert len(photo.sha256) == 64
    b, g, r = photo.image[24, 32]
    assert r > 150 and b < 60, "pixels are BGR as OpenCV expects"


@pytest.mark.parametrize(("orientation", "size"), [(1, (60, 40)), (6, (40, 60)), (8, (40, 60)), (3, (60, 40))])
def test_exif_orientation_is_applied(orientation: int, size: tuple[int, int]) -> None:
    photo = decode_photo(jpeg_bytes(60, 40, exif_orientation=orientation), "phone.jpg")
    assert (photo.width, photo.height) == size


def test_rotation_moves_pixels_not_only_the_size() -> None:
    image = Image.new("RGB", (60, 40), (255, 255, 255))
    image.paste((0, 0, 0), (0, 0, 10, 10))  # black square top-left
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90 degrees clockwise to view
    image.save(buffer, "PNG", exif=exif)
    photo = decode_photo(buffer.getvalue(), "turned.png")
    assert photo.image[5, -5].max() < 60, "the top-left corner moved to the top-right"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(PhotoReadError, match="empty") as caught:
        read_photo(path)
    assert caught.value.photo == str(path)


def test_not_an_image() -> None:
    with pytest.raises(PhotoReadError, match="not an image"):
        decode_photo(b"%PDF-1.7 this is a report, not a photo", "report.jpg")


def test_truncated_jpeg() -> None:
    data = jpeg_bytes(400, 300)
    with pytest.raises(PhotoReadError, match="damaged or truncated"):
        decode_photo(data[: len(data) // 2], "cut.jpg")


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: refused from its header, before any pixel is decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.mark.parametrize(("width", "height"), [(10_000, 6_000), (20_000, 20_000)])
def test_too_many_pixels(width: int, height: int) -> None:
    with pytest.raises(PhotoReadError, match="too large"):
        decode_photo(_png_header_only(width, height), "huge.png")


def test_unsupported_format() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "GIF")
    with pytest.raises(PhotoReadError, match="unsupported image format GIF"):
        decode_photo(buffer.getvalue(), "anim.gif")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PhotoReadError, match="cannot be read"):
        read_photo(tmp_path / "gone.jpg")


def test_heic_from_an_iphone_is_read() -> None:
    # 64x48 green with a red 16x16 top-left corner, encoded once with pillow-heif (pi-heif only decodes).
    data = (Path(__file__).parent / "fixtures" / "iphone_64x48.heic").read_bytes()
    photo = decode_photo(data, "IMG_0001.HEIC")
    assert (photo.width, photo.height) == (64, 48) and photo.format == "HEIF"
    b, g, r = photo.image[4, 4]
    assert r > 150 and g < 80


def test_not_an_image_after_ultralytics_patched_pillow() -> None:
    """ultralytics replaces Image.open with one that installs a HEIF plugin on the fly (offline: crashes)."""
    import ultralytics.utils.patches  # noqa: F401  (applies the patch)

    with pytest.raises(PhotoReadError, match="not an image"):
        decode_photo(b"plain text pretending to be a photo", "fake.jpg")
