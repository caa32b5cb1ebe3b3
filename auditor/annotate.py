"""Draw the evidence of findings on their photo: boxes, floor lines and texts read, coloured by verdict.

One drawing for the app's audit screen and the reports' evidence crops. Faces are blurred (``hide_faces``,
auditor.faces) on the decoded copy before the evidence is drawn, unless the reader may see them; the stored
photo is never changed. Drawn with PIL and the CJK font, so Chinese labels (object names, texts read) show
instead of question marks. Coordinates are those of the upright photo, which is what every analyzer saw
(``auditor.photos`` applies the EXIF rotation).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from auditor.fonts import cjk_font_path
from auditor.i18n import t
from auditor.manual import Manual
from auditor.photos import read_photo
from auditor.types import Box, Evidence, Finding, Verdict

# RGB; colour-blind readers get the verdict from the label too (the verdict's word leads it). The CJK font
# has no check-mark glyphs, so words rather than ✓/✗.
VERDICT_COLOURS: dict[Verdict, tuple[int, int, int]] = {
    Verdict.PASS: (46, 160, 67),
    Verdict.FAIL: (214, 39, 40),
    Verdict.NOT_ASSESSABLE: (127, 127, 127),
}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size, index=0)


def load_upright(path: str | Path) -> Image.Image:
    """The photo as the analyzers saw it (EXIF-upright, RGB), at full size."""
    photo = read_photo(path)
    return Image.fromarray(photo.image[:, :, ::-1])


def load_upright_reduced(path: str | Path, width: int, height: int, scale: float
                         ) -> tuple[Image.Image, float, float]:
    """The photo upright, decoded at no less than ``scale`` of its audited size ``width`` x ``height`` where the
    format allows it (JPEG decodes at 1/2, 1/4 or 1/8 in a fraction of the time: what makes a 100-photo
    report take seconds), with the factors from the audited photo's pixels to the returned image's."""
    with Image.open(path) as img:
        if img.format in ("JPEG", "MPO"):
            if scale < 1:
                img.draft("RGB", (math.ceil(img.width * scale), math.ceil(img.height * scale)))
            img.load()
            upright = ImageOps.exif_transpose(img).convert("RGB")
            return upright, upright.width / width, upright.height / height
    image = load_upright(path)  # other formats: the full decode, with its checks
    return image, image.width / width, image.height / height


def upright_thumbnail(path: str | Path, max_side: int) -> Image.Image:
    """The photo upright, at most ``max_side`` pixels on its longer side (a JPEG decoded at a fraction of its
    size); PhotoReadError or OSError when it cannot be read."""
    with Image.open(path) as img:  # the header only: the size, to decode no more than needed
        width, height = img.size
    image, _, _ = load_upright_reduced(path, width, height, min(1.0, 2 * max_side / max(width, height, 1)))
    image.thumbnail((max_side, max_side))
    return image


def face_scale(width: int, height: int, scale: float) -> float:
    """The decoding scale for a picture whose faces will be blurred: at least ``scale``, and enough for the
    face finder (auditor.faces.DECODE_SIDE on the longer side) where the photo has it."""
    from auditor.faces import DECODE_SIDE

    return max(scale, min(1.0, DECODE_SIDE / max(width, height, 1)))


def hide_faces(image: Image.Image, findings: Iterable[Finding], photo: str | None, sx: float = 1.0,
               sy: float = 1.0, regions: list[Box] | None = None) -> Image.Image:
    """A copy of a decoded photo with its faces blurred (auditor.faces.blur_faces): the faces the face model
    finds, and the head of every person the audit found on ``photo`` (the person boxes of the findings'
    evidence, scaled by ``sx``, ``sy`` from the audited photo's pixels to the image's). ``regions``: the
    only parts of the image that will be shown, in its pixels (the whole image when None)."""
    from auditor.faces import blur_faces, person_boxes

    return blur_faces(image, person_boxes(findings, photo, sx, sy), regions=regions)


def evidence_preview(path: str | Path, width: int, height: int, findings: Iterable[Finding],
                     manual: Manual | None, lang: str, max_side: int = 1400, show_faces: bool = False,
                     photo_findings: Iterable[Finding] | None = None) -> bytes:
    """The app's picture of a photo: EXIF-upright (``width`` x ``height`` as audited), its faces blurred
    unless ``show_faces`` (the person boxes from ``photo_findings``, all the photo's findings, default
    ``findings``), the evidence of ``findings`` drawn, a JPEG at most ``max_side`` pixels on its longer side."""
    findings = list(findings)
    scale = min(1.0, max_side / max(width, height, 1))
    image, sx, sy = load_upright_reduced(path, width, height, scale if show_faces else face_scale(width, height, scale))
    if not show_faces:
        image = hide_faces(image, findings if photo_findings is None else photo_findings, None, sx, sy)
    drawn = draw_evidence(image, [transformed(f, sx=sx, sy=sy) for f in findings], manual, lang)
    drawn.thumbnail((max_side, max_side))
    out = io.BytesIO()
    drawn.save(out, "JPEG", quality=88)
    return out.getvalue()


def faces_hidden_thumbnail(path: str | Path, max_side: int, findings: Iterable[Finding] = (),
                           photo: str | None = None) -> Image.Image:
    """``upright_thumbnail`` with the faces blurred first, on a decoding large enough for the face finder
    (the person boxes of ``findings``' evidence on ``photo``, in the upright photo's pixels, are scaled to
    it); PhotoReadError or OSError when the photo cannot be read, DetectorConfigError without the face model."""
    with Image.open(path) as img:
        width, height = img.size
    scale = face_scale(width, height, min(1.0, 2 * max_side / max(width, height, 1)))
    image, _, _ = load_upright_reduced(path, width, height, scale)
    factor = max(image.size) / max(width, height, 1)  # decoding scales both sides alike; EXIF may swap them
    image = hide_faces(image, findings, photo, factor, factor)
    image.thumbnail((max_side, max_side))
    return image


def transformed(finding: Finding, dx: float = 0.0, dy: float = 0.0, sx: float = 1.0, sy: float = 1.0) -> Finding:
    """The finding with its evidence moved into another image's pixels: x' = (x - dx) * sx, y' = (y - dy) * sy
    (a crop's origin, a resized copy)."""
    def point(x: float, y: float) -> tuple[float, float]:
        return (x - dx) * sx, (y - dy) * sy

    moved = []
    for e in finding.evidence:
        box = (*point(e.box[0], e.box[1]), *point(e.box[2], e.box[3])) if e.box is not None else None
        points = tuple(point(x, y) for x, y in e.points) if e.points is not None else None
        moved.append(e.model_copy(update={"box": box, "points": points}))
    return finding.model_copy(update={"evidence": tuple(moved)})


def _label(e: Evidence, manual: Manual | None, lang: str) -> str:
    if e.kind == "text":
        return e.text or e.label
    if e.kind == "line":
        return "/".join(t(f"colour.{c}", lang) for c in e.label.split("/"))
    if ":" in e.label:  # a person: role:colour
        role, _, colour = e.label.partition(":")
        return " ".join(p for p in (t(f"role.{role}", lang), t(f"colour.{colour}", lang) if colour else "") if p)
    names = manual.object_names if manual is not None else {}
    return names[e.label].get(lang) if e.label in names else e.label


def drawable(finding: Finding) -> list[Evidence]:
    """The evidence of a finding that has a place on the photo (values such as counts have none)."""
    return [e for e in finding.evidence if e.box is not None or e.points is not None]


def draw_evidence(image: Image.Image, findings: Iterable[Finding], manual: Manual | None = None,
                  lang: str = "zh") -> Image.Image:
    """A copy of ``image`` with the evidence of ``findings`` drawn, each in its finding's final-verdict colour.

    Failures are drawn last so they stay on top where boxes overlap.
    """
    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    scale = max(out.width, out.height) / 1000
    width = max(2, round(3 * scale))
    font = _font(max(12, round(18 * scale)))
    order = {Verdict.NOT_ASSESSABLE: 0, Verdict.PASS: 1, Verdict.FAIL: 2}
    for finding in sorted(findings, key=lambda f: order[f.final_verdict]):
        colour = VERDICT_COLOURS[finding.final_verdict]
        for e in drawable(finding):
            label = f"{t('verdict.' + finding.final_verdict.value, lang)} {finding.rule_id} {_label(e, manual, lang)}"
            if e.points is not None:
                (x1, y1), (x2, y2) = e.points
                draw.line([(x1, y1), (x2, y2)], fill=colour, width=width * 2)
                anchor = (min(x1, x2), min(y1, y2))
            else:
                box = e.box
                assert box is not None
                draw.rectangle(box, outline=colour, width=width)
                anchor = (box[0], box[1])
            _tag(draw, anchor, label, colour, font, out.size)
    return out


def _tag(draw: ImageDraw.ImageDraw, anchor: tuple[float, float], text: str, colour: tuple[int, int, int],
         font: ImageFont.ImageFont | ImageFont.FreeTypeFont, size: tuple[int, int]) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left + 6, bottom - top + 4
    x = min(max(0.0, anchor[0]), max(0.0, size[0] - w))
    y = anchor[1] - h if anchor[1] - h >= 0 else anchor[1]
    draw.rectangle((x, y, x + w, y + h), fill=colour)
    draw.text((x + 3, y + 2 - top), text, fill=(255, 255, 255), font=font)


def evidence_region(finding: Finding, width: int, height: int, margin: float = 0.15) -> Box | None:
    """The part of the photo that shows a finding's evidence, with a margin; None when it has no place."""
    xs: list[float] = []
    ys: list[float] = []
    for e in drawable(finding):
        if e.box is not None:
            xs += [e.box[0], e.box[2]]
            ys += [e.box[1], e.box[3]]
        if e.points is not None:
            xs += [p[0] for p in e.points]
            ys += [p[1] for p in e.points]
    if not xs:
        return None
    x1, x2, y1, y2 = min(xs), max(xs), min(ys), max(ys)
    pad_x = max((x2 - x1) * margin, 0.05 * width)
    pad_y = max((y2 - y1) * margin, 0.05 * height)
    region = (max(0.0, x1 - pad_x), max(0.0, y1 - pad_y), min(float(width), x2 + pad_x), min(float(height), y2 + pad_y))
    if region[2] - region[0] < 1 or region[3] - region[1] < 1:
        return None  # evidence outside the photo (a different photo under the same name): show it whole
    return region


def evidence_crop(image: Image.Image, finding: Finding, manual: Manual | None = None, lang: str = "zh",
                  max_side: int = 900) -> Image.Image:
    """The part of the photo showing a finding's evidence, drawn (the whole photo when the evidence has no
    place), at most ``max_side`` pixels on its longer side: what a report prints beside the finding.
    Cropped and sized before drawing, so the labels fit inside the crop and are legible at its final size."""
    region = evidence_region(finding, image.width, image.height)
    left, top = 0, 0
    if region is not None:
        left, top, right, bottom = (round(v) for v in region)
        image = image.crop((left, top, right, bottom))
    factor = min(1.0, max_side / max(image.width, image.height))
    if factor < 1.0:
        image = image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                             Image.Resampling.LANCZOS)
    return draw_evidence(image, [transformed(finding, left, top, factor, factor)], manual, lang)
