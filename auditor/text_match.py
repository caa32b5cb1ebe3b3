"""How read text is scored against labelled text (the sign-text recall metric).

A labelled text counts as found when one OCR output contains it, or matches it at a normalised edit
similarity of at least 0.8 (normalised: NFKC, casefold, white space and punctuation removed; similarity
= 1 - Levenshtein distance / longer length). Each output is used once: a text labelled twice needs two
distinct outputs, and outputs built from the same read lines (a grouped line or block and its parts)
count as the same reading.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 0.8


def normalise(text: str) -> str:
    """NFKC, casefold, and drop white space, punctuation and symbols (``Rd.`` = ``Rd``, ``—`` ignored)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def edit_similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / longer length, on normalised texts (0 when either is empty)."""
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    return 1.0 - levenshtein(a, b) / max(len(a), len(b))


def text_matches(label: str, read: str, threshold: float = THRESHOLD) -> bool:
    """``read`` contains ``label`` (normalised) or is at least ``threshold`` similar to it."""
    a, b = normalise(label), normalise(read)
    if not a or not b:
        return False
    return a in b or edit_similarity(label, read) >= threshold


@dataclass(frozen=True)
class MatchResult:
    found: list[str]
    missed: list[str]
    pairs: list[tuple[str, str]]  # (label, the output it was matched to)

    @property
    def recall(self) -> float:
        total = len(self.found) + len(self.missed)
        return len(self.found) / total if total else 1.0


def match_texts(
    labels: Sequence[str],
    outputs: Sequence[str],
    parts: Sequence[frozenset[int]] | None = None,
    threshold: float = THRESHOLD,
) -> MatchResult:
    """Most labels matched to outputs, one output per label, no two outputs sharing a part.

    ``parts[i]`` names the raw read lines output ``i`` is made of (default: each output its own), so a
    grouped line and one of its fragments cannot both be used. Exact search (labels per photo are few).
    """
    if parts is None:
        parts = [frozenset({i}) for i in range(len(outputs))]
    candidates = [[j for j, out in enumerate(outputs) if text_matches(label, out, threshold)] for label in labels]
    # Labels with fewer candidates first: the search then prunes early.
    order = sorted(range(len(labels)), key=lambda i: len(candidates[i]))
    best: dict[int, int] = {}

    def search(k: int, used: frozenset[int], chosen: dict[int, int]) -> None:
        nonlocal best
        if len(chosen) + (len(order) - k) <= len(best):
            return
        if k == len(order):
            best = dict(chosen)
            return
        i = order[k]
        for j in candidates[i]:
            if not parts[j] & used:
                chosen[i] = j
                search(k + 1, used | parts[j], chosen)
                del chosen[i]
        search(k + 1, used, chosen)

    search(0, frozenset(), {})
    found = [labels[i] for i in range(len(labels)) if i in best]
    missed = [labels[i] for i in range(len(labels)) if i not in best]
    return MatchResult(found=found, missed=missed, pairs=[(labels[i], outputs[best[i]]) for i in sorted(best)])
