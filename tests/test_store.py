"""The store, on SQLite and PostgreSQL: round trip, one transaction per audit, the manual kept with each audit,
the hall ranking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditor.collect import PhotoInput
from auditor.errors import StoreError
from auditor.manual import Manual, parse_manual
from auditor.pipeline import Auditor
from auditor.store import AuditRow, AuditStore, FindingRow, HallRow, OverrideRow
from auditor.types import Area
from tests.conftest import jpeg_bytes


@pytest.fixture()
def store(store_url: str, tmp_path) -> AuditStore:
    """Every test of this module runs on SQLite and on PostgreSQL (``store_url`` in conftest)."""
    return AuditStore(store_url, photo_dir=tmp_path / "photos")


def _audit(auditor: Auditor, store: AuditStore, hall: str, round_name: str = "2026-Q4", seed: int = 0):
    photos = [PhotoInput(f"{hall}-{i}.jpg", Area.WINDOW_COUNTER, jpeg_bytes(colour=(seed, 100 + i, 90)))
              for i in range(2)]
    return auditor.audit(photos, hall=hall, round_name=round_name, inspector="张三", store=store)


def test_round_trip(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id, result = _audit(counter_auditor, store, "纸坊街道")
    assert audit_id is not None
    stored = store.load(audit_id)
    assert stored.result == result, "what is read back is exactly what was audited"
    assert stored.result.inspector == "张三"
    for photo in result.photos:
        assert store.photo_path(photo.stored_as).read_bytes()[:2] == b"\xff\xd8", "the photo itself is kept"


def test_unknown_audit_id(store: AuditStore) -> None:
    with pytest.raises(StoreError, match="no audit with id 999"):
        store.load(999)


def test_crash_in_the_middle_leaves_no_half_audit(counter_auditor: Auditor, store: AuditStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    real_flush = Session.flush

    def crash_when_findings_are_written(self: Session, *args, **kwargs):
        if any(isinstance(obj, FindingRow) for obj in self.new):
            raise OSError("disk unplugged")
        return real_flush(self, *args, **kwargs)

    monkeypatch.setattr(Session, "flush", crash_when_findings_are_written)
    with pytest.raises(OSError):
        _audit(counter_auditor, store, "金口街道")
    monkeypatch.undo()
    with Session(store.engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 0
        assert session.scalar(select(func.count()).select_from(HallRow)) == 0, "the hall row went with the rollback"


def test_an_old_audit_is_explained_with_its_own_manual(counter_auditor: Auditor, store: AuditStore,
                                                       manual: Manual) -> None:
    audit_id, _ = _audit(counter_auditor, store, "山坡街道")
    changed = parse_manual(manual.source.replace(manual.rules[0].title.zh, "改过的标题"))
    assert changed.sha256 != manual.sha256
    stored = store.load(audit_id)
    assert stored.result.manual_sha256 == manual.sha256
    assert stored.manual().rules[0].title.zh == manual.rules[0].title.zh


def test_latest_per_hall_best_first(counter_auditor: Auditor, store: AuditStore, manual: Manual) -> None:
    _audit(counter_auditor, store, "法泗街道", round_name="2026-Q3")
    _audit(counter_auditor, store, "法泗街道", round_name="2026-Q4", seed=1)
    summaries = store.latest_per_hall()
    assert [s.hall for s in summaries] == ["法泗街道"]
    assert summaries[0].round == "2026-Q4", "the latest audit of the hall"
    assert store.latest_per_hall("2026-Q3")[0].round == "2026-Q3"
    assert store.rounds() == ["2026-Q3", "2026-Q4"]


def test_bad_url_is_a_store_error(tmp_path) -> None:
    with pytest.raises(StoreError, match="cannot open the audit store"):
        AuditStore("nosuchdialect://x")


def test_rounds_are_ordered_by_when_they_were_audited(counter_auditor: Auditor, store: AuditStore) -> None:
    # Chinese quarter names do not sort in time: 第三 (U+4E09) sorts before 第二 (U+4E8C).
    for round_name in ("2026年第二季度", "2026年第三季度", "2026年第四季度"):
        _audit(counter_auditor, store, "法泗街道", round_name=round_name)
    assert store.rounds() == ["2026年第二季度", "2026年第三季度", "2026年第四季度"]
    assert store.previous_round("2026年第三季度") == "2026年第二季度"
    assert store.previous_round("2026年第二季度") is None
    assert store.previous_round("no such round") is None


def test_revision_moves_with_overrides_and_rechecks(counter_auditor: Auditor, store: AuditStore) -> None:
    from auditor.types import Verdict

    audit_id, result = _audit(counter_auditor, store, "湖泗街道")
    first = store.revision(audit_id)
    failed = next(f for f in result.findings if f.verdict is Verdict.FAIL)
    store.override(failed.id, Verdict.PASS, "误判", by="张三")
    second = store.revision(audit_id)
    _, recheck = _audit(counter_auditor, store, "湖泗街道", seed=5)
    third = store.revision(audit_id)
    # An override on the re-check changes the first audit's rectification status too.
    store.override(next(f for f in recheck.findings if f.verdict is Verdict.FAIL).id, Verdict.PASS, "已整改",
                   by="张三")
    fourth = store.revision(audit_id)
    assert len({first, second, third, fourth}) == 4, \
        "an override, a later audit of the hall and an override on it each make old exports stale"
    _audit(counter_auditor, store, "金口街道")
    assert store.revision(audit_id) == fourth, "another hall's audit leaves this one's exports as they are"
    with pytest.raises(StoreError, match="no audit with id 999"):
        store.revision(999)


def test_two_sessions_creating_the_same_new_hall_both_keep_their_audit(counter_auditor: Auditor,
                                                                        store: AuditStore, tmp_path) -> None:
    """The other session's audit of a new hall lands between this one's look-up of the hall and its insert."""
    from sqlalchemy import event

    other = AuditStore(store.url, photo_dir=tmp_path / "photos")

    def the_other_session_saves_first(session, _context, _instances) -> None:
        _audit(counter_auditor, other, "五里界街道", seed=9)

    event.listen(store._sessions, "before_flush", the_other_session_saves_first, once=True)
    audit_id, _ = _audit(counter_auditor, store, "五里界街道")
    assert audit_id is not None
    assert [s.audit_id for s in store.audits_of_hall("五里界街道")][-1] == audit_id
    assert len(store.audits_of_hall("五里界街道")) == 2, "neither audit was lost"


def test_keeping_the_same_photo_from_two_threads_at_once(store: AuditStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = jpeg_bytes()
    with ThreadPoolExecutor(max_workers=8) as pool:
        kept = list(pool.map(lambda _: store.keep_photo(data, "ab" * 32, ".jpg"), range(16)))
    assert set(kept) == {f"ab/{'ab' * 32}.jpg"}
    assert store.photo_path(kept[0]).read_bytes() == data
    assert not [p for p in store.photo_path(kept[0]).parent.iterdir() if p.suffix == ".part"], "no leftovers"


def test_revisions_of_many_audits_and_the_round_signature_cost_a_few_queries(counter_auditor: Auditor,
                                                                           store: AuditStore) -> None:
    """The compare and exports screens key their caches on every hall's revision in two rounds, checked on
    every rerun: each audit's latest override and its hall's latest audit, for six halls in the same few
    queries as for two."""
    from sqlalchemy import event

    from auditor.reports.views_data import round_signature
    from auditor.types import Verdict

    halls = ["纸坊街道", "金口街道", "山坡街道", "法泗街道", "乌龙泉街道", "郑店街道"]
    for k, hall in enumerate(halls[:3]):
        _audit(counter_auditor, store, hall, round_name="2026-Q3", seed=20 + k)
    ids, overrides = [], {}
    for k, hall in enumerate(halls):
        audit_id, result = _audit(counter_auditor, store, hall, seed=k)
        ids.append(audit_id)
        if k in (2, 4):
            failed = [f for f in result.findings if f.verdict is Verdict.FAIL]
            for finding in failed[:{2: 1, 4: 2}[k]]:  # one override in the third hall, two in the fifth
                store.override(finding.id, Verdict.PASS, "误判", by="张三")
            with store._sessions() as session:
                overrides[audit_id] = session.scalar(select(func.max(OverrideRow.id)))
    again, _ = _audit(counter_auditor, store, "纸坊街道", seed=9)  # a re-check makes the first audit stale
    # Each hall's latest override (of any of its audits) and its latest audit.
    assert store.revisions(ids) == {a: (overrides.get(a, 0), again if a == ids[0] else a) for a in ids}
    assert store.revisions([]) == {}
    with pytest.raises(StoreError, match="no audit with id 999"):
        store.revisions([ids[0], 999])

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (before_cursor_execute: the statement)
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        signature = round_signature(store, "2026-Q4")
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    assert {r for r, _, _ in signature} == {"2026-Q3", "2026-Q4"}
    assert {a for r, a, _ in signature if r == "2026-Q4"} == {again, *ids[1:]}
    assert len(statements) <= 6, statements


def test_an_override_reads_the_audit_it_locks_without_joins(counter_auditor: Auditor, store: AuditStore) -> None:
    """override() locks the audit it changes (FOR UPDATE, on databases that lock rows). Halls and rounds
    joined into that query would be locked too, and PostgreSQL refuses FOR UPDATE over an outer join, so
    the locking read must touch the audits table alone. SQLite drops FOR UPDATE itself, so there this checks
    only the joins (which eager-loaded relationships would add); on PostgreSQL, that the lock names its table
    (``of=AuditRow``)."""
    from sqlalchemy import event

    from auditor.types import Verdict

    _, result = _audit(counter_auditor, store, "湖泗街道")
    failed = next(f for f in result.findings if f.verdict is Verdict.FAIL)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (before_cursor_execute: the statement)
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        store.override(failed.id, Verdict.PASS, "误判", by="张三")
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    audit_reads = [q for q in statements if q.lstrip().startswith("SELECT") and "FROM audits" in q
                   and "audits.id = " in q]
    assert audit_reads and not [q for q in audit_reads if "JOIN" in q], audit_reads
    if store.engine.dialect.name == "postgresql":
        assert [q for q in audit_reads if "FOR UPDATE OF audits" in q], audit_reads
