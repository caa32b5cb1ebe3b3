"""The store: round trip, one transaction per audit, the manual kept with each audit, the hall ranking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditor.collect import PhotoInput
from auditor.errors import StoreError
from auditor.manual import Manual, parse_manual
from auditor.pipeline import Auditor
from auditor.store import AuditRow, AuditStore, FindingRow, HallRow
from auditor.types import Area
from tests.conftest import jpeg_bytes


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
