"""Turn what an inspector hands over (files, folders, uploads) into photos to audit, each with its area.

Every file that will not be audited is named with the reason, so nothing given is silently dropped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from auditor.i18n import TEXTS, rejected_photo
from auditor.photos import PHOTO_SUFFIXES, Photo, decode_photo, read_photo
from auditor.types import Area, RejectedPhoto


@dataclass(frozen=True)
class PhotoInput:
    """A photo to audit: its name as the inspector knows it, its functional area, and its bytes or path."""

    name: str
    area: Area | None  # None only for inspection of a photo of unknown area
    source: bytes | Path

    def read(self) -> Photo:
        if isinstance(self.source, bytes):
            return decode_photo(self.source, self.name)
        return read_photo(self.source, name=self.name)



@lru_cache(maxsize=1)
def _area_names() -> dict[str, Area]:
    names = {area.value: area for area in Area}
    for area in Area:
        names[TEXTS[f"area.{area.value}"]["zh"]] = area
    return names


def area_from_name(name: str) -> Area | None:
    """The functional area a name stands for: its id (window_counter) or its Chinese name (综合受理窗口)."""
    cleaned = name.strip()
    return _area_names().get(cleaned.lower()) or _area_names().get(cleaned)


def display_name(path: Path) -> str:
    """The path as text that can always be shown and stored, even when the file name is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _area_of(file: Path, root: Path) -> Area | None:
    """The nearest folder from the file up to the given root that is named after an area."""
    for folder in file.parents:
        area = area_from_name(folder.name)
        if area is not None:
            return area
        if folder == root:
            break
    return None


def collect_photos(paths: Iterable[str | Path], area: Area | None = None, require_area: bool = True
                   ) -> tuple[list[PhotoInput], list[RejectedPhoto]]:
    """Expand files and folders into photos with their areas (from ``area``, or the nearest folder named
    after an area). Every file that will not be audited is named in the rejected list with the reason.
    With ``require_area`` False a photo of unknown area is kept with area None (for inspection)."""
    inputs: list[PhotoInput] = []
    rejected: list[RejectedPhoto] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*")
                           if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
            for other in (f for f in files if f.suffix.lower() not in PHOTO_SUFFIXES):
                rejected.append(rejected_photo(display_name(other), "reject.not_photo_file",
                                               suffixes=", ".join(sorted(PHOTO_SUFFIXES))))
            files = [f for f in files if f.suffix.lower() in PHOTO_SUFFIXES]
            if not files:
                rejected.append(rejected_photo(display_name(path), "reject.empty_folder"))
            root = path
        elif path.exists():
            files, root = [path], path.parent
        else:
            rejected.append(rejected_photo(display_name(path), "reject.no_such_path"))
            continue
        for file in files:
            photo_area = area or _area_of(file, root)
            if photo_area is None and require_area:
                rejected.append(rejected_photo(display_name(file), "reject.unknown_area",
                                               areas=", ".join(a.value for a in Area)))
                continue
            inputs.append(PhotoInput(name=display_name(file), area=photo_area, source=file))
    return inputs, rejected
