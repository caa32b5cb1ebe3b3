"""The atomic file writer behind kept photos and written reports."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auditor.files import write_atomically


def test_a_written_file_is_whole_and_readable_as_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "reports" / "纸坊街道.pdf"
        write_atomically(target, b"%PDF-1.7 first")
        write_atomically(target, b"%PDF-1.7 second")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"%PDF-1.7 second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644, "others may read a report, as with any new file"
    assert [p.name for p in target.parent.iterdir()] == [target.name], "no temporary file left behind"


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    target = tmp_path / "report.xlsx"
    write_atomically(target, b"old")

    def broken_replace(src: str | Path, dst: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
