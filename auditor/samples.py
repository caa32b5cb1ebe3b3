"""Audit the bundled sample streets (``samples/<street>/<area>/*.jpg``) into a store: what `make run` and the
app's first start do, so a newcomer sees halls compared before taking a single photo."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.collect import PhotoInput, collect_photos
from auditor.errors import AuditorError
from auditor.store import AuditStore
from auditor.types import AuditResult

if TYPE_CHECKING:  # the pipeline loads torch; importing this module must stay light for the CLI
    from auditor.pipeline import Auditor

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_ROUND = "sample"


@dataclass(frozen=True)
class SampleAudit:
    audit_id: int | None
    result: AuditResult


def street_folders(folder: Path | None = None) -> list[Path]:
    """The street folders of ``folder`` (default: SAMPLES_DIR, read at call time), by name."""
    folder = SAMPLES_DIR if folder is None else folder
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _relative(item: PhotoInput, street: Path) -> PhotoInput:
    # Named from the street folder down (window_counter/03.jpg): the same in every clone, short in reports.
    source = Path(item.source) if not isinstance(item.source, bytes) else None
    name = source.relative_to(street).as_posix() if source is not None and source.is_relative_to(street) else item.name
    return PhotoInput(name=name, area=item.area, source=item.source)


def audit_samples(auditor: Auditor, store: AuditStore, folder: Path | None = None, round_name: str = SAMPLE_ROUND,
                  progress: Callable[[int, int, str], None] | None = None,
                  only: Collection[str] | None = None) -> list[SampleAudit]:
    """Audit every street folder (folder name = hall) of ``folder`` (default: SAMPLES_DIR), or only those named
    in ``only``, and store each audit (one transaction each: an interrupted run keeps the streets it finished).
    ``progress(done, total, name)`` counts photos over all the streets audited."""
    folder = SAMPLES_DIR if folder is None else folder
    streets = street_folders(folder)
    if not streets:
        raise AuditorError(f"{folder}: no street folders to audit")
    if only is not None:
        streets = [s for s in streets if s.name in only]
    batches = []
    for street in streets:
        inputs, rejected = collect_photos([street])
        batches.append((street, [_relative(i, street) for i in inputs], rejected))
    total = sum(len(inputs) for _, inputs, _ in batches)
    done = 0
    audits = []
    for street, inputs, rejected in batches:
        def step(index: int, _count: int, name: str, offset: int = done, hall: str = street.name) -> None:
            if progress is not None:
                progress(offset + index, total, f"{hall}/{name}" if name else hall)

        audit_id, result = auditor.audit(inputs, hall=street.name, round_name=round_name, rejected=rejected,
                                         store=store, progress=step)
        done += len(inputs)
        audits.append(SampleAudit(audit_id, result))
    if progress is not None:
        progress(total, total, "")
    return audits
