"""The audit, end to end: photos -> detections -> facts -> findings -> score -> stored audit.

``Auditor`` holds the manual and the detectors (loaded once per process) and audits a batch of photos of one
hall (``auditor.collect`` turns files and folders into that batch). A photo that cannot be read is reported
in ``rejected`` with the reason and the others go on.

The audit has two parts: ``Auditor.analyse_photo`` reads and analyses one photo (the costly part, which
``auditor.batch`` runs in worker processes or on a Ray cluster), ``finish_audit`` judges, scores and stores a
hall from those photos' facts; ``Auditor.audit`` runs both in this process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import supervision as sv

from auditor.checks import Analyzer
from auditor.collect import PhotoInput
from auditor.detectors.base import LineFinder, ObjectDetector, TextReader
from auditor.detectors.fusion import DEFAULT_CONFIG, load_object_detector
from auditor.detectors.lines import FloorLineFinder
from auditor.detectors.ocr import RapidOcrReader
from auditor.engine import analyzers_for, evaluate
from auditor.errors import DetectorConfigError, PhotoReadError
from auditor.facts import build_facts
from auditor.i18n import rejected_photo
from auditor.localtime import local_today
from auditor.manual import Manual
from auditor.photos import Photo
from auditor.scoring import score_audit
from auditor.store import AuditStore
from auditor.types import Area, AuditedPhoto, AuditResult, PhotoFacts, RejectedPhoto

log = logging.getLogger(__name__)


@dataclass
class Detectors:
    """The detector backends the audit may use; None where a backend is not available."""

    objects: ObjectDetector | None
    texts: TextReader | None
    lines: LineFinder | None
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def default_detectors(config: Path = DEFAULT_CONFIG) -> Detectors:
    """The configured detectors, built once per process and shared by every audit."""
    objects, notes = load_object_detector(config)
    if objects is None:
        notes.append(f"no object detector: no weights of {config} are there; rules that need objects, persons "
                     f"or dress are not assessable")
    return Detectors(objects=objects, texts=RapidOcrReader(), lines=FloorLineFinder(), notes=notes)


def current_round(today: date | None = None) -> str:
    """This quarter in the bureau's time zone (auditor.localtime), e.g. 2026-Q4."""
    today = today or local_today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


