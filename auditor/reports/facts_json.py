"""The JSON form of what the analyzers established about one photo: what ``auditor inspect --json`` writes.

It is ``auditor.types.PhotoFacts``, the very facts the audit's checks read, so what an inspector sees here is
what the verdicts were decided on. Keys per photo: ``photo``, ``width``, ``height``, ``area``, ``persons``,
``floor_lines``, ``texts``, ``objects`` (each object's manual name under ``class``), and ``analyzed`` (the
analyzers that ran; a list that is empty because its analyzer did not run is unknown, not "none found").
"""

from __future__ import annotations

from typing import Any

from auditor.types import PhotoFacts


def facts_to_dict(facts: PhotoFacts) -> dict[str, Any]:
    data = facts.model_dump(mode="json", by_alias=True, exclude={"detectable"})
    data["analyzed"] = sorted(facts.analyzed)
    return data
