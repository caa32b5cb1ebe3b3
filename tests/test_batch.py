"""`auditor batch`: a round audited by worker processes and by Ray actors gives the audits `Auditor.audit` gives;
a worker that dies is replaced and its photo tried again; a hall whose photos all fail is reported, the others
stored, one audit per hall."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.batch import BatchReport, DefaultAuditor, hall_jobs, run_batch
from auditor.collect import PhotoInput
from auditor.manual import Manual
from auditor.pipeline import Auditor, Detectors
from auditor.store import AuditStore
from tests.conftest import FixedObjects, FixedTexts

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

CLEAN, DYING, FAILING = "纸坊街道", "金口街道", "郑店街道"


def make_round(folder: Path, photos: dict[str, list[str]]) -> Path:
    """Hall folders with area folders inside, the photos copied from the samples (``area/file`` of the hall)."""
    for hall, files in photos.items():
        for file in files:
            target = folder / hall / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(SAMPLES / hall / file, target)
    return folder


@dataclass(frozen=True)
class FakeAuditor:
    """A worker's auditor with fixed, cheap detectors. It may die (os._exit) on the first try of one photo, or
    raise on every photo of a hall; each try is written down in ``log_dir``."""

    manual: Manual
    log_dir: str
    dies_on: str | None = None  # hall/photo
    fails_in: str | None = None

    def __call__(self) -> Auditor:
        return FlakyAuditor(self, self.manual, fake_detectors())


def fake_detectors() -> Detectors:
    objects = FixedObjects(found=[("counter", (20, 420, 900, 700)), ("cup", (300, 380, 340, 430))],
                           detectable={"counter", "cup", "window_plate", "evaluation_device"})
    return Detectors(objects=objects, texts=FixedTexts([("3号窗口 综合受理", (100, 20, 400, 80))]), lines=None)


class FlakyAuditor(Auditor):
    def __init__(self, spec: FakeAuditor, manual: Manual, detectors: Detectors):
        super().__init__(manual, detectors)
        self.spec = spec

    def analyse_photo(self, item: PhotoInput):
        log = Path(self.spec.log_dir)
        hall = Path(item.source).parts[-3]
        with open(log / "tries.txt", "a", encoding="utf-8") as tries:
            tries.write(f"{hall}/{item.name}\n")
        if hall == self.spec.fails_in:
            raise RuntimeError("the analysis cannot cope with this photo")
        died = log / "died"
        if f"{hall}/{item.name}" == self.spec.dies_on and not died.exists():
            died.touch()
            os._exit(3)  # the worker dies mid-photo, as if killed
        return super().analyse_photo(item)


@pytest.fixture(scope="module")
def ray_session():
    ray = pytest.importorskip("ray")
    # The actors import this test module (their auditor factory lives here): give them the project root.
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR",
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    yield ray
    ray.shutdown()


def _findings(result) -> list[tuple]:
    return [(f.rule_id, f.photo, f.verdict, f.detail_key, f.detail_params, f.evidence) for f in result.findings]


def _audits_per_hall(store: AuditStore) -> dict[str, int]:
    return {hall: len(store.audits_of_hall(hall)) for hall in store.halls()}


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_a_round_is_audited_as_audit_does_despite_dying_workers_and_failing_photos(
        engine: str, tmp_path: Path, manual: Manual, request: pytest.FixtureRequest) -> None:
    if engine == "ray":
        request.getfixturevalue("ray_session")
    folder = make_round(tmp_path / "round", {
        CLEAN: ["entrance/00.jpg", "window_counter/03.jpg", "waiting_area/02.jpg"],
        DYING: ["window_counter/03.jpg", "self_service/05.jpg"],
        FAILING: ["entrance/00.jpg", "window_counter/03.jpg"],
    })
    shutil.copy(folder / CLEAN / "entrance/00.jpg", folder / CLEAN / "entrance/00-again.jpg")  # a duplicate
    (tmp_path / "log").mkdir()
    factory = FakeAuditor(manual, str(tmp_path / "log"), dies_on=f"{DYING}/window_counter/03.jpg", fails_in=FAILING)
    store = AuditStore(f"sqlite:///{tmp_path / 'a.db'}", photo_dir=tmp_path / "photos")
    progress: list[tuple[int, int]] = []
    jobs = hall_jobs(folder)
    report = run_batch(jobs, manual, "R1", factory, engine=engine, workers=2, store=store,
                       progress=lambda done, total, _name: progress.append((done, total)))

    assert isinstance(report, BatchReport) and report.photos == 8
    assert progress[-1] == (8, 8)
    halls = {h.hall: h for h in report.halls}
    assert list(halls) == sorted([CLEAN, DYING, FAILING])
    assert _audits_per_hall(store) == {CLEAN: 1, DYING: 1}, "one audit per hall, none for the failed hall"

    failed = halls[FAILING]
    assert failed.audit_id is None and failed.error == "no photo could be audited"
    assert [e.photo for e in failed.errors] == ["entrance/00.jpg", "window_counter/03.jpg"]
    assert all("3 tries" in e.reason and "RuntimeError" in e.reason for e in failed.errors)
    tries = (tmp_path / "log" / "tries.txt").read_text(encoding="utf-8").splitlines()
    assert tries.count(f"{FAILING}/entrance/00.jpg") == 3, "tried, then retried twice"

    assert report.lost_workers >= 1 and (tmp_path / "log" / "died").exists(), "a photo killed its worker"
    assert tries.count(f"{DYING}/window_counter/03.jpg") >= 2
    assert halls[DYING].errors == () and len(halls[DYING].result.photos) == 2, "the photo was done on a retry"

    # Each stored audit is what Auditor.audit makes of the same photos, in one process.
    auditor = Auditor(manual, fake_detectors())
    for job in jobs:
        if job.hall == FAILING:
            continue
        stored = store.load(halls[job.hall].audit_id).result
        _, expected = auditor.audit(job.inputs, job.hall, "R1", rejected=job.rejected)
        assert stored.score == expected.score
        assert _findings(stored) == _findings(expected)
        assert stored.rejected == expected.rejected
        assert [p.name for p in stored.photos] == [p.name for p in expected.photos]
        assert all(p.stored_as and store.photo_path(p.stored_as).exists() for p in stored.photos)
    assert [r.key for r in halls[CLEAN].errors] == ["reject.duplicate"]


@pytest.mark.slow
def test_local_and_ray_agree_with_the_real_detectors(tmp_path: Path, manual: Manual, ray_session) -> None:
    folder = make_round(tmp_path / "round", {CLEAN: ["entrance/00.jpg"], DYING: ["window_counter/03.jpg"]})
    jobs = hall_jobs(folder)
    results = {}
    for engine in ("local", "ray"):
        store = AuditStore(f"sqlite:///{tmp_path / engine / 'a.db'}", photo_dir=tmp_path / engine / "photos")
        report = run_batch(jobs, manual, "R1", DefaultAuditor(manual), engine=engine, workers=1, store=store)
        assert [h.error for h in report.halls] == [None, None]
        assert _audits_per_hall(store) == {CLEAN: 1, DYING: 1}
        results[engine] = {h.hall: store.load(h.audit_id).result for h in report.halls}
    for hall in (CLEAN, DYING):
        local, ray = results["local"][hall], results["ray"][hall]
        assert local.score == ray.score
        assert _findings(local) == _findings(ray)
    judged = {f.rule_id for f in results["local"][CLEAN].findings if f.verdict.value != "not_assessable"}
    assert "SIG-01" in judged, "the OCR read the entrance's hall name"
    judged = {f.rule_id for f in results["local"][DYING].findings if f.verdict.value != "not_assessable"}
    assert "FLR-01" in judged, "the floor lines were found at the window"


def test_the_command_stores_each_hall_and_writes_the_json(tmp_path: Path, manual: Manual, monkeypatch) -> None:
    from typer.testing import CliRunner  # imported here: the workers import this module, and need neither

    import auditor.batch
    from auditor.cli import app

    folder = make_round(tmp_path / "round", {CLEAN: ["window_counter/03.jpg"], DYING: ["entrance/00.jpg"]})
    (folder / "notes.txt").write_text("not a hall")
    calls = []

    def fake_run(jobs, manual_, round_name, factory, **options):
        calls.append(options)
        return run_local_in_process(jobs, manual_, round_name, options["store"])

    monkeypatch.setattr(auditor.batch, "run_batch", fake_run)
    db = f"sqlite:///{tmp_path / 'a.db'}"
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["batch", str(folder), "--round", "R9", "--workers", "3", "--db", db,
                                      "--json", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert calls[0]["workers"] == 3 and calls[0]["engine"] == "local"
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [h["hall"] for h in data["halls"]] == [CLEAN, DYING] and "seconds" in data
    assert {"hall", "audit_id", "score", "grade", "photos", "errors"} <= set(data["halls"][0])
    assert CLEAN in result.output and "rank" in result.output
    store = AuditStore(db)
    assert _audits_per_hall(store) == {CLEAN: 1, DYING: 1}

    bad = CliRunner().invoke(app, ["batch", str(folder), "--round", "R9", "--ray-address", "auto", "--db", db])
    assert bad.exit_code == 2


def run_local_in_process(jobs, manual: Manual, round_name: str, store: AuditStore) -> BatchReport:
    """The batch's hall-level part on facts from the fake detectors, without worker processes."""
    from auditor.batch import HallAudit

    auditor = Auditor(manual, fake_detectors())
    halls = []
    for job in jobs:
        outcomes = [auditor.analyse_photo(item) for item in job.inputs]
        audit_id, result = auditor.finish(job.hall, round_name, outcomes, rejected=job.rejected, store=store)
        halls.append(HallAudit(job.hall, audit_id, result))
    return BatchReport(halls=halls, seconds=0.1, engine="local", workers=1, photos=2)