class Auditor:
    def __init__(self, manual: Manual, detectors: Detectors):
        if detectors.objects is not None:
            # A class mapped to a name the manual does not know would be detected and then never checked.
            unknown = sorted(detectors.objects.detectable - set(manual.object_names))
            if unknown:
                raise DetectorConfigError(
                    f"the detector's class map names objects the manual does not declare: {', '.join(unknown)} "
                    f"(manual {manual.version} declares: {', '.join(sorted(manual.object_names))})")
        self.manual = manual
        self.detectors = detectors
        # One auditor serves every session of the app (models load once per process), but an ultralytics
        # predictor is not safe to call from two threads at once: photos are analysed one at a time. On the
        # 2-core machines it runs on, two analyses at once would not be faster anyway.
        self._analysing = threading.Lock()
        # Within one photo the analyzers are independent and spend their time in onnxruntime, OpenCV and
        # numpy, which let go of the GIL: run side by side they keep both cores busier (the three analyzers
        # of a sample photo, median over the 48: 737 ms one after the other, 646 ms side by side).
        self._side_by_side = ThreadPoolExecutor(max_workers=2, thread_name_prefix="analyzer")

    def _side_by_side_results(self, jobs: dict[str, Callable[[], sv.Detections | None]]
                              ) -> dict[str, sv.Detections | None]:
        """Run the jobs at once: the first in this thread, the others in the auditor's two helper threads."""
        names = list(jobs)
        pending = {name: self._side_by_side.submit(jobs[name]) for name in names[1:]}
        results = {names[0]: jobs[names[0]]()} if names else {}
        results.update({name: future.result() for name, future in pending.items()})
        return results

    def _run(self, name: str, photo: str, detect: Callable[[], sv.Detections]) -> sv.Detections | None:
        try:
            return detect()
        except Exception as exc:  # one detector failing on one photo leaves its facts unknown, not the audit lost
            # One line for the inspector (its facts stay unknown, so its rules are not assessable); the
            # traceback only for a maintainer who turns on debug logging.
            log.warning("%s could not analyse %s (%s: %s); its rules there are not assessable", name, photo,
                        type(exc).__name__, exc)
            log.debug("traceback of %s on %s", name, photo, exc_info=True)
            return None

    def facts(self, photo: Photo, area: Area | None, needed: frozenset[Analyzer] | None = None) -> PhotoFacts:
        """Run the analyzers the area's rules need, and only those (``needed``: these instead; with no area,
        every analyzer, as ``auditor inspect`` does for a photo of unknown area)."""
        if needed is None:
            needed = analyzers_for(self.manual, area) if area is not None else frozenset(Analyzer)
        with self._analysing:
            return self._facts(photo, area, needed)

    def _facts(self, photo: Photo, area: Area | None, needed: frozenset[Analyzer]) -> PhotoFacts:
        d = self.detectors
        wants_objects = bool(needed & {Analyzer.OBJECTS, Analyzer.PERSONS})
        jobs: dict[str, Callable[[], sv.Detections | None]] = {}
        if d.objects is not None and wants_objects:
            jobs["objects"] = lambda: self._run(d.objects.name, photo.name, lambda: d.objects.detect(photo.image))
        if d.texts is not None and Analyzer.TEXTS in needed:
            jobs["texts"] = lambda: self._run(d.texts.name, photo.name, lambda: d.texts.read(photo.image))
        if d.lines is not None and Analyzer.FLOOR_LINES in needed:
            jobs["lines"] = lambda: self._run(d.lines.name, photo.name, lambda: d.lines.find(photo.image))
        found = self._side_by_side_results(jobs)
        objects, texts, lines = found.get("objects"), found.get("texts"), found.get("lines")
        detectable = d.objects.detectable if d.objects is not None else frozenset()
        return build_facts(photo.name, area, photo.image, objects, detectable, texts, lines)

    def audit(
        self,
        photos: Sequence[PhotoInput],
        hall: str,
        round_name: str,
        inspector: str | None = None,
        rejected: Sequence[RejectedPhoto] = (),
        store: AuditStore | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> tuple[int | None, AuditResult]:
        """Audit one hall's photos; with a store, keep the photos and save the audit (returns its id)."""
        outcomes: list[AnalysedPhoto | RejectedPhoto] = []
        seen: dict[str, str] = {}
        for index, item in enumerate(photos):
            if progress is not None:
                progress(index, len(photos), item.name)
            try:
                photo = item.read()
            except PhotoReadError as exc:
                outcomes.append(exc.rejected())
                continue
            if photo.sha256 in seen:  # analysed once (finish() would drop the second one anyway)
                outcomes.append(rejected_photo(item.name, "reject.duplicate", first=seen[photo.sha256]))
                continue
            seen[photo.sha256] = item.name
            stored_as = store.keep_photo(photo.data, photo.sha256, _suffix(photo)) if store else None
            outcomes.append(self._analysed(item, photo, stored_as))
        if progress is not None:
            progress(len(photos), len(photos), "")
        return self.finish(hall, round_name, outcomes, inspector=inspector, rejected=rejected, store=store)

    def analyse_photo(self, item: PhotoInput) -> AnalysedPhoto | RejectedPhoto:
        """The per-photo part of the audit: read the photo and analyse it (its bytes come along for the store to
        keep). Runs anywhere the auditor was built: ``auditor.batch`` calls it in worker processes."""
        try:
            photo = item.read()
        except PhotoReadError as exc:
            return exc.rejected()
        return self._analysed(item, photo, None, keep=photo.data)

    def _analysed(self, item: PhotoInput, photo: Photo, stored_as: str | None, keep: bytes | None = None
                  ) -> AnalysedPhoto:
        audited = AuditedPhoto(name=item.name, sha256=photo.sha256, area=item.area, width=photo.width,
                               height=photo.height, stored_as=stored_as)
        return AnalysedPhoto(audited, self.facts(photo, item.area), data=keep, suffix=_suffix(photo))

    def finish(self, hall: str, round_name: str, outcomes: Sequence[AnalysedPhoto | RejectedPhoto],
               inspector: str | None = None, rejected: Sequence[RejectedPhoto] = (),
               store: AuditStore | None = None) -> tuple[int | None, AuditResult]:
        """The hall-level part of the audit (see ``finish_audit``), on facts computed here or elsewhere."""
        return finish_audit(self.manual, hall, round_name, outcomes, inspector=inspector, rejected=rejected,
                            store=store)


@dataclass(frozen=True)
class AnalysedPhoto:
    """One photo read and analysed: all the hall-level part of the audit needs of it. Picklable, so it may come
    from another process or machine. ``data`` holds the photo's bytes until a store keeps them."""

    photo: AuditedPhoto
    facts: PhotoFacts
    data: bytes | None = None
    suffix: str = ".img"

    def kept(self, store: AuditStore | None) -> AnalysedPhoto:
        """The photo with its copy kept in the store (``stored_as`` set) and its bytes dropped."""
        if store is None or self.data is None:
            return self
        stored_as = store.keep_photo(self.data, self.photo.sha256, self.suffix)
        return AnalysedPhoto(self.photo.model_copy(update={"stored_as": stored_as}), self.facts, suffix=self.suffix)


def finish_audit(manual: Manual, hall: str, round_name: str, outcomes: Sequence[AnalysedPhoto | RejectedPhoto],
                 inspector: str | None = None, rejected: Sequence[RejectedPhoto] = (),
                 store: AuditStore | None = None) -> tuple[int | None, AuditResult]:
    """Judge a hall from its photos' outcomes, in the order given: the same photo twice (by sha256) counts
    once, the rules are evaluated, the hall scored and, with a store, the photos kept and the audit saved in one
    transaction (returns its id; none when no photo was analysed). Needs only the manual, no detector."""
    rejected_all = list(rejected)
    audited: list[AuditedPhoto] = []
    facts: list[PhotoFacts] = []
    seen: dict[str, str] = {}
    for outcome in outcomes:
        if isinstance(outcome, RejectedPhoto):
            rejected_all.append(outcome)
            continue
        name = outcome.photo.name
        if outcome.photo.sha256 in seen:
            rejected_all.append(rejected_photo(name, "reject.duplicate", first=seen[outcome.photo.sha256]))
            continue
        seen[outcome.photo.sha256] = name
        outcome = outcome.kept(store)
        audited.append(outcome.photo)
        facts.append(outcome.facts)
    findings = evaluate(manual, facts)
    covered = {p.area for p in audited}
    needed_areas = {area for rule in manual.rules for area in rule.areas}
    result = AuditResult(
        hall=hall, round=round_name, inspector=inspector, manual_version=manual.version,
        manual_sha256=manual.sha256, photos=tuple(audited), rejected=tuple(rejected_all),
        findings=tuple(findings), score=score_audit(manual, findings),
        uncovered_areas=tuple(a for a in Area if a in needed_areas and a not in covered),
    )
    if store is None or not audited:
        return None, result
    audit_id = store.save(result, manual)
    return audit_id, store.load(audit_id).result  # as stored: findings carry their ids for overrides


def _suffix(photo: Photo) -> str:
    return {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp",
            "TIFF": ".tif", "HEIF": ".heic"}.get(photo.format, ".img")
