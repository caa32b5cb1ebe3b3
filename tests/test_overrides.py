"""Inspector overrides: kept beside the machine verdict, who and when recorded, the score recomputed, and two
people overriding the same finding at once cannot overwrite each other."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from auditor.errors import ConflictError, StoreError
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Verdict
from tests.test_store import _audit


@pytest.fixture()
def store(store_url: str, tmp_path) -> AuditStore:
    """Every test of this module runs on SQLite and on PostgreSQL (``store_url`` in conftest)."""
    return AuditStore(store_url, photo_dir=tmp_path / "photos")


def _failed(result):
    return next(f for f in result.findings if f.verdict is Verdict.FAIL and f.photo is not None)


def test_override_keeps_the_machine_verdict_and_rescores(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id, result = _audit(counter_auditor, store, "纸坊街道")
    failed = _failed(result)
    assert failed.id is not None, "a stored audit's findings carry their ids"
    same_rule = [f for f in result.findings if f.rule_id == failed.rule_id and f.verdict is Verdict.FAIL]
    before = store.load(audit_id).result.score
    for finding in same_rule:  # the rule failed on both photos: pass it on both
        store.override(finding.id, Verdict.PASS, "杯子是检查员的，拍照时放上的", by="李四")
    stored = store.load(audit_id)
    after = stored.result.score
    assert after.rule_verdicts[failed.rule_id] is Verdict.PASS
    assert after.score is not None and before.score is not None and after.score > before.score
    finding = next(f for f in stored.result.findings if f.id == failed.id)
    assert finding.verdict is Verdict.FAIL, "the machine's verdict is kept"
    assert finding.final_verdict is Verdict.PASS
    assert finding.override is not None and finding.override.by == "李四" and finding.override.sequence == 1
    assert finding.override.at.tzinfo is not None
    assert store.latest_per_hall()[0].score == after.score, "the ranking reads the recomputed score"


def test_a_second_override_against_an_outdated_view_is_refused(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id, result = _audit(counter_auditor, store, "金口街道")
    failed = _failed(result)
    store.override(failed.id, Verdict.PASS, "误判", by="张三", expected_sequence=0)
    # 王五 looked at the finding before 张三's change (sequence 0) and overrides too: refused, naming 张三.
    with pytest.raises(ConflictError, match="张三"):
        store.override(failed.id, Verdict.NOT_ASSESSABLE, "看不清", by="王五", expected_sequence=0)
    history = store.override_history(failed.id)
    assert [(o.by, o.verdict) for o in history] == [("张三", Verdict.PASS)], "nothing was overwritten"
    store.override(failed.id, Verdict.FAIL, "复核后确认不合格", by="王五", expected_sequence=1)
    assert [o.sequence for o in store.override_history(failed.id)] == [1, 2]
    assert store.load(audit_id).result.score.rule_verdicts[failed.rule_id] is Verdict.FAIL


def test_override_needs_a_name_a_comment_and_a_real_finding(counter_auditor: Auditor, store: AuditStore) -> None:
    _, result = _audit(counter_auditor, store, "山坡街道")
    failed = _failed(result)
    with pytest.raises(StoreError, match="comment"):
        store.override(failed.id, Verdict.PASS, "  ", by="张三")
    with pytest.raises(StoreError, match="who"):
        store.override(failed.id, Verdict.PASS, "误判", by="")
    with pytest.raises(StoreError, match="no finding with id 99999"):
        store.override(99999, Verdict.PASS, "误判", by="张三")
    assert store.override_history(failed.id) == []


def test_two_sessions_racing_for_the_same_sequence(counter_auditor: Auditor, store: AuditStore, tmp_path) -> None:
    """Two app sessions (two engines on one database) both read "no override yet"; the other one's write lands
    between this one's read and its write. The unique (finding, sequence) pair refuses the second write."""
    _, result = _audit(counter_auditor, store, "法泗街道")
    failed = _failed(result)
    other = AuditStore(store.url, photo_dir=tmp_path / "photos")

    def the_other_inspector_writes_first(session, _context, _instances) -> None:
        store.override(failed.id, Verdict.PASS, "first", by="甲")

    event.listen(other._sessions, "before_flush", the_other_inspector_writes_first, once=True)
    with pytest.raises(ConflictError, match="same moment"):
        other.override(failed.id, Verdict.NOT_ASSESSABLE, "second", by="乙", expected_sequence=0)
    assert [o.by for o in other.override_history(failed.id)] == ["甲"]


def test_latest_audit_id_names_what_exists(counter_auditor: Auditor, store: AuditStore) -> None:
    first, _ = _audit(counter_auditor, store, "郑店街道", round_name="2026-Q3")
    second, _ = _audit(counter_auditor, store, "郑店街道", round_name="2026-Q3", seed=2)
    assert store.latest_audit_id("郑店街道", "2026-Q3") == second != first
    with pytest.raises(StoreError, match="no hall named '不存在街道'.*郑店街道"):
        store.latest_audit_id("不存在街道", "2026-Q3")
    with pytest.raises(StoreError, match="no audit in round '2026-Q4'.*2026-Q3"):
        store.latest_audit_id("郑店街道", "2026-Q4")
