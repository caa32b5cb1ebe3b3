"""Every check kind against YAML cases (tests/fixtures/check_cases/<kind>.yaml), one test per case.

A case gives the rule's params, the facts of a photo (or ``photos`` for hall-level kinds) and the expected
verdict, optionally the detail key. Facts leave out what a case does not care about: photo name, size,
confidences and sources get defaults here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.checks import CHECK_KINDS, Scope
from auditor.types import PhotoFacts, Verdict

CASES_DIR = Path(__file__).parent / "fixtures" / "check_cases"


def _facts(raw: dict[str, Any], index: int = 0) -> PhotoFacts:
    data = {"photo": f"case-{index}.jpg", "width": 1000, "height": 700, **raw}
    data["objects"] = [{"confidence": 0.9, "source": "test", **o} for o in raw.get("objects", [])]
    data["persons"] = [{"confidence": 0.9, **p} for p in raw.get("persons", [])]
    data["texts"] = [{"confidence": 0.9, **t} for t in raw.get("texts", [])]
    data["detectable"] = frozenset(raw.get("detectable", []))
    data["analyzed"] = frozenset(raw.get("analyzed", []))
    return PhotoFacts.model_validate(data)


def _load_cases() -> list[Any]:
    params = []
    for file in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            params.append(pytest.param(spec["kind"], case, id=f"{file.stem}: {case['name']}"))
    return params


CASES = _load_cases()


def test_every_check_kind_has_cases() -> None:
    covered = {p.values[0] for p in CASES}
    assert covered == set(CHECK_KINDS), f"kinds without cases: {set(CHECK_KINDS) - covered}"


def test_every_kind_has_each_verdict() -> None:
    seen: dict[str, set[str]] = {}
    for p in CASES:
        seen.setdefault(p.values[0], set()).add(p.values[1]["expect"])
    lacking = {kind: {v.value for v in Verdict} - verdicts for kind, verdicts in seen.items()
               if {v.value for v in Verdict} - verdicts}
    assert not lacking, f"kinds whose cases miss a verdict: {lacking}"


@pytest.mark.parametrize(("kind_name", "case"), CASES)
def test_check_case(kind_name: str, case: dict[str, Any]) -> None:
    kind = CHECK_KINDS[kind_name]
    params = kind.params.model_validate(case.get("params", {}))
    if kind.scope is Scope.HALL:
        subject: Any = [_facts(f, i) for i, f in enumerate(case.get("photos", []))]
    else:
        subject = _facts(case["facts"])
    outcome = kind.run(params, subject)
    assert outcome.verdict.value == case["expect"], f"{outcome.detail_key} {outcome.detail_params}"
    if "detail" in case:
        assert outcome.detail_key == case["detail"]
    if outcome.verdict is not Verdict.NOT_ASSESSABLE and case.get("evidence", True):
        assert outcome.evidence, "a pass or fail must carry the evidence that decided it"
