"""The store's schema comes from its migrations alone (SQLite and PostgreSQL): exactly the models' schema, a
store from before migrations upgraded with its audits intact, a store from a newer release refused naming both
revisions, a later release's migration adding a column, and ``auditor db upgrade``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from auditor import migrations
from auditor.cli import app
from auditor.errors import StoreError
from auditor.pipeline import Auditor
from auditor.store import AuditStore, Base
from auditor.types import Verdict
from tests.test_store import _audit

HEAD = migrations.head_revision()


def _schema(url: str) -> dict:
    """Tables, columns (type, nullable), indexes, unique constraints and foreign keys, as the database has them."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                  for i in inspector.get_indexes(table)),
                "unique": sorted((u["name"], tuple(u["column_names"]))
                                 for u in inspector.get_unique_constraints(table)),
                "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]),
                               f["options"].get("ondelete")) for f in inspector.get_foreign_keys(table)),
            }
            for table in sorted(inspector.get_table_names()) if table != "alembic_version"
        }
    finally:
        engine.dispose()


def _another_empty_database(store_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.db'}"
    return request.getfixturevalue("postgres_server").new_database()


def test_the_migrations_make_exactly_the_models_schema(store_url: str, request: pytest.FixtureRequest,
                                                       tmp_path: Path) -> None:
    store = AuditStore(store_url, photo_dir=tmp_path / "photos")
    assert store.schema.revision == HEAD and store.schema.before is None
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == [], \
            "a change to the models needs a migration"
    old = _another_empty_database(store_url, request, tmp_path)
    engine = create_engine(old)
    Base.metadata.create_all(engine)  # what stores were made with before migrations
    engine.dispose()
    assert _schema(store_url) == _schema(old), "revision 0001 is the pre-migration schema, names included"


def test_a_store_from_before_migrations_is_upgraded_with_its_audits(store_url: str, tmp_path: Path,
                                                                   counter_auditor: Auditor,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The release before migrations: the store made its tables with create_all, and recorded no revision.
    monkeypatch.setattr(migrations, "upgrade", lambda engine: Base.metadata.create_all(engine))
    old = AuditStore(store_url, photo_dir=tmp_path / "photos")
    audit_id, result = _audit(counter_auditor, old, "纸坊街道")
    failed = next(f for f in result.findings if f.verdict is Verdict.FAIL)
    old.override(failed.id, Verdict.PASS, "误判", by="张三")
    before = old.load(audit_id)
    old.engine.dispose()
    assert "alembic_version" not in inspect(create_engine(store_url)).get_table_names()
    monkeypatch.undo()

    store = AuditStore(store_url, photo_dir=tmp_path / "photos")
    assert store.schema.legacy and store.schema.revision == HEAD
    with store.engine.connect() as connection:
        assert migrations.current_revision(connection) == HEAD, "the store records its revision"
    after = store.load(audit_id)
    assert after.result == before.result, "the audit, its findings and the override are intact"
    assert store.latest_per_hall()[0].audit_id == audit_id
    second, _ = _audit(counter_auditor, store, "纸坊街道", seed=3)
    assert [s.audit_id for s in store.audits_of_hall("纸坊街道")] == [audit_id, second]
    assert not AuditStore(store_url, photo_dir=tmp_path / "photos").schema.changed, "opened again: nothing to do"


def test_tables_from_before_migrations_but_not_that_schema_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE halls (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(StoreError, match="not the schema of revision 0001.*table audits is missing.*halls has no "
                                         "column name"):
        AuditStore(url)


def _with_a_later_revision(tmp_path: Path) -> Path:
    """The migrations of a later release: this one's, plus a revision adding a column."""
    later = tmp_path / "later_migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, later, ignore=shutil.ignore_patterns("__pycache__"))
    (later / "versions" / "0002_hall_district.py").write_text(f'''
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(sa.Column("district", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("district")
''', encoding="utf-8")
    return later


def test_a_later_release_upgrades_the_store_and_this_one_then_refuses_it(store_url: str, tmp_path: Path,
                                                                         counter_auditor: Auditor) -> None:
    store = AuditStore(store_url, photo_dir=tmp_path / "photos")
    audit_id, _ = _audit(counter_auditor, store, "金口街道")
    store.engine.dispose()

    state = migrations.upgrade(create_engine(store_url), _with_a_later_revision(tmp_path))
    assert (state.before, state.revision) == (HEAD, "0002")
    engine = create_engine(store_url)
    assert "district" in {c["name"] for c in inspect(engine).get_columns("halls")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM findings WHERE audit_id = :a"), {"a": audit_id}
                                  ).scalar() > 0, "the audit kept its findings through the upgrade"
    engine.dispose()

    with pytest.raises(StoreError) as refused:
        AuditStore(store_url, photo_dir=tmp_path / "photos")
    assert "revision 0002" in str(refused.value) and f"newest revision is {HEAD}" in str(refused.value)
    assert "newer release" in str(refused.value)


def test_db_upgrade_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store' / 'auditor.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert first.exit_code == 0, first.output
    assert f"upgraded from an empty database to revision {HEAD}" in first.output
    again = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert again.exit_code == 0 and "already the newest" in again.output
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    refused = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert refused.exit_code == 1
    assert "0099_from_the_future" in refused.output and HEAD in refused.output
