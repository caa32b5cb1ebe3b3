"""Crash safety, on SQLite and PostgreSQL: an auditing process killed with SIGKILL at any moment (opening and
migrating an empty store, analysing, keeping photos, writing the audit) leaves only whole audits (every audit
with all its photos and findings) and kept photos that are whole under their final names.

``AUDITOR_CRASH_KILLS`` sets how many kills per database (default 6; 40 to measure).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select

from auditor import migrations
from auditor.collect import PhotoInput
from auditor.pipeline import Auditor
from auditor.store import AuditRow, AuditStore, Base, FindingRow, PhotoRow
from auditor.types import Area
from tests.conftest import jpeg_bytes
from tests.test_store_postgres import fresh_urls

KILLS = int(os.environ.get("AUDITOR_CRASH_KILLS", "6"))
FORK = multiprocessing.get_context("fork")
PHASES = ["starting", "opening the store", "analysing", "keeping a photo", "writing the audit"]


def _photos(k: int) -> list[PhotoInput]:
    # New bytes for every audit, so every audit keeps new photo files.
    return [PhotoInput(f"{k}-{i}.jpg", Area.WINDOW_COUNTER,
                       jpeg_bytes(640, 480, colour=(k % 256, (k // 256) % 256, 40 + 120 * i))) for i in range(2)]


def _audit_until_killed(auditor: Auditor, url: str, photo_dir: Path, first: int, phase) -> None:
    phase.value = 1
    store = AuditStore(url, photo_dir=photo_dir)  # the first child migrates the empty store
    keep, save = store.keep_photo, store.save

    def keep_photo(*args, **kwargs):
        phase.value = 3
        try:
            return keep(*args, **kwargs)
        finally:
            phase.value = 2

    def saving(*args, **kwargs):
        phase.value = 4
        try:
            return save(*args, **kwargs)
        finally:
            phase.value = 2

    store.keep_photo, store.save = keep_photo, saving
    k = first
    while True:
        phase.value = 2
        auditor.audit(_photos(k), hall=f"hall {k % 3}", round_name="2026-Q4", inspector="张三", store=store)
        k += 1


def kill_repeatedly(auditor: Auditor, url: str, photo_dir: Path, kills: int) -> Counter:
    """Start an auditing process and SIGKILL it, ``kills`` times, at moments spread over its start and its
    audits; returns in which phase each kill landed."""
    landed: Counter = Counter()
    for n in range(kills):
        phase = FORK.Value("i", 0)
        worker = FORK.Process(target=_audit_until_killed, args=(auditor, url, photo_dir, 1000 * (n + 1), phase))
        worker.start()
        # From the very start (a store being migrated) to several audits in; the step is not a multiple of one
        # audit's duration, so the kills fall at different points of it.
        worker.join(0.013 + (n * 0.137) % 1.3)
        landed[PHASES[phase.value] if worker.is_alive() else "already exited"] += 1
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(30)
        assert worker.exitcode == -signal.SIGKILL, f"the worker ended by itself ({worker.exitcode})"
    return landed


def whole_or_problems(auditor: Auditor, url: str, photo_dir: Path) -> tuple[int, list[str]]:
    """Count the audits and list whatever is not whole."""
    reference = auditor.audit(_photos(0), hall="x", round_name="x")[1]
    store = AuditStore(url, photo_dir=photo_dir)  # opens, finishing a migration a kill interrupted
    problems = []
    with store._sessions() as session:
        audits = session.scalars(select(AuditRow.id)).all()
        findings = dict(session.execute(select(FindingRow.audit_id, func.count()).group_by(FindingRow.audit_id))
                        .all())
        photos = session.execute(select(PhotoRow.audit_id, PhotoRow.sha256, PhotoRow.stored_as)).all()
    for audit_id in audits:
        if findings.get(audit_id) != len(reference.findings):
            problems.append(f"audit {audit_id} has {findings.get(audit_id, 0)} findings, not "
                            f"{len(reference.findings)}")
        if sum(1 for p in photos if p.audit_id == audit_id) != 2:
            problems.append(f"audit {audit_id} lacks photos")
    for row in photos:
        kept = store.photo_path(row.stored_as)
        if not kept.is_file() or hashlib.sha256(kept.read_bytes()).hexdigest() != row.sha256:
            problems.append(f"photo {row.stored_as} of audit {row.audit_id} is missing or not whole")
    for kept in photo_dir.rglob("*"):
        final = kept.is_file() and not kept.name.startswith(".")  # .part files: a write a kill interrupted
        if final and hashlib.sha256(kept.read_bytes()).hexdigest() != kept.stem:
            problems.append(f"{kept} is half-written")
    store.engine.dispose()
    return len(audits), problems


def test_killed_audits_leave_only_whole_audits_and_whole_photos(store_url: str, counter_auditor: Auditor,
                                                                 tmp_path: Path) -> None:
    photo_dir = tmp_path / "photos"
    landed = kill_repeatedly(counter_auditor, store_url, photo_dir, KILLS)
    audits, problems = whole_or_problems(counter_auditor, store_url, photo_dir)
    assert not problems, (problems, landed)
    assert audits > 0 or KILLS < 4, f"no audit got written in {KILLS} runs: {landed}"


def _open_store(url: str, photo_dir: Path, state) -> None:
    upgrade = migrations.command.upgrade

    def migrating(*args, **kwargs):
        state.value = 1
        return upgrade(*args, **kwargs)

    migrations.command.upgrade = migrating  # in this child only: marks the migration's transaction
    AuditStore(url, photo_dir=photo_dir)
    state.value = 2
    signal.pause()


def test_a_migration_killed_midway_leaves_no_half_schema(store_url: str, request: pytest.FixtureRequest,
                                                         tmp_path: Path) -> None:
    """The first start migrates an empty store in one transaction: killed at any moment, the store is left
    empty or complete, and the next start finishes the work."""
    states: Counter = Counter()
    calibration, *urls = fresh_urls(store_url, request, tmp_path, KILLS + 1)
    state = FORK.Value("i", 0)
    worker = FORK.Process(target=_open_store, args=(calibration, tmp_path / "photos", state))
    started = time.monotonic()
    worker.start()
    while state.value < 2 and time.monotonic() - started < 30:
        time.sleep(0.001)
    first_start = time.monotonic() - started  # how long a whole first start takes here
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(30)
    for k, url in enumerate(urls):
        state = FORK.Value("i", 0)
        worker = FORK.Process(target=_open_store, args=(url, tmp_path / "photos", state))
        worker.start()
        worker.join(first_start * (k + 0.5) / KILLS)  # spread over the whole first start
        states[("killed before migrating", "killed while migrating", "killed once open")[state.value]] += 1
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(30)
        engine = create_engine(url)
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if tables:
                assert migrations.current_revision(connection) == migrations.head_revision(), tables
                assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        engine.dispose()
        states["left complete" if tables else "left empty"] += 1
        assert AuditStore(url, photo_dir=tmp_path / "photos").schema.revision == migrations.head_revision()
    assert states["left complete"] + states["left empty"] == KILLS, states
    print(f"migration kills on {store_url.split(':')[0]}: {dict(states)}")  # shown with -s
