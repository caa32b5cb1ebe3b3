"""The schema of truth.json, which ``auditor synth`` writes and ``auditor eval`` reads: one definition for
both sides.

Per photo: the file (relative to the folder), its split, hall, area and size, the exact facts it shows, the
items on the counter or desk top, the violations injected and the expected verdict of every photo-scope
rule; per hall: the expected hall-rule verdicts, the violation rate and the true score and grade.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from auditor.types import Area, Verdict

TRUTH_FILE = "truth.json"


class LooseModel(BaseModel):
    # Unknown keys are ignored so the generator may add some without breaking older evaluators.
    model_config = ConfigDict(frozen=True, extra="ignore")


class GeneratorInfo(LooseModel):
    version: str
    seed: int
    halls: int
    photos: int
    violation_rate: float
    manual_version: str
    manual_sha256: str
    classes: tuple[str, ...]
    boost: dict[str, float] = {}   # violations drawn more often than the manual's weights (a training set)


class HallTruth(LooseModel):
    true_score: float | None
    true_grade: str
    failed_critical: tuple[str, ...]
    expected: dict[str, Verdict]
    violation_rate: float | None = None
    photos: tuple[str, ...] = ()


class PhotoTruth(LooseModel):
    file: str
    split: str
    hall: str
    area: Area
    width: int
    height: int
    facts: dict[str, Any]  # kept as given: the evaluation compares verdicts, not facts
    expected: dict[str, Verdict]
    surface_items: dict[str, list[str]] = {}
    injected: tuple[str, ...] = ()

    @field_validator("file")
    @classmethod
    def _inside_the_folder(cls, value: str) -> str:
        path = PurePosixPath(value)
        if not value or path.is_absolute() or ".." in path.parts:
            raise ValueError(f"must be a path relative to the folder, got {value!r}")
        return value


class Truth(LooseModel):
    generator: GeneratorInfo
    halls: dict[str, HallTruth]
    photos: tuple[PhotoTruth, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Truth:
        seen: set[str] = set()
        for photo in self.photos:
            if photo.hall not in self.halls:
                raise ValueError(f"photo {photo.file} belongs to hall {photo.hall!r}, which 'halls' does not list")
            if photo.file in seen:
                raise ValueError(f"photo {photo.file} is listed twice")
            seen.add(photo.file)
        return self
