"""The audit store's schema, created and upgraded only by these Alembic migrations (``versions/``).

``upgrade(engine)`` brings a store to the newest revision this code knows; the store calls it whenever it
opens, and ``auditor db upgrade`` calls it explicitly. Alembic is configured here, in code: no alembic.ini is
needed at run time, and the migrations ship inside the package.

- Concurrent first starts are safe: the revision is read again and the migrations run under a lock held by the
  migration's own transaction (PostgreSQL: ``pg_advisory_xact_lock``; SQLite: ``BEGIN IMMEDIATE``, the
  database's write lock, with DDL inside that transaction). The second process waits, then finds the schema
  done. Other databases run without a lock.
- The store records its revision in ``alembic_version``. A store whose revision this code does not know was
  written by a newer release: it is refused with a ``StoreError`` naming both revisions, and left untouched.
- A store written before migrations existed (the tables ``create_all`` made, no ``alembic_version``) is
  checked against revision 0001, stamped with it, and upgraded from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from auditor.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent
# The revision whose schema is the one stores had before migrations (created by Base.metadata.create_all).
LEGACY_REVISION = "0001"
LEGACY_TABLES: dict[str, set[str]] = {
    "halls": {"id", "name"},
    "rounds": {"id", "name"},
    "manuals": {"id", "version", "sha256", "source"},
    "audits": {"id", "hall_id", "round_id", "manual_id", "inspector", "created_at", "score", "grade",
               "score_detail", "uncovered_areas", "rejected"},
    "photos": {"id", "audit_id", "name", "sha256", "area", "width", "height", "stored_as"},
    "findings": {"id", "audit_id", "rule_id", "photo", "area", "verdict", "detail_key", "detail_params",
                 "evidence"},
    "overrides": {"id", "finding_id", "sequence", "verdict", "comment", "by", "at"},
}
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock every auditor process takes to migrate.
PG_LOCK_KEY = 0x4155_4449_544F_5231  # "AUDITOR1"
LOCK_WAIT_S = 60


def alembic_config(script_location: str | Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=8)
def _scripts(script_location: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(script_location))


def head_revision(script_location: str | Path | None = None) -> str:
    head = _scripts(str(script_location or MIGRATIONS_DIR)).get_current_head()
    assert head is not None, "the migrations have one head"
    return head


def current_revision(connection: Connection) -> str | None:
    """The store's recorded revision; None for an empty database or a store from before migrations."""
    return MigrationContext.configure(connection).get_current_revision()


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _refuse_unknown(engine: Engine, current: str | None, location: str) -> None:
    scripts = _scripts(location)
    if current is None or current in {s.revision for s in scripts.walk_revisions()}:
        return
    raise StoreError(
        f"the audit store {_where(engine)} has schema revision {current}, which this auditor does not know: its "
        f"newest revision is {scripts.get_current_head()}. The store was written by a newer release; upgrade the "
        f"auditor to open it (the store was left unchanged).")


def _check_legacy(engine: Engine, connection: Connection) -> bool:
    """True when the database holds the pre-migration tables (complete); StoreError when it holds some of our
    tables but not that schema; False when it holds none of them (a new store)."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names()) & set(LEGACY_TABLES)
    if not present:
        return False
    problems = [f"table {t} is missing" for t in sorted(set(LEGACY_TABLES) - present)]
    for table in sorted(present):
        columns = {c["name"] for c in inspector.get_columns(table)}
        problems += [f"table {table} has no column {c}" for c in sorted(LEGACY_TABLES[table] - columns)]
    if problems:
        raise StoreError(f"the audit store {_where(engine)} holds tables from before schema migrations, but not "
                         f"the schema of revision {LEGACY_REVISION}: {'; '.join(problems)}. Nothing was changed.")
    return True


def _sqlite_file(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def _sqlite_migration_engine(engine: Engine) -> Engine:
    """An engine whose transactions start with BEGIN IMMEDIATE (SQLite's write lock, taken at once) and hold
    DDL too: pysqlite's own transaction handling would autocommit every CREATE TABLE by itself."""
    migrating = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": LOCK_WAIT_S})

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)

    @event.listens_for(migrating, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the migration lock; committed when the block ends without error."""
    if _sqlite_file(engine):
        migrating = _sqlite_migration_engine(engine)
        try:
            with migrating.begin() as connection:
                yield connection
        finally:
            migrating.dispose()
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_S}s'"))
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        yield connection


@dataclass(frozen=True)
class SchemaState:
    revision: str  # the store's revision now (this code's newest)
    before: str | None  # its revision when it was opened; None: an empty database or a pre-migration store
    legacy: bool = False  # it was a store from before migrations (stamped 0001, then upgraded)

    @property
    def changed(self) -> bool:
        return self.before != self.revision


def upgrade(engine: Engine, script_location: str | Path | None = None) -> SchemaState:
    """Bring the store to the newest revision (creating its schema when the database is empty).

    Cheap when the store is current: one read of ``alembic_version``, no lock."""
    location = str(script_location or MIGRATIONS_DIR)
    head = head_revision(location)
    with engine.connect() as connection:
        current = current_revision(connection)
    _refuse_unknown(engine, current, location)
    if current == head:
        return SchemaState(head, current)
    with _locked(engine) as connection:
        current = current_revision(connection)  # again, under the lock: another process may have migrated
        _refuse_unknown(engine, current, location)
        if current == head:
            return SchemaState(head, current)
        config = alembic_config(location)
        config.attributes["connection"] = connection
        legacy = current is None and _check_legacy(engine, connection)
        try:
            if legacy:
                command.stamp(config, LEGACY_REVISION)
            command.upgrade(config, "head")
        except CommandError as exc:
            raise StoreError(f"the audit store {_where(engine)} could not be upgraded from revision "
                             f"{current or 'none'} to {head}: {exc}") from exc
    return SchemaState(head, current, legacy)
