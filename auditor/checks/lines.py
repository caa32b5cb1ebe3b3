"""Check kinds about floor marking lines: a line of the standard colour, and the one-metre line's distance."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from auditor.checks.registry import Analyzer, Outcome, Params, check, failed, not_assessable, passed
from auditor.types import COLOURS, Evidence, LineFact, PhotoFacts


def _colour_known(colour: str) -> str:
    if colour not in COLOURS:
        raise ValueError(f"colour {colour!r} is not one of {', '.join(COLOURS)}")
    return colour


def line_evidence(lines: list[LineFact], facts: PhotoFacts) -> list[Evidence]:
    return [Evidence(kind="line", label="/".join(line.colours), photo=facts.photo, points=line.points,
                     value=line.distance_m, unit="m" if line.distance_m is not None else None)
            for line in lines]


class LinePresentParams(Params):
    colour: str
    orientation: Literal["horizontal", "vertical", "any"] = "any"
    min_length_frac: float = Field(0.15, gt=0, le=2, description="least length as a share of the photo width")
    min_count: int = Field(1, ge=1)

    _colour = field_validator("colour")(_colour_known)


@check("line_present", params=LinePresentParams, analyzers={Analyzer.FLOOR_LINES})
def line_present(p: LinePresentParams, facts: PhotoFacts) -> Outcome:
    """The floor shows at least min_count lines of the colour, orientation and length."""
    if Analyzer.FLOOR_LINES.value not in facts.analyzed:
        return not_assessable("detail.no_line_analyzer")
    min_px = p.min_length_frac * facts.width
    lines = [line for line in facts.floor_lines
             if p.colour in line.colours
             and (p.orientation == "any" or line.orientation == p.orientation)
             and line.length_px >= min_px]
    if len(lines) >= p.min_count:
        return passed("detail.line_found", line_evidence(lines, facts), colour=p.colour, count=len(lines))
    count = Evidence(kind="value", label=f"count:{p.colour}", photo=facts.photo, value=len(lines))
    if not facts.floor_lines:
        return failed("detail.no_line_seen", [count], colour=p.colour)
    seen = ", ".join(sorted({"/".join(line.colours) for line in facts.floor_lines}))
    return failed("detail.line_missing", [*line_evidence(list(facts.floor_lines), facts), count], colour=p.colour,
                  orientation=p.orientation, count=len(lines), min_count=p.min_count, seen=seen)


class LineDistanceParams(Params):
    colour: str = "yellow"
    target_m: float = Field(1.0, gt=0)
    tolerance_m: float = Field(0.15, ge=0)

    _colour = field_validator("colour")(_colour_known)


@check("line_distance", params=LineDistanceParams, analyzers={Analyzer.FLOOR_LINES})
def line_distance(p: LineDistanceParams, facts: PhotoFacts) -> Outcome:
    """The line of the colour lies target_m (within tolerance_m) from the counter edge."""
    if Analyzer.FLOOR_LINES.value not in facts.analyzed:
        return not_assessable("detail.no_line_analyzer")
    lines = [line for line in facts.floor_lines if p.colour in line.colours]
    if not lines:
        return not_assessable("detail.no_line_to_measure", colour=p.colour)
    measured = [line for line in lines if line.distance_m is not None]
    if not measured:
        return not_assessable("detail.distance_unmeasurable", colour=p.colour)
    best = min(measured, key=lambda line: abs(line.distance_m - p.target_m))  # type: ignore[operator]
    assert best.distance_m is not None
    evidence = line_evidence([best], facts)
    values = dict(distance=round(best.distance_m, 2), target=p.target_m, tolerance=p.tolerance_m)
    # Compared in millimetres: 1.0 - 0.85 is 0.15000000000000002 in floating point.
    if round(abs(best.distance_m - p.target_m), 3) <= p.tolerance_m:
        return passed("detail.distance_ok", evidence, **values)
    return failed("detail.distance_off", evidence, **values)
