"""`auditor report`: every format written and readable, the ways to name an audit, and clear refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.collect import PhotoInput
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Area
from tests.conftest import jpeg_bytes

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _audit(auditor: Auditor, store: AuditStore, hall: str, round_name: str, seed: int) -> int:
    photos = [PhotoInput(f"{hall}/window_counter/{i:02d}.jpg", Area.WINDOW_COUNTER,
                         jpeg_bytes(colour=(seed, 100 + i, 90))) for i in range(2)]
    audit_id, _ = auditor.audit(photos, hall=hall, round_name=round_name, inspector="张三", store=store)
    assert audit_id is not None
    return audit_id


@pytest.fixture()
def audits(counter_auditor: Auditor, tmp_path: Path) -> tuple[str, dict[str, int]]:
    """A store with 纸坊街道 audited twice in 2026-Q4 (and once in Q3) and 金口街道 once."""
    url = f"sqlite:///{tmp_path / 'report.db'}"
    store = AuditStore(url)
    ids = {"q3": _audit(counter_auditor, store, "纸坊街道", "2026-Q3", 1),
           "first": _audit(counter_auditor, store, "纸坊街道", "2026-Q4", 2),
           "latest": _audit(counter_auditor, store, "纸坊街道", "2026-Q4", 3),
           "other": _audit(counter_auditor, store, "金口街道", "2026-Q4", 4)}
    return url, ids


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "pdf"])
def test_each_format_is_written_and_readable(audits, tmp_path: Path, fmt: str) -> None:
    db, ids = audits
    out = tmp_path / "out" / f"report.{fmt}"
    code, output = _invoke("report", str(ids["latest"]), "--format", fmt, "-o", str(out), "--db", db)
    assert code == 0, output
    assert str(out) in output
    data = out.read_bytes()
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["Summary", "Findings", "Rectification"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows and {r["audit_id"] for r in rows} == {str(ids["latest"])}
    elif fmt == "json":
        assert json.loads(data)["audit_id"] == ids["latest"]
    else:
        assert data.startswith(b"%PDF")
    assert [p.name for p in out.parent.iterdir()] == [out.name], "no temporary file left behind"


def test_format_from_the_suffix_language_and_replacing(audits, tmp_path: Path) -> None:
    db, ids = audits
    out = tmp_path / "findings.json"
    out.write_text("old", encoding="utf-8")
    code, output = _invoke("report", str(ids["first"]), "-o", str(out), "--lang", "en", "--db", db)
    assert code == 0, output
    assert "report written to" in output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["lang"] == "en" and data["audit_id"] == ids["first"]


def test_hall_and_round_take_the_latest_audit_of_the_round(audits, tmp_path: Path) -> None:
    db, ids = audits
    out = tmp_path / "a.json"
    code, output = _invoke("report", "--hall", "纸坊街道", "--round", "2026-Q4", "-o", str(out), "--db", db)
    assert code == 0, output
    assert json.loads(out.read_text(encoding="utf-8"))["audit_id"] == ids["latest"]
    code, output = _invoke("report", "--hall", "纸坊街道", "--round", "2026-Q3", "-o", str(out), "--db", db)
    assert code == 0 and json.loads(out.read_text(encoding="utf-8"))["audit_id"] == ids["q3"]


def test_a_folder_gets_the_default_name(audits, tmp_path: Path) -> None:
    db, ids = audits
    code, output = _invoke("report", "--hall", "金口街道", "--round", "2026-Q4", "--format", "csv", "-o",
                           str(tmp_path), "--db", db)
    assert code == 0, output
    assert (tmp_path / f"金口街道_2026-Q4_audit{ids['other']}.csv").is_file()
    code, output = _invoke("report", "--round", "2026-Q4", "--compare", "--format", "xlsx", "-o", str(tmp_path),
                           "--db", db)
    assert code == 0, output
    assert (tmp_path / "2026-Q4_comparison.xlsx").is_file()


def test_compare_writes_the_round(audits, tmp_path: Path) -> None:
    db, _ = audits
    out = tmp_path / "round.xlsx"
    code, output = _invoke("report", "--round", "2026-Q4", "--compare", "-o", str(out), "--db", db)
    assert code == 0, output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Summary", "Comparison"]
    halls = [r[1] for r in wb["Summary"].iter_rows(min_row=3, values_only=True)]
    assert sorted(halls) == ["纸坊街道", "金口街道"]
    out = tmp_path / "round.pdf"
    code, output = _invoke("report", "--round", "2026-Q4", "--compare", "-o", str(out), "--db", db)
    assert code == 0, output
    assert out.read_bytes().startswith(b"%PDF")


def test_samples_shortcut(audits, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = audits
    monkeypatch.setattr("auditor.cli.SAMPLES_DB", db)
    out = tmp_path / "s.csv"
    code, output = _invoke("report", str(ids["other"]), "--samples", "-o", str(out))
    assert code == 0 and out.is_file(), output
    code, output = _invoke("report", str(ids["other"]), "--samples", "--db", db, "-o", str(out))
    assert code == 2 and "--samples" in output and "--db" in output
    monkeypatch.setattr("auditor.cli.SAMPLES_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    code, output = _invoke("report", "1", "--samples", "-o", str(out))
    assert code == 1 and "auditor samples" in output, "an empty samples store says how to fill it"


@pytest.mark.parametrize(("args", "code", "says"), [
    (["4242", "-f", "csv"], 1, "no audit with id 4242"),
    (["--hall", "青山街道", "--round", "2026-Q4", "-f", "csv"], 1, "no hall named '青山街道'"),
    (["--hall", "金口街道", "--round", "2025-Q1", "-f", "csv"], 1, "金口街道 has no audit in round '2025-Q1'"),
    (["--round", "1999-Q1", "--compare", "-f", "xlsx"], 1, "no audit in round '1999-Q1'"),
    (["1", "--hall", "纸坊街道", "--round", "2026-Q4", "-f", "csv"], 2, "not both"),
    (["1", "--round", "2026-Q4", "-f", "csv"], 2, "not both"),
    (["--compare", "-f", "xlsx"], 2, "--compare needs --round"),
    (["1", "--compare", "--round", "2026-Q4", "-f", "xlsx"], 2, "--round only"),
    (["--round", "2026-Q4", "--compare", "-f", "csv"], 2, "pdf or xlsx, not csv"),
    (["--round", "2026-Q4", "--compare", "-f", "json"], 2, "pdf or xlsx, not json"),
    (["--hall", "纸坊街道", "-f", "csv"], 2, "--hall needs --round"),
    (["--round", "2026-Q4", "-f", "csv"], 2, "--round alone"),
    (["-f", "csv"], 2, "say which audit"),
    (["1"], 2, "--format"),
    (["1", "-f", "docx"], 2, "docx"),
])
def test_misuse_is_refused_clearly(audits, tmp_path: Path, args: list[str], code: int, says: str) -> None:
    db, _ = audits
    out = tmp_path / "x"
    got, output = _invoke("report", *args, "-o", str(out), "--db", db)
    assert got == code, output
    assert says in output
    assert not out.exists(), "nothing written"


def test_missing_out_is_refused(audits) -> None:
    db, ids = audits
    code, output = _invoke("report", str(ids["latest"]), "-f", "csv", "--db", db)
    assert code == 2 and "-o" in output
