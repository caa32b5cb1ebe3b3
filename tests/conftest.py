"""Shared fixtures: fake detectors (plain classes returning fixed Detections, no mocking) and photos."""

from __future__ import annotations

import glob
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pytest
import supervision as sv
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from auditor.detectors.base import detections
from auditor.manual import DEFAULT_MANUAL, Manual, load_manual
from auditor.pipeline import Auditor, Detectors
from auditor.store import AuditStore

FIXTURES = Path(__file__).parent / "fixtures"


class FixedObjects:
    """An ObjectDetector that reports the same objects on every photo."""

    name = "fixed"

    def __init__(self, found: list[tuple[str, tuple[float, float, float, float]]], detectable: set[str]):
        self.found = found
        self._detectable = frozenset(detectable)
        self.calls = 0

    @property
    def detectable(self) -> frozenset[str]:
        return self._detectable

    def detect(self, image: np.ndarray) -> sv.Detections:
        self.calls += 1
        return detections([box for _, box in self.found], [name for name, _ in self.found], [0.9] * len(self.found))


class FixedTexts:
    name = "fixed-text"

    def __init__(self, lines: list[tuple[str, tuple[float, float, float, float]]]):
        self.lines = lines
        self.calls = 0

    def read(self, image: np.ndarray) -> sv.Detections:
        self.calls += 1
        return detections([b for _, b in self.lines], ["text"] * len(self.lines), [0.95] * len(self.lines),
                          text=[t for t, _ in self.lines])


def jpeg_bytes(width: int = 320, height: int = 240, colour=(180, 180, 170), exif_orientation: int | None = None
               ) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    buffer = io.BytesIO()
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def manual() -> Manual:
    return load_manual(DEFAULT_MANUAL)


@pytest.fixture()
def store(tmp_path: Path) -> AuditStore:
    return AuditStore(f"sqlite:///{tmp_path / 'audits.db'}", photo_dir=tmp_path / "photos")


@pytest.fixture()
def counter_auditor(manual: Manual) -> Auditor:
    """An auditor whose detector sees a counter with a cup on it, a window plate and a staff member."""
    objects = FixedObjects(
        found=[("counter", (20, 120, 300, 220)), ("cup", (100, 90, 130, 130)), ("window_plate", (100, 10, 220, 60)),
               ("evaluation_device", (200, 100, 240, 128))],
        detectable={"counter", "cup", "food", "bag", "plant", "paper_pile", "clothing", "sticker", "window_plate",
                    "evaluation_device", "handwritten_note"},
    )
    texts = FixedTexts([("3号窗口 综合受理", (105, 15, 215, 55))])
    return Auditor(manual, Detectors(objects=objects, texts=texts, lines=None))


# -- the databases the store is tested on ------------------------------------------------------------------
# SQLite always; PostgreSQL 15 as a throwaway server started once per test session when its binaries are here
# (Debian's postgresql package keeps them off PATH). In CI (CI=true) a missing PostgreSQL fails the run instead
# of skipping it, so the PostgreSQL half of the suite cannot quietly vanish.

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _no_postgres(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"PostgreSQL is needed in CI (CI={os.environ.get('CI')}): {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (scripts/setup.sh installs it as root)")


class PostgresServer:
    """A PostgreSQL server in a temporary folder, run as the ``postgres`` user when the tests run as root
    (initdb refuses root). Each test gets a database of its own (``new_database``)."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="auditor-pg-"))  # short: the socket path has a length limit
        self.data = self.folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._user: dict[str, object] = {}
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")  # KeyError: no such user
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
            self._user = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        self._engine = None

    def _run(self, *args: str) -> None:
        done = subprocess.run([str(self.bin_dir / args[0]), *args[1:]], cwd=self.folder, capture_output=True,
                              text=True, timeout=120, **self._user)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        # fsync off: the tests kill clients, never the server. Many short-lived engines: room for connections.
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")
        self._engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        with self._engine.connect() as connection:
            # FILE_COPY: a few times faster than PostgreSQL 15's default WAL_LOG for a small, unsynced server
            connection.execute(text(f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY'))
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._engine.connect() as connection:  # FORCE: engines the test left open are disconnected
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session, stopped (and its folder removed) at the end."""
    bin_dir = next((Path(d) for d in PG_BIN_DIRS if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists()),
                   None)
    if bin_dir is None:
        _no_postgres(f"no PostgreSQL server binaries (initdb, pg_ctl) in {', '.join(dict.fromkeys(PG_BIN_DIRS))}")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _no_postgres("the psycopg driver is not installed (pip install 'psycopg[binary]')")
    try:
        server = PostgresServer(bin_dir)
    except KeyError:
        _no_postgres("running as root, but there is no 'postgres' user to run the server as")
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path):
    """The URL of an empty store, once on SQLite and once on PostgreSQL (a database of its own per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audits.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    yield url
    server.drop_database(url)
