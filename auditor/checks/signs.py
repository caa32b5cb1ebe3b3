"""The sign_text check kind: the text read on signs matches the manual's expected wording."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Literal

from pydantic import Field, model_validator

from auditor.checks.objects import box_evidence
from auditor.checks.registry import Analyzer, Outcome, Params, check, failed, not_assessable, passed
from auditor.text_match import normalise  # one normalisation for the check and the recall metric
from auditor.types import Evidence, PhotoFacts, TextFact


def similarity(expected: str, seen: str) -> float:
    """Best match of ``expected`` against ``seen`` or any same-length stretch of it (0..1).

    Sign text is often read together with its neighbours ("3号窗口 综合受理"), so a stretch of the line
    is compared as well as the whole line.
    """
    a, b = normalise(expected), normalise(seen)
    if not a or not b:
        return 0.0
    best = SequenceMatcher(None, a, b).ratio()
    if len(b) > len(a):
        for start in range(len(b) - len(a) + 1):
            best = max(best, SequenceMatcher(None, a, b[start:start + len(a)]).ratio())
    return best


class SignTextParams(Params):
    mode: Literal["exact", "contains", "regex", "fuzzy"]
    expected: list[str] = Field(min_length=1, description="texts, or regular expressions in regex mode")
    match: Literal["any", "all"] = "any"
    threshold: float = Field(0.8, gt=0, le=1, description="fuzzy mode: least similarity that counts")
    within: str | None = Field(None, description="only texts inside this detected object (e.g. window_plate)")

    def extra_analyzers(self) -> frozenset[Analyzer]:
        return frozenset({Analyzer.OBJECTS}) if self.within else frozenset()

    @model_validator(mode="after")
    def _patterns_compile(self) -> SignTextParams:
        if self.mode != "regex":
            # Texts are compared without white space and punctuation: one made only of those would match
            # anything.
            empty = [text for text in self.expected if not normalise(text)]
            if empty:
                raise ValueError(f"expected {', '.join(map(repr, empty))} has no letter or digit to match "
                                 "(white space and punctuation are ignored); use regex mode for symbols")
        if self.mode == "regex":
            for pattern in self.expected:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"expected {pattern!r} is not a valid regular expression: {exc}") from exc
        return self


def _matches(p: SignTextParams, expected: str, text: TextFact) -> float:
    """Similarity 1.0 for an exact/contains/regex hit, the fuzzy ratio in fuzzy mode, 0 otherwise."""
    if p.mode == "exact":
        return float(normalise(text.text) == normalise(expected))
    if p.mode == "contains":
        return float(normalise(expected) in normalise(text.text))
    if p.mode == "regex":
        return float(re.search(expected, unicodedata.normalize("NFKC", text.text)) is not None)
    return similarity(expected, text.text)


def _inside(text: TextFact, box: tuple[float, float, float, float]) -> bool:
    cx, cy = (text.box[0] + text.box[2]) / 2, (text.box[1] + text.box[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


@check("sign_text", params=SignTextParams, analyzers={Analyzer.TEXTS})
def sign_text(p: SignTextParams, facts: PhotoFacts) -> Outcome:
    """The text read in the photo (or on one kind of sign) matches the expected wording."""
    if Analyzer.TEXTS.value not in facts.analyzed:
        return not_assessable("detail.no_text_reader")
    texts = list(facts.texts)
    holders = ()
    if p.within is not None:
        if not facts.looked_for(p.within):
            return not_assessable("detail.not_detectable", objects=p.within)
        holders = facts.objects_named(p.within)
        if not holders:
            return not_assessable("detail.holder_not_found", objects=p.within)
        texts = [t for t in texts if any(_inside(t, h.box) for h in holders)]
    threshold = p.threshold if p.mode == "fuzzy" else 1.0
    hits: list[Evidence] = []
    found: list[str] = []
    for expected in p.expected:
        scored = [(_matches(p, expected, t), t) for t in texts]
        score, best = max(scored, key=lambda st: st[0], default=(0.0, None))
        if best is not None and score >= threshold:
            found.append(expected)
            hits.append(Evidence(kind="text", label=expected, photo=facts.photo, box=best.box, text=best.text,
                                 value=round(score, 3)))
    ok = bool(found) if p.match == "any" else len(found) == len(p.expected)
    read = "; ".join(t.text for t in texts[:8]) or "-"
    evidence = [*box_evidence(holders, facts), *hits]
    if ok:
        return passed("detail.text_found", evidence, expected=" | ".join(found))
    missing = [e for e in p.expected if e not in found]
    # The texts that were read are the evidence that the expected one is not there.
    read_evidence = [Evidence(kind="text", label="read", photo=facts.photo, box=t.box, text=t.text,
                              value=round(t.confidence, 3)) for t in texts]
    read_evidence.append(Evidence(kind="value", label="texts_read", photo=facts.photo, value=len(texts)))
    return failed("detail.text_missing", [*evidence, *read_evidence], expected=" | ".join(missing), read=read)
