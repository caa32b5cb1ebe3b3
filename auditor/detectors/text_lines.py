"""Group OCR readings into sign lines and blocks (pure functions over boxes and texts).

A text detector splits a sign line wherever the letter spacing is wide ("W", "Yuyuan Rd.", "E"), and
reads each line of a bilingual or two-line sign ("等候区" over "Waiting Area", a small "西" over "315") on
its own. ``group_lines`` joins horizontally adjacent pieces of one height on one row into a line;
``group_blocks`` joins lines stacked closely under each other into a block. Both keep what they were
made of (``parts``), so callers can keep the pieces next to the groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A gap between two pieces of one line of at most this many text heights.
LINE_GAP = 1.5
# Pieces of one line: heights within this ratio, rows overlapping by this share of the lower piece.
LINE_HEIGHT_RATIO = 0.6
LINE_ROW_OVERLAP = 0.6
# Lines of one block: vertical gap of at most this share of the smaller line's height, x-extents
# overlapping by this share of the narrower line, heights within this ratio.
BLOCK_GAP = 0.6
BLOCK_X_OVERLAP = 0.5
BLOCK_HEIGHT_RATIO = 0.3


@dataclass(frozen=True)
class Piece:
    """One reading: its axis-aligned box, text, score, whether it runs horizontally, and its sources."""

    box: tuple[float, float, float, float]
    text: str
    score: float
    horizontal: bool = True
    parts: frozenset[int] = frozenset()

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def same_line(left: Piece, right: Piece, gap: float = LINE_GAP) -> bool:
    """``right`` continues ``left`` on its row: similar height, same row, a gap under ``gap`` heights."""
    if not (left.horizontal and right.horizontal):
        return False
    h_lo, h_hi = sorted((left.height, right.height))
    if h_hi <= 0 or h_lo / h_hi < LINE_HEIGHT_RATIO:
        return False
    if _overlap(left.box[1], left.box[3], right.box[1], right.box[3]) < LINE_ROW_OVERLAP * h_lo:
        return False
    space = right.box[0] - left.box[2]
    return -0.5 * h_lo <= space <= gap * (left.height + right.height) / 2


def stacked(upper: Piece, lower: Piece) -> bool:
    """``lower`` sits right under ``upper`` as the next line of one sign."""
    if not (upper.horizontal and lower.horizontal):
        return False
    h_lo, h_hi = sorted((upper.height, lower.height))
    if h_hi <= 0 or h_lo / h_hi < BLOCK_HEIGHT_RATIO:
        return False
    if _overlap(upper.box[0], upper.box[2], lower.box[0], lower.box[2]) < BLOCK_X_OVERLAP * min(upper.width,
                                                                                                 lower.width):
        return False
    centre_upper = (upper.box[1] + upper.box[3]) / 2
    centre_lower = (lower.box[1] + lower.box[3]) / 2
    if centre_lower <= centre_upper:
        return False
    vertical_gap = lower.box[1] - upper.box[3]
    # Overlapping a little is fine (padded boxes), one line inside another is not a stack.
    return -0.5 * h_lo <= vertical_gap <= BLOCK_GAP * h_lo


def _join(pieces: Sequence[Piece], horizontal: bool) -> Piece:
    boxes = [p.box for p in pieces]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    # Score: the weakest piece's, so a group is never more certain than what it is made of.
    return Piece(box=box, text=" ".join(p.text for p in pieces), score=min(p.score for p in pieces),
                 horizontal=horizontal, parts=frozenset().union(*(p.parts for p in pieces)))


def _components(n: int, edges: Sequence[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def group_lines(pieces: Sequence[Piece], gap: float = LINE_GAP) -> list[Piece]:
    """Join pieces that continue each other on one row; each result lists the pieces it was made of.

    Each piece links to its nearest continuation on the right only, so two lines of different height
    or far apart stay apart. Pieces that join nothing come back as they are.
    """
    edges: list[tuple[int, int]] = []
    for i, left in enumerate(pieces):
        followers = [j for j, right in enumerate(pieces) if j != i and same_line(left, right, gap)]
        if followers:
            edges.append((i, min(followers, key=lambda j: pieces[j].box[0] - left.box[2])))
    lines = []
    for group in _components(len(pieces), edges):
        members = sorted((pieces[i] for i in group), key=lambda p: p.box[0])
        lines.append(members[0] if len(members) == 1 else _join(members, horizontal=True))
    return sorted(lines, key=lambda p: (p.box[1], p.box[0]))


def group_blocks(lines: Sequence[Piece]) -> list[Piece]:
    """Blocks of two or more lines stacked closely, read top to bottom (single lines are not returned).

    Two lines link when each is the other's nearest stacked neighbour (below, above), so a block is one
    column of lines and reads in order; a wide line under two narrow ones joins the nearer one only.
    """
    pairs = [(i, j) for i, upper in enumerate(lines) for j, lower in enumerate(lines)
             if i != j and stacked(upper, lower)]
    nearest_below: dict[int, int] = {}
    nearest_above: dict[int, int] = {}
    for i, j in pairs:
        if i not in nearest_below or lines[j].box[1] < lines[nearest_below[i]].box[1]:
            nearest_below[i] = j
        if j not in nearest_above or lines[i].box[3] > lines[nearest_above[j]].box[3]:
            nearest_above[j] = i
    edges = [(i, j) for i, j in nearest_below.items() if nearest_above.get(j) == i]
    blocks = []
    for group in _components(len(lines), edges):
        if len(group) > 1:
            members = sorted((lines[i] for i in group), key=lambda p: ((p.box[1] + p.box[3]) / 2, p.box[0]))
            blocks.append(_join(members, horizontal=True))
    return sorted(blocks, key=lambda p: (p.box[1], p.box[0]))
