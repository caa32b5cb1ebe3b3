"""The store under concurrency and the reports read from it, on SQLite and on PostgreSQL (``store_url``).

Two processes start on an empty database at the same moment (both find no schema and migrate: the race that
made one of them fail on PostgreSQL with ``duplicate key value violates unique constraint
pg_class_relname_nsp_index``), audit the same new hall, override the same finding (one wins, the other is told
of the conflict) and a finding of their own audit. ``AUDITOR_RACE_REPEAT`` sets how many times (default 2; 20
to measure).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from auditor.cli import app
from auditor.errors import ConflictError
from auditor.pipeline import Auditor
from auditor.store import AuditRow, AuditStore, FindingRow, OverrideRow
from auditor.types import Verdict
from tests.test_store import _audit

REPEAT = int(os.environ.get("AUDITOR_RACE_REPEAT", "2"))
FORK = multiprocessing.get_context("fork")  # the children inherit the fake detectors; no re-import


def fresh_urls(store_url: str, request: pytest.FixtureRequest, tmp_path: Path, count: int) -> list[str]:
    """``count`` empty stores of the same kind as ``store_url`` (which is the first)."""
    if store_url.startswith("sqlite"):
        return [store_url] + [f"sqlite:///{tmp_path / f'store{k}' / 'audits.db'}" for k in range(1, count)]
    server = request.getfixturevalue("postgres_server")
    return [store_url] + [server.new_database() for _ in range(1, count)]


def _race_worker(auditor: Auditor, url: str, photo_dir: Path, seed: int, barrier, shared, results) -> None:
    try:
        barrier.wait(60)
        store = AuditStore(url, photo_dir=photo_dir)  # both first starts at once, on an empty database
        audit_id, result = _audit(auditor, store, "纸坊街道", seed=seed)  # both create the same new hall
        failed = [f for f in result.findings if f.verdict is Verdict.FAIL]
        if seed == 0:
            shared.value = failed[0].id
        barrier.wait(60)
        try:  # both override the same finding, both having seen it without an override
            store.override(shared.value, Verdict.PASS, f"seen by {seed}", by=f"inspector {seed}")
            outcome = "won"
        except ConflictError:
            outcome = "conflict"
        store.override(failed[1].id, Verdict.PASS, "误判", by=f"inspector {seed}")  # and one of their own
        results.put((seed, "ok", audit_id, outcome))
    except BaseException as exc:  # noqa: BLE001  (reported to the parent, whatever it is)
        barrier.abort()  # the other process stops waiting
        results.put((seed, "error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


def race_once(auditor: Auditor, url: str, photo_dir: Path) -> list[str]:
    """One race on an empty store; returns the problems found (none when it went right)."""
    barrier, shared, results = FORK.Barrier(2), FORK.Value("q", 0), FORK.Queue()
    workers = [FORK.Process(target=_race_worker, args=(auditor, url, photo_dir, seed, barrier, shared, results))
               for seed in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    problems = [f"worker {w.pid} still running" for w in workers if w.is_alive()]
    for w in workers:
        if w.is_alive():
            w.kill()
    outcomes = [results.get(timeout=5) for _ in workers if not problems]
    problems += [f"worker {o[0]}: {o[2]}\n{o[3]}" for o in outcomes if o[1] == "error"]
    if problems:
        return problems
    if sorted(o[3] for o in outcomes) != ["conflict", "won"]:
        problems.append(f"the same finding overridden twice at once: {outcomes}")
    store = AuditStore(url, photo_dir=photo_dir)
    if sorted(s.audit_id for s in store.audits_of_hall("纸坊街道")) != sorted(o[2] for o in outcomes):
        problems.append("an audit is missing")
    with store._sessions() as session:
        per_audit = dict(session.execute(select(FindingRow.audit_id, func.count()).group_by(FindingRow.audit_id))
                         .all())
        overrides = session.scalar(select(func.count()).select_from(OverrideRow))
        audits = session.scalar(select(func.count()).select_from(AuditRow))
    if audits != 2 or len(set(per_audit.values())) != 1 or set(per_audit) != {o[2] for o in outcomes}:
        problems.append(f"audits {audits}, findings per audit {per_audit}")
    if overrides != 3:
        problems.append(f"{overrides} overrides instead of 3 (one on the shared finding, one per own audit)")
    store.engine.dispose()
    return problems


def test_two_processes_audit_and_override_at_once_on_an_empty_store(store_url: str, counter_auditor: Auditor,
                                                                     request: pytest.FixtureRequest,
                                                                     tmp_path: Path) -> None:
    failures = {}
    for k, url in enumerate(fresh_urls(store_url, request, tmp_path, REPEAT)):
        problems = race_once(counter_auditor, url, tmp_path / f"photos{k}")
        if problems:
            failures[k] = problems
    assert not failures, f"{len(failures)} of {REPEAT} races went wrong: {failures}"


def test_reports_from_the_store(store_url: str, counter_auditor: Auditor, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_PHOTO_DIR", str(tmp_path / "photos"))  # photos of a non-SQLite store
    store = AuditStore(store_url)
    first, result = _audit(counter_auditor, store, "纸坊街道")
    other, _ = _audit(counter_auditor, store, "金口街道", seed=4)
    failed = next(f for f in result.findings if f.verdict is Verdict.FAIL)
    store.override(failed.id, Verdict.PASS, "误判", by="张三")
    runner = CliRunner()
    out = tmp_path / "out"
    done = runner.invoke(app, ["report", str(first), "--format", "json", "-o", str(out / "a.json"),
                               "--db", store_url])
    assert done.exit_code == 0, done.output
    report = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert report["audit_id"] == first
    assert "张三" in json.dumps(report, ensure_ascii=False) and "误判" in json.dumps(report, ensure_ascii=False), \
        "the override (who, why) is in the report"
    done = runner.invoke(app, ["report", "--hall", "金口街道", "--round", "2026-Q4", "--format", "xlsx", "-o",
                               str(out / "b.xlsx"), "--db", store_url])
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(out / "b.xlsx").sheetnames == ["Summary", "Findings", "Rectification"]
    done = runner.invoke(app, ["report", "--round", "2026-Q4", "--compare", "-o", str(out / "c.xlsx"),
                               "--db", store_url])
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(out / "c.xlsx").sheetnames[:2] == ["Summary", "Comparison"]
    assert other in store.revisions([first, other])
