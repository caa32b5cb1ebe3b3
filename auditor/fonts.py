"""Find a CJK font on this machine (the README's setup installs fonts-wqy-microhei through apt)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# TrueType first: PDF libraries such as reportlab embed only TrueType outlines; PIL and rapidocr take either.
_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


@lru_cache(maxsize=1)
def cjk_font_path() -> Path | None:
    for candidate in _CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1)
def cjk_truetype_path() -> Path | None:
    """The CJK font with TrueType outlines, the only kind a PDF report can embed (the Noto CJK fonts are CFF)."""
    for candidate in _CANDIDATES:
        path = Path(candidate)
        if path.is_file() and "wqy" in path.parts:
            return path
    return None
