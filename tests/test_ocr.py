"""The sign-text reader: grouping readings into lines and blocks, the recall metric, and reading rendered signs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from auditor.detectors.text_lines import Piece, group_blocks, group_lines
from auditor.fonts import cjk_font_path
from auditor.text_match import edit_similarity, match_texts, normalise, text_matches


def piece(i: int, box: tuple[float, float, float, float], text: str, horizontal: bool = True) -> Piece:
    return Piece(box=box, text=text, score=0.9 + i / 100, horizontal=horizontal, parts=frozenset({i}))


# -- grouping --------------------------------------------------------------------------------------------

def test_fragments_on_one_row_become_one_line_and_keep_their_parts() -> None:
    pieces = [piece(0, (229, 172, 419, 213), "Yuyuan Rd."), piece(1, (160, 173, 200, 213), "W"),
              piece(2, (440, 175, 470, 213), "E")]
    (line,) = group_lines(pieces)
    assert line.text == "W Yuyuan Rd. E"  # left to right, whatever order the readings came in
    assert line.parts == {0, 1, 2} and line.box == (160, 172, 470, 213)
    assert line.score == pytest.approx(0.9)  # never surer than its weakest piece


def test_far_apart_taller_or_other_row_pieces_stay_apart() -> None:
    far = [piece(0, (0, 100, 100, 130), "1号窗口"), piece(1, (300, 100, 400, 130), "2号窗口")]  # gap 6.7 heights
    taller = [piece(0, (0, 100, 100, 130), "综合"), piece(1, (110, 80, 200, 150), "受理")]
    lower = [piece(0, (0, 100, 100, 130), "等候区"), piece(1, (105, 135, 200, 165), "Waiting")]
    turned = [piece(0, (0, 100, 100, 130), "出件", horizontal=False), piece(1, (110, 100, 200, 130), "窗口")]
    for pieces in (far, taller, lower, turned):
        assert sorted(line.text for line in group_lines(pieces)) == sorted(p.text for p in pieces)


def test_the_line_gap_is_measured_in_text_heights() -> None:
    pieces = [piece(0, (0, 100, 100, 130), "政务"), piece(1, (140, 100, 240, 130), "公开")]  # gap 40 = 1.33 h
    assert [line.text for line in group_lines(pieces)] == ["政务 公开"]
    assert len(group_lines(pieces, gap=1.0)) == 2


def test_stacked_lines_form_a_block_read_top_to_bottom() -> None:
    lines = [piece(1, (290, 206, 414, 235), "Waiting Area"), piece(0, (312, 170, 397, 205), "等候区"),
             piece(2, (700, 170, 800, 205), "政务公开")]
    (block,) = group_blocks(lines)
    assert block.text == "等候区 Waiting Area" and block.parts == {0, 1}
    # A small line over a bigger one (a street plate's "西" over "315") is a block too.
    assert [b.text for b in group_blocks([piece(0, (84, 77, 146, 128), "西"),
                                          piece(1, (77, 124, 135, 155), "315")])] == ["西 315"]


def test_lines_far_below_or_beside_each_other_are_no_block() -> None:
    far_below = [piece(0, (200, 214, 374, 270), "Mairie du Ier"), piece(1, (210, 321, 474, 383), "Palais du LOUVRE")]
    beside = [piece(0, (0, 100, 100, 130), "等候区"), piece(1, (200, 131, 300, 160), "Waiting Area")]
    assert group_blocks(far_below) == [] and group_blocks(beside) == []


def test_a_wide_line_under_two_signs_joins_the_nearer_one_only() -> None:
    lines = [piece(0, (0, 100, 60, 130), "西"), piece(1, (300, 90, 360, 130), "东"),
             piece(2, (0, 134, 360, 160), "W Yuyuan Rd. E")]
    blocks = group_blocks(lines)
    assert [b.text for b in blocks] == ["西 W Yuyuan Rd. E"] or [b.text for b in blocks] == ["东 W Yuyuan Rd. E"]


# -- the recall metric -----------------------------------------------------------------------------------

def test_normalise_folds_width_case_space_and_punctuation() -> None:
    assert normalise("Ｗａｉｔｉｎｇ  Area") == "waitingarea"
    assert normalise("华南农业大学—东园") == "华南农业大学东园" and normalise("Rd.") == "rd"
    assert edit_similarity("KEEP CLEAR", "keep-clear!") == 1.0


def test_a_label_is_found_when_contained_or_at_least_point_eight_similar() -> None:
    assert text_matches("等候区", "等候区 Waiting Area")  # contained in a longer line
    assert text_matches("W Yuyuan Rd. E", "Yuyuan Rd.")  # 8 of 10 letters: 1 - 2/10 = 0.8
    assert text_matches("华南农业大学—东园", "华南农业大学东图")  # one letter wrong in 8: 0.875
    assert not text_matches("办事指南", "办事指")  # 0.75
    assert not text_matches("西 315", "315") and not text_matches("abc", "")


def test_a_text_labelled_twice_needs_two_distinct_outputs() -> None:
    assert match_texts(["KEEP CLEAR", "KEEP CLEAR"], ["KEEP CLEAR"]).found == ["KEEP CLEAR"]
    assert match_texts(["KEEP CLEAR", "KEEP CLEAR"], ["KEEP CLEAR", "KEEP CLEAR"]).recall == 1.0
    # A block and one of its lines are one reading: they cannot stand for two labels.
    shared = match_texts(["KEEP CLEAR", "KEEP CLEAR"], ["KEEP CLEAR", "KEEP CLEAR Exit"],
                         parts=[frozenset({0}), frozenset({0, 1})])
    assert shared.missed == ["KEEP CLEAR"]


def test_matching_assigns_outputs_so_that_most_labels_are_found() -> None:
    # Greedy would give "等候区 Waiting Area" to 等候区 and leave Waiting Area unmatched.
    result = match_texts(["等候区", "Waiting Area"], ["等候区 Waiting Area", "等候区"])
    assert result.recall == 1.0 and dict(result.pairs)["Waiting Area"] == "等候区 Waiting Area"
    assert match_texts([], ["x"]).recall == 1.0


# -- merging passes --------------------------------------------------------------------------------------

def test_merging_passes_keeps_the_better_reading_of_each_place() -> None:
    from auditor.detectors.ocr import Reading, merge_readings

    def reading(x: float, text: str, score: float) -> Reading:
        return Reading(np.float32([[x, 10], [x + 80, 10], [x + 80, 30], [x, 30]]), text, score)

    kept = merge_readings([reading(600, "KEPCA", 0.43), reading(602, "KEEP CLEAR", 0.93), reading(300, "出口", 0.9),
                           reading(0, "办事指", 0.99), reading(1, "办事指南", 0.96)])
    assert sorted(r.text for r in kept) == ["KEEP CLEAR", "出口", "办事指南"]  # at a near tie, the longer wins
    # Only a reading that extends the other wins a near tie; an extra wrong letter does not.
    (kept,) = merge_readings([reading(0, "MEEP CCLEAR", 0.85), reading(2, "KEEP CLEAR", 0.86)])
    assert kept.text == "KEEP CLEAR"


# -- the reader on rendered signs ------------------------------------------------------------------------

needs_font = pytest.mark.skipif(cjk_font_path() is None, reason="needs the CJK font that `make setup` installs")


def _sign(lines: list[str], size: int = 40, panel=(22, 74, 150), ink=(255, 255, 255)) -> Image.Image:
    font = ImageFont.truetype(str(cjk_font_path()), size)
    width = max(font.getbbox(t)[2] for t in lines) + size
    sign = Image.new("RGBA", (width, int(len(lines) * size * 1.35) + size // 2), panel + (255,))
    draw = ImageDraw.Draw(sign)
    for k, text in enumerate(lines):
        draw.text((size // 2, size // 4 + int(k * size * 1.35)), text, fill=ink, font=font)
    return sign


def _scene(sign: Image.Image, size: tuple[int, int] = (800, 600), at: tuple[int, int] = (120, 100)) -> np.ndarray:
    scene = Image.new("RGB", size, (214, 210, 200))
    scene.paste(sign, at, sign)
    return np.asarray(scene)[:, :, ::-1].copy()


def _read(image: np.ndarray):
    from auditor.detectors.ocr import RapidOcrReader

    found = RapidOcrReader().read(image)
    h, w = image.shape[:2]
    assert set(found.data["class_name"]) <= {"text"}
    assert all(0 <= b[0] < b[2] <= w and 0 <= b[1] < b[3] <= h for b in found.xyxy)
    return found


@needs_font
def test_reader_reads_a_two_line_sign_as_lines_and_one_block() -> None:
    found = _read(_scene(_sign(["3号窗口", "综合受理"])))
    by_level = {level: [t for t, lv in zip(found.data["text"], found.data["level"], strict=True) if lv == level]
                for level in ("line", "block")}
    assert any(text_matches("3号窗口", t) for t in by_level["line"])
    assert any(text_matches("综合受理", t) for t in by_level["line"])
    assert any(normalise(t) == "3号窗口综合受理" for t in by_level["block"])
    assert all(len(p) >= 1 for p in found.data["parts"])


@needs_font
@pytest.mark.parametrize("angle", [30, 90])
def test_reader_reads_a_rotated_sign(angle: int) -> None:
    sign = _sign(["Waiting Area 等候区"]).rotate(angle, expand=True, resample=Image.BICUBIC)
    found = _read(_scene(sign, at=(150, 60)))
    assert match_texts(["Waiting Area 等候区"], list(found.data["text"])).recall == 1.0
    assert any(abs(abs(a) - angle) < 12 for a in found.data["angle"])


@needs_font
def test_reader_reads_small_text_on_a_small_low_contrast_photo() -> None:
    # 320x240 photo, text 11 pixels high, grey on grey (contrast 40 of 255).
    sign = _sign(["办事指南"], size=11, panel=(120, 120, 126), ink=(164, 164, 170))
    found = _read(_scene(sign, size=(320, 240), at=(150, 120)))
    assert match_texts(["办事指南"], list(found.data["text"])).recall == 1.0


def test_reader_returns_empty_detections_with_every_column_on_a_blank_photo() -> None:
    from auditor.detectors.ocr import RapidOcrReader

    found = RapidOcrReader().read(np.full((200, 300, 3), 255, dtype=np.uint8))
    assert len(found) == 0 and {"text", "level", "angle", "parts"} <= set(found.data)
