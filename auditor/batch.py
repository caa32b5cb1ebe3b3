"""Audit a whole round at once: every hall folder of a directory, its photos analysed by a few worker processes
(``engine="local"``) or by Ray actors on this machine or a cluster (``engine="ray"``).

The work is split where ``auditor.pipeline`` splits the audit:

- per photo, in a worker: ``Auditor.analyse_photo`` (read the photo, run the detectors, build its facts). Each
  worker builds its ``Auditor`` once (models loaded once per worker) with the factory it is given, and runs
  its libraries on ``threads`` threads (the cores divided among the workers);
- per hall, here in the driver: ``finish_audit`` (same photo once, rules, score) and ``AuditStore.save``, one
  transaction per hall, as soon as the hall's last photo is in. Only the driver writes to the store (photo
  copies included), so a worker that dies never leaves half an audit; a driver that dies keeps the halls it
  had finished.

A photo whose analysis raises, or whose worker dies under it, is tried again (``retries`` times), then reported
among its hall's errors (and kept in the stored audit's rejected photos); a hall none of whose photos could be
audited is reported and not stored, and the other halls are. Both engines run the same function on the same
photos in the same order of results, so they give the same findings and scores as ``Auditor.audit``.

This module loads neither streamlit nor the detectors at import; Ray only when its engine is used.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from auditor.collect import PhotoInput, collect_photos
from auditor.errors import AuditorError
from auditor.samples import _relative, street_folders
from auditor.types import AuditResult, RejectedPhoto

if TYPE_CHECKING:  # the pipeline loads the detector libraries; the workers import it, the CLI late
    from auditor.manual import Manual
    from auditor.pipeline import AnalysedPhoto, Auditor
    from auditor.store import AuditStore

log = logging.getLogger(__name__)

Engine = Literal["local", "ray"]
ENGINES: tuple[str, ...] = ("local", "ray")
RETRIES = 2  # a failed photo is tried this many more times before it is reported


class BatchError(AuditorError):
    """The batch as a whole cannot run (no worker can start, no Ray cluster at the address)."""


class WorkerStartError(AuditorError):
    """A worker could not build its auditor (a detector config or weights it cannot load)."""


# -- the halls of a round ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HallJob:
    """One hall to audit: its photos (with their areas) and the files already refused when collecting them."""

    hall: str
    inputs: tuple[PhotoInput, ...]
    rejected: tuple[RejectedPhoto, ...] = ()


def hall_jobs(folder: Path) -> list[HallJob]:
    """One job per sub-folder of ``folder`` (folder name = hall, area folders inside, as ``samples/``), by name;
    photos are named from the hall folder down (``window_counter/03.jpg``), as ``auditor samples`` names them."""
    halls = street_folders(folder)
    if not halls:
        raise BatchError(f"{folder}: no hall folders to audit (one folder per hall, area folders inside)")
    jobs = []
    for hall in halls:
        inputs, rejected = collect_photos([hall])
        jobs.append(HallJob(hall.name, tuple(_relative(i, hall) for i in inputs), tuple(rejected)))
    return jobs


# -- the workers ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DefaultAuditor:
    """Builds the auditor of ``auditor audit`` (the manual given, the configured detectors) in a worker.
    The detector config's path must be valid on every machine that runs a worker."""

    manual: Manual
    detector_config: Path | None = None

    def __call__(self) -> Auditor:
        from auditor.detectors.fusion import DEFAULT_CONFIG
        from auditor.pipeline import Auditor, default_detectors

        return Auditor(self.manual, default_detectors((self.detector_config or DEFAULT_CONFIG).resolve()))


