"""An inspector's upload batch, checked before it is audited: what the app's audit screen does with the files.

``check_batch`` turns the uploaded files (name, bytes) into photos ready to tag and audit, and names every
file that will not be audited with the reason: over the size limits, not an image, damaged (by content, as
``decode_photo`` reads it, whatever the file is called), or the same photo as an earlier file (by SHA-256:
counted once). ``suggest_area`` proposes a photo's functional area from its file and folder names,
``area_from_texts`` from the texts read on its signs. ``batch_fingerprint`` and ``find_audited_batch``
keep the same batch from being stored twice (a double click, a rerun, a reload).

No Streamlit here: the screen (views/audit.py) only lays these out.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import cv2
import numpy as np
from PIL import Image

from auditor.collect import PhotoInput, area_from_name
from auditor.detectors.base import TextReader
from auditor.errors import PhotoReadError
from auditor.i18n import rejected_photo, t
from auditor.photos import decode_photo
from auditor.store import AuditStore
from auditor.types import Area, RejectedPhoto

MB = 1024 * 1024
MAX_FILE_MB = 25  # a phone photo is 2-12 MB; also server.maxUploadSize in .streamlit/config.toml
MAX_FILE_BYTES = MAX_FILE_MB * MB
MAX_BATCH_BYTES = 400 * MB  # the uploads of one batch are held in the server's memory until audited
MAX_BATCH_FILES = 200  # photos audited in one batch (a hall is 20-60 photos)
THUMBNAIL_SIDE = 320
SIGN_READ_SIDE = 1600  # signs are read on a copy this wide when suggesting areas from them


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser sent it (with its folder for a folder upload) and its bytes."""

    name: str
    data: bytes
    sha256: str | None = None  # when the caller has hashed the bytes already (the app, once per file)

    def digest(self) -> str:
        return self.sha256 or hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Problem:
    """Why one file is not audited (or counted once), as a translation key with its parameters."""

    name: str
    key: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return t(self.key, lang, name=self.name, **self.params)

    def rejected(self) -> RejectedPhoto:
        """As the audit records it: the key and its parameters, so it reads in any language, with the English
        text beside (like the pipeline's own reasons)."""
        return rejected_photo(self.name, self.key, name=self.name, **self.params)


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that reads: ready to tag and audit."""

    name: str
    sha256: str
    data: bytes
    format: str
    width: int
    height: int
    thumbnail: bytes  # JPEG, at most THUMBNAIL_SIDE pixels on its longer side, upright
    suggested_area: Area | None  # from the file and folder names

    @property
    def size_mb(self) -> float:
        return len(self.data) / MB


@dataclass
class Batch:
    photos: list[CheckedPhoto] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)  # will not be audited, with the reason
    duplicates: list[Problem] = field(default_factory=list)  # the same photo as an earlier file: counted once
    renamed: list[Problem] = field(default_factory=list)  # another photo had the same name: numbered

    @property
    def notes(self) -> list[Problem]:
        """Everything the audit should record beside its photos (nothing given is dropped silently)."""
        return self.rejected + self.duplicates

    @property
    def total_bytes(self) -> int:
        return sum(len(p.data) for p in self.photos)


# What ``check_batch`` remembers of a file it has read, by SHA-256: (format, width, height, thumbnail) or the
# reason it does not read. Kept per user (the app's session state), so a rerun does not decode again.
CheckCache = MutableMapping[str, tuple[str, int, int, bytes] | str]


def _read(data: bytes, name: str) -> tuple[str, int, int, bytes] | Problem:
    try:
        photo = decode_photo(data, name)
    except PhotoReadError as exc:  # its reason is a key of the translation table already
        return Problem(name, exc.key, exc.params)
    image = Image.fromarray(photo.image[:, :, ::-1])
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return photo.format, photo.width, photo.height, out.getvalue()


def _numbered(name: str, taken: set[str]) -> str:
    path = PurePosixPath(name)
    number = 2
    while True:
        candidate = str(path.with_name(f"{path.stem} ({number}){path.suffix}"))
        if candidate not in taken:
            return candidate
        number += 1


def check_batch(uploads: Sequence[Upload], cache: CheckCache | None = None,
                progress: Callable[[int, int, str], None] | None = None, workers: int | None = None) -> Batch:
    """Check an upload batch in the order given: duplicates (by SHA-256) and the limits first, from the sizes
    alone, then the content of the files within the limits (each decoded once, in parallel; ``cache`` keeps
    what was read for the next call). A 1,000-file upload is refused past MAX_BATCH_FILES before a single
    file is decoded.

    A file over MAX_FILE_BYTES, or past MAX_BATCH_FILES files or MAX_BATCH_BYTES in all, is rejected with the
    limit named (a file within the limits that turns out unreadable has still taken its place); a file that
    is not an image or is damaged is rejected with decode_photo's reason; a file with the same bytes as an
    earlier one is counted once, or rejected with the same reason when the earlier one was. Two different
    photos with the same name get the second one numbered (``01 (2).jpg``), so findings never mix two photos.
    """
    cache = {} if cache is None else cache
    first_of: dict[str, str] = {}  # SHA-256 -> the name of the first file with these bytes
    refused: dict[str, tuple[str, dict[str, str | int | float]]] = {}  # SHA-256 -> limit broken (key, params)
    order: list[tuple[Upload, str, bool]] = []  # (upload, SHA-256, repeats an earlier file)
    to_check: list[tuple[Upload, str]] = []
    count = total = 0
    for upload in uploads:
        digest = upload.digest()
        if digest in first_of:
            order.append((upload, digest, True))
            continue
        first_of[digest] = upload.name
        order.append((upload, digest, False))
        size = len(upload.data)
        if size > MAX_FILE_BYTES:
            refused[digest] = ("upload.too_big", {"size": f"{size / MB:.1f}", "limit": MAX_FILE_MB})
        elif count >= MAX_BATCH_FILES:
            refused[digest] = ("upload.over_count", {"limit": MAX_BATCH_FILES})
        elif total + size > MAX_BATCH_BYTES:
            refused[digest] = ("upload.over_bytes", {"limit": MAX_BATCH_BYTES // MB})
        else:
            count += 1
            total += size
            to_check.append((upload, digest))

    to_read = [(u, d) for u, d in to_check if d not in cache]
    if to_read:
        workers = workers or min(8, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:  # PIL decodes without holding the GIL
            futures = [pool.submit(_read, u.data, u.name) for u, _ in to_read]
            for done, ((upload, digest), future) in enumerate(zip(to_read, futures, strict=True), 1):
                cache[digest] = future.result()
                if progress is not None:
                    progress(done, len(to_read), upload.name)

    batch = Batch()
    names: set[str] = set()
    for upload, digest, repeated in order:
        if digest in refused:  # a copy of a refused file is refused for the same reason, not counted once
            key, params = refused[digest]
            batch.rejected.append(Problem(upload.name, key, params))
            continue
        read = cache[digest]
        if isinstance(read, Problem):  # named for this upload: the cache is shared by files of the same bytes
            batch.rejected.append(Problem(upload.name, read.key, read.params))
            continue
        if repeated:
            batch.duplicates.append(Problem(upload.name, "upload.duplicate", {"first": first_of[digest]}))
            continue
        name = upload.name
        if name in names:
            name = _numbered(name, names)
            batch.renamed.append(Problem(upload.name, "upload.renamed", {"new": name}))
        names.add(name)
        fmt, width, height, thumbnail = read
        batch.photos.append(CheckedPhoto(name=name, sha256=digest, data=upload.data, format=fmt, width=width,
                                         height=height, thumbnail=thumbnail, suggested_area=suggest_area(name)))
    return batch


# -- functional areas --------------------------------------------------------------------------------------
# Keywords in file and folder names and on signs, the more specific areas first: 窗口后台 is the back office
# although it says 窗口, 自助服务台 the self-service area although it says 服务台. English words match whole
# words only (door is not in indoor).
AREA_KEYWORDS: tuple[tuple[Area, tuple[str, ...]], ...] = (
    (Area.BACK_OFFICE, ("后台", "办公区", "back office", "backoffice", "backstage")),
    (Area.SELF_SERVICE, ("自助", "self service", "selfservice", "kiosk", "kiosks")),
    (Area.CONVENIENCE, ("便民", "convenience")),
    (Area.GUIDANCE_DESK, ("导服", "导办", "咨询台", "服务台", "咨询服务", "引导台", "guidance", "information desk",
                          "info desk", "reception")),
    (Area.WAITING_AREA, ("等候", "候办", "waiting", "seating")),
    (Area.WINDOW_COUNTER, ("窗口", "柜台", "受理台", "window", "windows", "counter", "counters")),
    (Area.ENTRANCE, ("入口", "大门", "门头", "门口", "正门", "entrance", "entry", "gate", "door", "facade")),
)


def _words(text: str) -> str:
    """Lower-case ASCII words of a name, with letters and digits apart (window03 -> window 03), padded."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # backOffice -> back Office
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", spaced)
    return " " + " ".join(re.findall(r"[a-z0-9]+", spaced.lower())) + " "


