"""Hostile input is refused early, with the product's own errors: manuals that are too large, alias bombs
("billion laughs") and deep nesting, and random or mutated manuals and photos. Every call either succeeds or
raises an ``AuditorError`` subclass naming the file; never another exception, never a hang."""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from auditor.errors import AuditorError, ManualError, PhotoReadError
from auditor.manual import MAX_MANUAL_BYTES, load_manual, parse_manual
from auditor.photos import decode_photo, read_photo
from tests.conftest import FIXTURES, jpeg_bytes

MINIMAL = (FIXTURES / "manuals" / "minimal.ok.yaml").read_text(encoding="utf-8")

# Each example must finish well within the deadline; the alarm below stops a real hang (which a deadline,
# checked when the example returns, would never see). AUDITOR_FUZZ_EXAMPLES=5000 for a longer hunt.
FUZZ = settings(deadline=timedelta(seconds=2), database=None, suppress_health_check=[HealthCheck.too_slow],
                max_examples=int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", "150")))


class Hung(BaseException):
    """Not an Exception: the readers' own handlers (which turn a decoder's OSError, TimeoutError included, into
    PhotoReadError) must not swallow it."""


@contextmanager
def no_hang(seconds: float = 10) -> Iterator[None]:
    def hung(_signum, _frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &l0 "lol"'] + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# -- refused early --------------------------------------------------------------------------------------------

def test_a_billion_laughs_manual_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    started = time.perf_counter()
    with no_hang(), pytest.raises(ManualError) as caught:
        load_manual(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"refused in {elapsed:.2f} s"
    assert str(path) in str(caught.value) and "aliases" in str(caught.value)


def test_aliases_in_moderation_still_work() -> None:
    text = MINIMAL.replace("version: ", "defaults: &d {a: 1}\nalso: *d\nversion: ", 1)
    with pytest.raises(ManualError, match="also"):  # refused as an unknown key, not as an alias bomb
        parse_manual(text, "aliases.yaml")


def test_a_manual_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(MINIMAL + "#" * (MAX_MANUAL_BYTES * 5), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ManualError, match="over the limit of 1 MB") as caught:
        load_manual(path)
    assert time.perf_counter() - started < 1.0
    assert str(path) in str(caught.value)
    with pytest.raises(ManualError, match="over the limit"):
        parse_manual("# 中文\n" * (MAX_MANUAL_BYTES // 8), "chinese-comments.yaml")  # counted in bytes


@pytest.mark.parametrize("text, expected", [
    ("[" * 100_000, "nested deeper than"),
    ("a:\n" + "".join(" " * k + "- \n" for k in range(1, 200)), "nested deeper than"),
    ("? [a, b]\n: 1\n", "list or mapping used as a key"),
    ("2026-01-01: x\nversion: '1'\n", "invalid"),
    ("&a [*a]", "contains itself"),
    ("a: &a {b: *a}", "contains itself"),
    ("--- 1\n--- 2\n", "not valid YAML"),
    ("a: !!python/object:os.system x\n", "not valid YAML"),
])
def test_odd_yaml_is_a_manual_error(text: str, expected: str) -> None:
    with no_hang(), pytest.raises(ManualError, match=expected):
        parse_manual(text, "odd.yaml")


# -- property-based: random and mutated input -----------------------------------------------------------------

YAML_BITS = st.sampled_from(["&a ", "*a", "&b [*a, *a, *a]", "<<: *a", "[", "]", "{", "}", ": ", "- ", "? ",
                             "!!binary aGk=", "!!set {a}", "!!timestamp 2026-01-01", "!!float", ".nan", ".inf",
                             "---\n", "%YAML 1.1\n", "\t", "\n", "  ", "'", '"', "#", "|\n", ">-\n", "~", "null",
                             "true", "2026-01-01", "1e400", "0x1F", "\ufeff", "\x00", "中文", "\\u0000"])


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    text = seed
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "repeat", "replace"]))
        if action == "insert":
            text = text[:at] + draw(st.one_of(YAML_BITS, st.text(max_size=20))) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 80)):]
        elif action == "repeat":
            text = text[:at] + text[at:at + draw(st.integers(1, 200))] * draw(st.integers(2, 30)) + text[at:]
        else:
            text = text[:at] + draw(YAML_BITS) + text[at + draw(st.integers(1, 10)):]
    return text


def _parse_or_manual_error(text: str) -> None:
    with no_hang():
        try:
            parse_manual(text, "fuzzed.yaml")
        except ManualError as exc:
            assert "fuzzed.yaml" in str(exc)


@FUZZ
@given(st.text(max_size=2000))
def test_random_text_is_a_manual_or_a_manual_error(text: str) -> None:
    _parse_or_manual_error(text)


@FUZZ
@given(mutated(MINIMAL))
def test_mutated_manuals_are_a_manual_or_a_manual_error(text: str) -> None:
    _parse_or_manual_error(text)


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 90, 60)).save(buffer, fmt)
    return buffer.getvalue()


PHOTO_SEEDS = [jpeg_bytes(64, 48, exif_orientation=6), _image("PNG"), _image("WEBP"), _image("BMP"),
               _image("TIFF"), _image("GIF"), (FIXTURES / "iphone_64x48.heic").read_bytes()]


@st.composite
def mutated_photo(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(PHOTO_SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "big"]))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "truncate":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(max_size=16))
        elif action == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif action == "big" and len(data) > at + 4:  # huge numbers where sizes and offsets are
            data[at:at + 4] = b"\xff\xff\x7f\xff"
    return bytes(data)


def _photo_or_photo_error(data: bytes) -> None:
    with no_hang():
        try:
            photo = decode_photo(data, "fuzzed.jpg")
        except PhotoReadError as exc:
            assert exc.photo == "fuzzed.jpg"
        except AuditorError as exc:  # pragma: no cover - the reader raises PhotoReadError only
            pytest.fail(f"unexpected product error {exc!r}")
        else:
            assert photo.image.ndim == 3 and photo.image.shape[2] == 3


@pytest.mark.filterwarnings("ignore::UserWarning")  # PIL warns about the damaged EXIF it skips
@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_are_a_photo_or_a_photo_error(data: bytes) -> None:
    _photo_or_photo_error(data)


@pytest.mark.filterwarnings("ignore::UserWarning")  # PIL warns about the damaged EXIF it skips
@FUZZ
@given(mutated_photo())
def test_mutated_photos_are_a_photo_or_a_photo_error(data: bytes) -> None:
    _photo_or_photo_error(data)


def test_paths_that_are_not_photo_files_are_photo_errors(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.jpg"):
        with pytest.raises(PhotoReadError):
            read_photo(path)