def limit_threads(threads: int) -> None:
    """Make this process's libraries use ``threads`` threads: OpenMP/BLAS, OpenCV, torch, and every onnxruntime
    session built from now on (the OCR's, the COCO detector's, an ONNX YOLO's: sessions asking for more intra-op
    threads, or for all cores, get ``threads``). Call in a worker, before its auditor is built."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        import cv2

        cv2.setNumThreads(threads)
    except ImportError:  # pragma: no cover - opencv is a dependency
        pass
    try:
        import onnxruntime
    except ImportError:  # pragma: no cover - onnxruntime is a dependency
        onnxruntime = None
    session = getattr(onnxruntime, "InferenceSession", None)
    if session is not None and not getattr(session.__init__, "_batch_threads", None):
        original = session.__init__

        @functools.wraps(original)
        def init(self: Any, path_or_bytes: Any, sess_options: Any = None, *args: Any, **kwargs: Any) -> None:
            options = sess_options if sess_options is not None else onnxruntime.SessionOptions()
            if not 0 < options.intra_op_num_threads <= threads:
                options.intra_op_num_threads = threads
            original(self, path_or_bytes, options, *args, **kwargs)

        init._batch_threads = threads  # type: ignore[attr-defined]
        session.__init__ = init
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def _build(factory: Callable[[], Auditor], threads: int) -> tuple[Auditor | None, str | None]:
    limit_threads(threads)
    try:
        auditor = factory()
    except BaseException as exc:  # reported with the first photo, so the driver can stop the batch
        return None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}"
    if "torch" in sys.modules:  # ultralytics may have loaded it just now
        sys.modules["torch"].set_num_threads(threads)
    return auditor, None


@dataclass(frozen=True)
class _Output:
    outcome: AnalysedPhoto | RejectedPhoto
    notes: tuple[str, ...]  # the worker's detector notes (a detector left out, ...)


def _analyse(auditor: Auditor | None, error: str | None, item: PhotoInput) -> _Output:
    if auditor is None:
        raise WorkerStartError(f"a worker could not build its auditor: {error}")
    return _Output(auditor.analyse_photo(item), tuple(auditor.detectors.notes))


_WORKER: tuple[Auditor | None, str | None] = (None, "this process was not started as a batch worker")


def _init_process(factory: Callable[[], Auditor], threads: int, ready: Any) -> None:
    global _WORKER
    _WORKER = _build(factory, threads)
    with ready.get_lock():  # this worker got as far as taking photos
        ready.value += 1


def _analyse_in_process(item: PhotoInput) -> _Output:
    return _analyse(*_WORKER, item)


class RayAnalyser:
    """The Ray actor: builds its auditor once in ``__init__`` and analyses one photo per call."""

    def __init__(self, factory: Callable[[], Auditor], threads: int):
        self.auditor, self.error = _build(factory, threads)

    def analyse(self, item: PhotoInput) -> _Output:
        return _analyse(self.auditor, self.error, item)


# -- the tasks, their retries --------------------------------------------------------------------------------

@dataclass
class _Task:
    hall: int
    index: int
    item: PhotoInput
    label: str  # hall/photo, for messages
    attempts: int = 0  # tries that failed or lost their worker

    @property
    def key(self) -> tuple[int, int]:
        return self.hall, self.index


class _Queue:
    """The photos still to analyse, first come first served; a failed photo goes back to the front until it
    has had its retries."""

    def __init__(self, tasks: Sequence[_Task], retries: int, done: Callable[[_Task, Any], None]):
        self.pending: deque[_Task] = deque(tasks)
        self.retries = retries
        self.done = done
        self.retried = 0
        self.lost_workers = 0
        self.notes: dict[str, None] = {}

    def next(self) -> _Task | None:
        return self.pending.popleft() if self.pending else None

    def succeeded(self, task: _Task, output: _Output) -> None:
        self.notes.update(dict.fromkeys(output.notes))
        self.done(task, output.outcome)

    def again(self, task: _Task) -> None:
        """Back to the front, not counted as a try (it was lost with another photo's worker)."""
        self.retried += 1
        self.pending.appendleft(task)

    def failed(self, task: _Task, why: str) -> None:
        task.attempts += 1
        log.warning("%s: %s (try %d of %d)", task.label, why, task.attempts, self.retries + 1)
        if task.attempts <= self.retries:
            self.retried += 1
            self.pending.appendleft(task)
            return
        self.done(task, RejectedPhoto(photo=task.item.name,
                                      reason=f"could not be analysed, {task.attempts} tries: {why}"))

    def fail_rest(self, why: str) -> None:
        while self.pending:
            task = self.pending.popleft()
            self.done(task, RejectedPhoto(photo=task.item.name, reason=f"could not be analysed: {why}"))


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _run_local(queue: _Queue, factory: Callable[[], Auditor], workers: int, threads: int) -> None:
    """Worker processes (spawned: no inherited onnxruntime or torch threads), each with its auditor. When a
    worker dies the pool breaks and every photo in flight is lost with it: a photo lost alone is charged a
    try; photos lost together are run again one at a time, so the one that kills its worker is found."""
    context = multiprocessing.get_context("spawn")
    ready = context.Value("i", 0)  # workers of the current pool that have started
    failed_starts = 0

    def new_pool() -> ProcessPoolExecutor:
        ready.value = 0
        return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_process,
                                   initargs=(factory, threads, ready))

    pool = new_pool()
    inflight: dict[Future[_Output], _Task] = {}
    suspects: set[tuple[int, int]] = set()

    def settle(future: Future[_Output], lost: list[_Task]) -> None:
        task = inflight.pop(future)
        try:
            output = future.result()
        except BrokenProcessPool:
            lost.append(task)
            return
        except WorkerStartError as exc:
            raise BatchError(str(exc)) from None
        except Exception as exc:
            suspects.discard(task.key)
            queue.failed(task, _why(exc))
            return
        suspects.discard(task.key)
        queue.succeeded(task, output)

    try:
        while True:
            limit = 1 if suspects else workers
            while len(inflight) < limit and (task := queue.next()) is not None:
                inflight[pool.submit(_analyse_in_process, task.item)] = task
            if not inflight:
                return
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            lost: list[_Task] = []
            for future in done:
                settle(future, lost)
            if not lost:
                continue
            for future in wait(list(inflight))[0]:  # the pool is broken: the others in flight end now too
                settle(future, lost)
            pool.shutdown(wait=True, cancel_futures=True)
            started = ready.value
            pool = new_pool()
            queue.lost_workers += 1
            lost.sort(key=lambda t: t.key)
            if started == 0:  # no worker got as far as a photo: they die while starting, not of a photo
                failed_starts += 1
                if failed_starts >= 2:
                    raise BatchError("the worker processes die while starting, before their first photo (out of "
                                     "memory loading the models? a script running a batch needs the "
                                     "`if __name__ == '__main__':` guard)")
                for task in reversed(lost):
                    queue.again(task)
                continue
            failed_starts = 0
            if len(lost) == 1:
                suspects.discard(lost[0].key)
                queue.failed(lost[0], "its worker process died")
            else:
                for task in reversed(lost):
                    suspects.add(task.key)
                    queue.again(task)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _run_ray(queue: _Queue, factory: Callable[[], Auditor], workers: int, threads: int | None,
             address: str | None) -> None:
    """Ray actors, each with its auditor; one photo in flight per actor, so the photo whose actor dies is
    known. A dead actor is replaced (a few times at most) and its photo charged a try. Ray is started here
    (this machine, ``num_cpus`` its cores) when it is not running and no address is given, and stopped after."""
    try:
        import ray
        from ray.exceptions import RayActorError, RayTaskError
    except ImportError as exc:
        raise BatchError("the ray engine needs the ray package: pip install 'ray==2.60.0'") from exc
    started = False
    if not ray.is_initialized():
        try:
            if address:
                ray.init(address=address, logging_level=logging.WARNING)
            else:
                ray.init(num_cpus=max(workers, available_cores()), include_dashboard=False,
                         logging_level=logging.WARNING)
        except Exception as exc:
            raise BatchError(f"cannot start or reach Ray{f' at {address}' if address else ''}: {_why(exc)}"
                             ) from exc
        started = True
    try:
        cpus = float(ray.cluster_resources().get("CPU", workers))
        per_actor = min(float(threads or max(1, int(cpus // workers))), cpus / workers)
        actor_class = ray.remote(num_cpus=per_actor, max_restarts=0, max_task_retries=0)(RayAnalyser)
        thread_count = threads or max(1, int(per_actor))
        actors = [actor_class.remote(factory, thread_count) for _ in range(workers)]
        idle = list(actors)
        replacements = workers * (queue.retries + 1)
        inflight: dict[Any, tuple[Any, _Task]] = {}
        try:
            while True:
                while idle and (task := queue.next()) is not None:
                    actor = idle.pop()
                    inflight[actor.analyse.remote(task.item)] = (actor, task)
                if not inflight:
                    if queue.pending:  # no actor left to give them to
                        queue.fail_rest("no worker left: they kept dying")
                    return
                ready, _ = ray.wait(list(inflight), num_returns=1)
                for ref in ready:
                    actor, task = inflight.pop(ref)
                    try:
                        output = ray.get(ref)
                    except RayActorError as exc:
                        queue.lost_workers += 1
                        queue.failed(task, f"its worker died ({type(exc).__name__})")
                        ray.kill(actor)
                        actors.remove(actor)
                        if replacements > 0:
                            replacements -= 1
                            fresh = actor_class.remote(factory, thread_count)
                            actors.append(fresh)
                            idle.append(fresh)
                        continue
                    except RayTaskError as exc:
                        cause = exc.cause
                        if isinstance(cause, WorkerStartError):
                            raise BatchError(str(cause)) from None
                        queue.failed(task, _why(cause if cause is not None else exc))
                        idle.append(actor)
                        continue
                    queue.succeeded(task, output)
                    idle.append(actor)
        finally:
            for actor in actors:
                ray.kill(actor)
    finally:
        if started:
            ray.shutdown()


# -- the round -----------------------------------------------------------------------------------------------

@dataclass
class HallAudit:
    """What became of one hall: its stored audit (id and result), or why it has none (``error``)."""

    hall: str
    audit_id: int | None
    result: AuditResult | None
    error: str | None = None

    @property
    def errors(self) -> tuple[RejectedPhoto, ...]:
        return self.result.rejected if self.result is not None else ()

    def to_dict(self) -> dict[str, Any]:
        score = self.result.score if self.result is not None else None
        return {"hall": self.hall, "audit_id": self.audit_id,
                "score": None if score is None else score.score, "grade": None if score is None else score.grade,
                "photos": len(self.result.photos) if self.result is not None else 0,
                "errors": [{"photo": r.photo, "reason": r.reason} for r in self.errors],
                "error": self.error}


@dataclass
class BatchReport:
    halls: list[HallAudit]
    seconds: float
    engine: str
    workers: int
    photos: int  # photos given to the workers
    retried: int = 0  # tries repeated after a failure or a lost worker
    lost_workers: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"halls": [h.to_dict() for h in self.halls], "seconds": round(self.seconds, 3),
                "engine": self.engine, "workers": self.workers, "photos": self.photos, "retried": self.retried,
                "lost_workers": self.lost_workers}


def run_batch(
    jobs: Sequence[HallJob],
    manual: Manual,
    round_name: str,
    factory: Callable[[], Auditor] | None = None,
    *,
    engine: Engine = "local",
    workers: int = 2,
    threads: int | None = None,
    ray_address: str | None = None,
    store: AuditStore | None = None,
    inspector: str | None = None,
    retries: int = RETRIES,
    progress: Callable[[int, int, str], None] | None = None,
) -> BatchReport:
    """Audit every hall of ``jobs`` with ``workers`` workers of ``engine``, storing each hall's audit (one
    transaction) as soon as its photos are analysed. ``factory`` builds a worker's auditor (picklable; default:
    the manual with the configured detectors); ``threads`` per worker default to this machine's cores divided
    among the workers (for Ray at an address, the cluster's CPUs). ``progress(done, total, name)`` counts
    photos. Raises BatchError when no worker can start."""
    from auditor.pipeline import AnalysedPhoto, finish_audit

    if engine not in ENGINES:
        raise BatchError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if workers < 1:
        raise BatchError("workers must be at least 1")
    factory = factory or DefaultAuditor(manual)
    start = time.perf_counter()
    tasks = [_Task(h, i, item, f"{job.hall}/{item.name}") for h, job in enumerate(jobs)
             for i, item in enumerate(job.inputs)]
    outcomes: list[list[Any]] = [[None] * len(job.inputs) for job in jobs]
    remaining = [len(job.inputs) for job in jobs]
    halls: list[HallAudit | None] = [None] * len(jobs)
    finished = 0

    def finish(h: int) -> None:
        job = jobs[h]
        try:
            audit_id, result = finish_audit(manual, job.hall, round_name, outcomes[h], inspector=inspector,
                                            rejected=job.rejected, store=store)
        except AuditorError as exc:
            halls[h] = HallAudit(job.hall, None, None, f"not stored: {exc}")
            return
        error = None if result.photos else "no photo could be audited"
        halls[h] = HallAudit(job.hall, audit_id, result, error)
        outcomes[h] = []

    def done(task: _Task, outcome: AnalysedPhoto | RejectedPhoto) -> None:
        nonlocal finished
        if isinstance(outcome, AnalysedPhoto):
            outcome = outcome.kept(store)  # the copy is kept now, so the photos' bytes are not held
        outcomes[task.hall][task.index] = outcome
        remaining[task.hall] -= 1
        finished += 1
        if progress is not None:
            progress(finished, len(tasks), task.label)
        if remaining[task.hall] == 0:
            finish(task.hall)

    for h, job in enumerate(jobs):
        if not job.inputs:
            finish(h)
    if progress is not None:
        progress(0, len(tasks), "")
    queue = _Queue(tasks, retries, done)
    if tasks:
        if engine == "local":
            _run_local(queue, factory, workers, threads or max(1, available_cores() // workers))
        else:
            _run_ray(queue, factory, workers, threads, ray_address)
    assert all(h is not None for h in halls), "every photo of every hall was accounted for"
    return BatchReport(halls=[h for h in halls if h is not None], seconds=time.perf_counter() - start,
                       engine=engine, workers=workers, photos=len(tasks), retried=queue.retried,
                       lost_workers=queue.lost_workers, notes=list(queue.notes))
