"""Evidence drawing: boxes and lines in their finding's final-verdict colour; crops around the evidence."""

from __future__ import annotations

import numpy as np
from PIL import Image

from auditor.annotate import VERDICT_COLOURS, draw_evidence, evidence_crop, evidence_region
from auditor.types import Evidence, Finding, Override, Verdict


def _finding(verdict: Verdict, *evidence: Evidence, override: Verdict | None = None) -> Finding:
    from datetime import UTC, datetime

    o = Override(verdict=override, comment="c", by="b", at=datetime.now(UTC), sequence=1) if override else None
    return Finding(rule_id="ITM-01", photo="p.jpg", area=None, verdict=verdict, detail_key="k", evidence=evidence,
                   override=o)


def _close(pixel, colour, tolerance=40) -> bool:
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_boxes_take_the_final_verdict_colour() -> None:
    image = Image.new("RGB", (400, 300), (200, 200, 200))
    cup = Evidence(kind="box", label="cup", box=(100, 120, 200, 220), value=0.9)
    machine_fail = draw_evidence(image, [_finding(Verdict.FAIL, cup)])
    overridden = draw_evidence(image, [_finding(Verdict.FAIL, cup, override=Verdict.PASS)])
    left_edge = (101, 200)
    assert _close(machine_fail.getpixel(left_edge), VERDICT_COLOURS[Verdict.FAIL])
    assert _close(overridden.getpixel(left_edge), VERDICT_COLOURS[Verdict.PASS]), "the inspector's verdict counts"
    assert image.getpixel(left_edge) == (200, 200, 200), "the photo itself is not drawn on"


def test_lines_are_drawn_and_values_are_not() -> None:
    image = Image.new("RGB", (400, 300), (200, 200, 200))
    line = Evidence(kind="line", label="yellow", points=((20, 250), (380, 250)))
    count = Evidence(kind="value", label="count:cup", value=2)
    drawn = np.asarray(draw_evidence(image, [_finding(Verdict.PASS, line, count)]))
    assert _close(drawn[250, 300], VERDICT_COLOURS[Verdict.PASS])
    assert evidence_region(_finding(Verdict.PASS, count), 400, 300) is None


def test_crop_surrounds_the_evidence_and_stays_inside_the_photo() -> None:
    image = Image.new("RGB", (1000, 800), (200, 200, 200))
    finding = _finding(Verdict.FAIL, Evidence(kind="box", label="cup", box=(900, 700, 990, 790)))
    x1, y1, x2, y2 = evidence_region(finding, 1000, 800)
    assert x1 < 900 and y1 < 700 and x2 == 1000 and y2 == 800
    crop = evidence_crop(image, finding, max_side=120)
    assert crop.size == (120, 112), "the 150 x 140 region around the cup, shrunk; not the whole 5:4 photo"
    whole = evidence_crop(image, _finding(Verdict.FAIL), max_side=500)
    assert whole.size == (500, 400), "no placed evidence: the whole photo"