def area_in_text(text: str) -> Area | None:
    """The area a piece of text names (an id, a Chinese area name or a keyword), the most specific first."""
    exact = area_from_name(text)
    if exact is not None:
        return exact
    words = _words(text)
    for area, keywords in AREA_KEYWORDS:
        for keyword in keywords:
            if keyword.isascii():
                if f" {keyword} " in words:
                    return area
            elif keyword in text:
                return area
    return None


def suggest_area(name: str) -> Area | None:
    """The area a photo's name suggests: its file name first, then its folders from the nearest up
    (``入口/IMG_1.jpg``, ``window_counter/03.jpg``, ``等候区01.jpg``, ``self-service-2.heic``)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts:
        return None
    candidates = [PurePosixPath(parts[-1]).stem, *reversed(parts[:-1])]
    for part in candidates:
        area = area_in_text(part)
        if area is not None:
            return area
    return None


def area_from_photo(image: np.ndarray, reader: TextReader | None, max_side: int = SIGN_READ_SIDE) -> Area | None:
    """The area the signs on a photo (BGR, upright) name, read by ``reader`` on a copy at most ``max_side``
    pixels wide (zone signs are large); None without a reader or when the texts name no single area."""
    if reader is None:
        return None
    scale = max_side / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found = reader.read(image)
    return area_from_texts(str(text) for text in found.data.get("text", ()))


def area_from_texts(texts: Iterable[str]) -> Area | None:
    """The area the texts read on a photo's signs name, when they name exactly one (a guide map naming every
    area suggests none)."""
    found = {area for text in texts if (area := area_in_text(text)) is not None}
    return found.pop() if len(found) == 1 else None


# -- the batch to audit ------------------------------------------------------------------------------------
def to_inputs(photos: Iterable[CheckedPhoto], areas: Mapping[str, Area | None]
              ) -> tuple[list[PhotoInput], list[CheckedPhoto]]:
    """The photos to audit with their areas (``areas`` by SHA-256), and the photos still untagged."""
    inputs: list[PhotoInput] = []
    untagged: list[CheckedPhoto] = []
    for photo in photos:
        area = areas.get(photo.sha256)
        if area is None:
            untagged.append(photo)
        else:
            inputs.append(PhotoInput(name=photo.name, area=Area(area), source=photo.data))
    return inputs, untagged


def _members(photos: Iterable[tuple[str, Area]]) -> list[str]:
    return sorted(f"{sha}:{Area(area).value}" for sha, area in photos)


def batch_fingerprint(hall: str, round_name: str, photos: Iterable[tuple[str, Area]], manual_sha256: str) -> str:
    """The identity of an audit request: hall, round, the photos (SHA-256) with their areas in any order, and the
    manual (its SHA-256). The same batch tagged differently is a different audit (a corrected tag is audited
    again), and so is the same batch after the manual changed."""
    text = json.dumps([hall.strip(), round_name.strip(), _members(photos), manual_sha256], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_audited_batch(store: AuditStore, hall: str, round_name: str, photos: Iterable[tuple[str, Area]],
                       manual_sha256: str) -> int | None:
    """The latest stored audit of this hall and round with exactly these photos and areas, made with this
    manual, if any: the same batch sent again (another click, a reload) is shown, not stored twice."""
    wanted = _members(photos)
    for summary in reversed(store.audits_of_hall(hall.strip())):
        if summary.round != round_name.strip():
            continue
        stored = store.load(summary.audit_id).result
        if stored.manual_sha256 == manual_sha256 and _members((p.sha256, p.area) for p in stored.photos) == wanted:
            return summary.audit_id
    return None
