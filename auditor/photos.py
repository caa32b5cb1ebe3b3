"""Read a photo the way an inspector's phone meant it: checked, upright, hashed.

Every problem becomes a PhotoReadError that names the file and the reason, so the audit can report it and go
on with the other photos.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pi_heif import register_heif_opener
from PIL import Image, ImageOps, UnidentifiedImageError

from auditor.errors import PhotoReadError

# Larger photos are refused before decoding: a 50-megapixel RGB image already takes 150 MB decoded, and
# decompression bombs take far more. Phone photos are 12-48 megapixels.
MAX_PIXELS = 50_000_000
SUPPORTED_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "TIFF", "MPO", "HEIF"}
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".heif"}

# iPhones save HEIC by default. Registering the decoder here also keeps ultralytics, which patches
# Image.open to install it on the fly, from trying to download it when a file is not an image at all.
register_heif_opener()


@dataclass(frozen=True)
class Photo:
    name: str
    sha256: str
    data: bytes
    image: np.ndarray  # BGR, upright (EXIF orientation applied), as OpenCV and ultralytics expect
    format: str

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


def decode_photo(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> Photo:
    if not data:
        raise PhotoReadError(name, "reject.empty")
    digest = hashlib.sha256(data).hexdigest()
    try:
        with warnings.catch_warnings():
            # PIL warns and then errors on bombs; we check the size ourselves for a clearer message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or "?"
                if fmt not in SUPPORTED_FORMATS:
                    raise PhotoReadError(name, "reject.unsupported_format", format=fmt)
                pixels = img.width * img.height
                if pixels > max_pixels:
                    raise PhotoReadError(name, "reject.too_many_pixels", width=img.width, height=img.height,
                                         megapixels=f"{pixels / 1e6:.1f}", limit=f"{max_pixels / 1e6:.0f}")
                img.load()
                upright = ImageOps.exif_transpose(img).convert("RGB")
    except PhotoReadError:
        raise
    except Image.DecompressionBombError:
        raise PhotoReadError(name, "reject.too_large", limit=f"{max_pixels / 1e6:.0f}") from None
    except UnidentifiedImageError:
        raise PhotoReadError(name, "reject.not_image") from None
    except Exception as exc:  # noqa: BLE001
        # Damaged data makes each decoder fail its own way: PIL mostly with OSError, SyntaxError or ValueError,
        # but its TIFF and EXIF readers also with KeyError, IndexError or struct.error, and pi_heif with
        # RuntimeError. This block only decodes the bytes given, so whatever it raises means a damaged photo.
        raise PhotoReadError(name, "reject.damaged", detail=str(exc) or type(exc).__name__) from None
    bgr = np.ascontiguousarray(np.asarray(upright)[:, :, ::-1])
    return Photo(name=name, sha256=digest, data=data, image=bgr, format=fmt)


def read_photo(path: str | Path, max_pixels: int = MAX_PIXELS, name: str | None = None) -> Photo:
    """Read a photo file; ``name`` is how errors and findings call it (default: the path)."""
    path = Path(path)
    name = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PhotoReadError(name, "reject.unreadable", detail=str(exc.strerror or exc)) from None
    return decode_photo(data, name, max_pixels)
