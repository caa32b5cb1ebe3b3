"""The typed core data that flows through the pipeline.

photo -> Detections (per detector) -> PhotoFacts -> Finding (per rule) -> Score -> stored audit.

Everything here is immutable (frozen pydantic models) so that a value handed to a check, the store or a
report cannot be changed behind another's back; build a new one with ``model_copy(update=...)`` instead.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Area(StrEnum):
    """The functional areas of a street service hall; every photo shows one."""

    ENTRANCE = "entrance"
    GUIDANCE_DESK = "guidance_desk"
    WAITING_AREA = "waiting_area"
    WINDOW_COUNTER = "window_counter"
    BACK_OFFICE = "back_office"
    SELF_SERVICE = "self_service"
    CONVENIENCE = "convenience"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_ASSESSABLE = "not_assessable"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class Role(StrEnum):
    STAFF = "staff"
    VOLUNTEER = "volunteer"
    VISITOR = "visitor"
    UNKNOWN = "unknown"


# The one colour vocabulary shared by the manual, the dress analyzer and the floor-line analyzer.
COLOURS: tuple[str, ...] = (
    "black", "white", "grey", "red", "orange", "yellow", "green", "blue", "dark_blue", "brown",
)

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels of the upright photo
Point = tuple[float, float]


class ObjectFact(Frozen):
    """An object a detector found, named with the manual's object vocabulary (``class`` in JSON)."""

    name: str = Field(serialization_alias="class")
    box: Box
    confidence: float
    source: str = Field(description="the detector that found it")


class PersonFact(Frozen):
    box: Box
    confidence: float
    role: Role = Role.UNKNOWN
    top_colour: str | None = Field(None, description="dominant upper-body colour; None when undecided")
    badge: bool | None = Field(None, description="work badge seen on the chest; None when undecided")


class TextFact(Frozen):
    text: str
    box: Box
    confidence: float
    level: str = Field("line", description="line (one sign line), fragment (a piece also read joined into a "
                                           "line) or block (stacked lines of one sign read together)")


class LineFact(Frozen):
    """A painted or taped floor line."""

    points: tuple[Point, Point]
    colours: tuple[str, ...]
    length_px: float
    orientation: str = Field(description="horizontal, vertical or diagonal, as seen in the photo")
    style: str = Field("solid", description="solid, dashed or striped (hazard tape)")
    thickness_px: float | None = Field(None, description="the tape's width across the line, in pixels")
    distance_m: float | None = Field(None, description="distance from the counter edge; None if unmeasurable")


class PhotoFacts(Frozen):
    """What the detectors established about one photo.

    A check may conclude that something is absent only when it was looked for: ``detectable`` holds the
    object names the object detector knows, ``analyzed`` the analyzers that ran on the photo (``texts``,
    ``floor_lines``, ``persons``). That is how a missing detector turns into ``not_assessable`` instead of
    a silent pass.
    """

    photo: str
    area: Area | None = Field(description="the photo's functional area; None only when inspecting a photo of "
                                          "unknown area (an audit always knows it)")
    width: int
    height: int
    objects: tuple[ObjectFact, ...] = ()
    persons: tuple[PersonFact, ...] = ()
    texts: tuple[TextFact, ...] = ()
    floor_lines: tuple[LineFact, ...] = ()
    detectable: frozenset[str] = frozenset()
    analyzed: frozenset[str] = frozenset()

    def looked_for(self, *object_names: str) -> bool:
        return all(name in self.detectable for name in object_names)

    def objects_named(self, *names: str) -> tuple[ObjectFact, ...]:
        wanted = set(names)
        return tuple(o for o in self.objects if o.name in wanted)


class Evidence(Frozen):
    """One piece of what decided a verdict: a box, a line, a text read, or a measured value."""

    kind: str = Field(description="box, line, text or value")
    label: str
    photo: str | None = None
    box: Box | None = None
    points: tuple[Point, Point] | None = None
    text: str | None = None
    value: float | None = None
    unit: str | None = None


class Override(Frozen):
    """An inspector's confirmation or correction of a machine verdict. The machine's verdict is kept beside it."""

    verdict: Verdict
    comment: str
    by: str
    at: datetime
    sequence: int = Field(description="1 for the first override of a finding, +1 for each later one; a change "
                                      "made against an outdated sequence is refused (two people at once)")


class Finding(Frozen):
    """The verdict of one rule on one photo (or on the whole hall for hall-level rules, photo None).

    ``detail_key`` and ``detail_params`` name the concrete reason in the translation table so the same
    finding reads in Chinese or English. ``verdict`` is always the machine's; ``override`` the inspector's
    latest word on it, and ``final_verdict`` what the score counts.
    """

    rule_id: str
    photo: str | None
    area: Area | None
    verdict: Verdict
    detail_key: str
    detail_params: dict[str, str | int | float] = Field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    id: int | None = Field(None, description="the stored finding's id; None before the audit is saved")
    override: Override | None = None

    @property
    def final_verdict(self) -> Verdict:
        return self.override.verdict if self.override is not None else self.verdict


class CategoryScore(Frozen):
    category: str
    score: float | None = Field(description="0-100; None when no rule of the category could be assessed")
    passed_weight: float
    assessed_weight: float


class Score(Frozen):
    score: float | None
    grade: str
    failed_critical: tuple[str, ...]
    unassessed_critical: tuple[str, ...] = Field(description="critical rules that could not be assessed")
    coverage: float = Field(description="share (0-1) of the manual's rule weight that could be assessed")
    categories: tuple[CategoryScore, ...]
    rule_verdicts: dict[str, Verdict]


class RejectedPhoto(Frozen):
    """A photo that could not be audited, and why (shown to the inspector; the rest goes on).

    ``key`` and ``params`` name the reason in the translation table, so it reads in the reader's language
    (``auditor.i18n.rejected_reason``); ``reason`` is the English text, for logs and audits stored before
    reasons had keys."""

    photo: str
    reason: str
    key: str | None = None
    params: dict[str, str | int | float] = Field(default_factory=dict)


class AuditedPhoto(Frozen):
    name: str
    sha256: str
    area: Area
    width: int
    height: int
    stored_as: str | None = Field(None, description="path of the kept copy, relative to the photo store")


class AuditResult(Frozen):
    """Everything one audit established: what the store keeps and every view and report reads."""

    hall: str
    round: str
    inspector: str | None
    manual_version: str
    manual_sha256: str
    photos: tuple[AuditedPhoto, ...]
    rejected: tuple[RejectedPhoto, ...]
    findings: tuple[Finding, ...]
    score: Score
    uncovered_areas: tuple[Area, ...] = Field(description="areas the manual has rules for but no photo shows")
