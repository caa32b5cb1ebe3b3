"""The registry of check kinds: a name in the manual -> a parameter schema and a function.

A check kind turns a rule's parameters and the facts of one photo (scope ``photo``) or of every photo of the
hall (scope ``hall``) into an ``Outcome``. The engine adds the rule id and the photo to make a ``Finding``.
Kinds register themselves with ``@check(...)`` in one module per family (objects, signs, lines, dress, hall).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from auditor.types import Evidence, PhotoFacts, Verdict


class Scope(StrEnum):
    PHOTO = "photo"
    HALL = "hall"


class Analyzer(StrEnum):
    """What a check needs looked at in a photo; the pipeline runs only the analyzers some rule needs."""

    OBJECTS = "objects"
    TEXTS = "texts"
    FLOOR_LINES = "floor_lines"
    PERSONS = "persons"


class Params(BaseModel):
    """Base of every check kind's parameters: unknown keys are refused so a typo fails loudly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def extra_analyzers(self) -> frozenset[Analyzer]:
        """Analyzers these particular parameters need beyond the kind's own (a sign read within an object)."""
        return frozenset()


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    detail_key: str
    detail_params: dict[str, str | int | float]
    evidence: tuple[Evidence, ...] = ()


def passed(key: str, evidence: Sequence[Evidence] = (), **params: Any) -> Outcome:
    return Outcome(Verdict.PASS, key, params, tuple(evidence))


def failed(key: str, evidence: Sequence[Evidence] = (), **params: Any) -> Outcome:
    return Outcome(Verdict.FAIL, key, params, tuple(evidence))


def not_assessable(key: str, evidence: Sequence[Evidence] = (), **params: Any) -> Outcome:
    return Outcome(Verdict.NOT_ASSESSABLE, key, params, tuple(evidence))


PhotoCheck = Callable[[Any, PhotoFacts], Outcome]
HallCheck = Callable[[Any, Sequence[PhotoFacts]], Outcome]


@dataclass(frozen=True)
class CheckKind:
    name: str
    params: type[Params]
    scope: Scope
    analyzers: frozenset[Analyzer]
    run: PhotoCheck | HallCheck
    summary: str


CHECK_KINDS: dict[str, CheckKind] = {}


def check(
    name: str, *, params: type[Params], analyzers: set[Analyzer], scope: Scope = Scope.PHOTO
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register a check kind; a second kind with the same name is a programming error."""

    def register(func: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if name in CHECK_KINDS:
            raise ValueError(f"check kind {name!r} is registered twice")
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        CHECK_KINDS[name] = CheckKind(name, params, scope, frozenset(analyzers), func, summary)
        return func

    return register
