"""Reviewing a stored audit (auditor.review): findings by photo with failures first, the evidence drawing, and
overrides that keep the machine verdict, recompute the score and never overwrite someone else's."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import numpy as np
from PIL import Image

from auditor import review
from auditor.annotate import evidence_preview
from auditor.collect import PhotoInput
from auditor.errors import ConflictError
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Area, Verdict
from tests.conftest import jpeg_bytes


def audited(auditor: Auditor, store: AuditStore) -> int:
    photos = [PhotoInput("entrance/e.jpg", Area.ENTRANCE, jpeg_bytes(colour=(1, 2, 3))),
              PhotoInput("window_counter/w.jpg", Area.WINDOW_COUNTER, jpeg_bytes())]
    audit_id, _ = auditor.audit(photos, "湖泗街道", "2026-Q4", store=store)
    assert audit_id is not None
    return audit_id


def test_findings_are_grouped_by_photo_failures_first(counter_auditor: Auditor, store: AuditStore) -> None:
    result = store.load(audited(counter_auditor, store)).result
    groups = review.group_by_photo(result)
    assert [g.photo.name if g.photo else None for g in groups] == ["window_counter/w.jpg", "entrance/e.jpg", None]
    assert [g.failures for g in groups] == [2, 1, 0], "most failures first; the whole hall's rules last"
    window = groups[0].findings
    ranks = [review.VERDICT_ORDER.index(f.final_verdict) for f in window]
    assert ranks == sorted(ranks) and window[0].final_verdict == Verdict.FAIL
    counts = review.verdict_counts(result.findings)
    assert sum(counts.values()) == len(result.findings) and counts[Verdict.FAIL] == 3

    failures = review.group_by_photo(result, [Verdict.FAIL])
    assert all(f.final_verdict == Verdict.FAIL for g in failures for f in g.findings)
    assert [g.photo.name for g in failures] == ["window_counter/w.jpg", "entrance/e.jpg"], "no group left empty"
    assert review.group_by_photo(result, []) == []


def test_the_preview_is_the_drawn_photo_reduced(counter_auditor: Auditor, store: AuditStore, manual) -> None:
    result = store.load(audited(counter_auditor, store)).result
    photo = next(p for p in result.photos if p.area == Area.WINDOW_COUNTER)
    findings = [f for f in result.findings if f.photo == photo.name]
    data = evidence_preview(store.photo_path(photo.stored_as), photo.width, photo.height, findings, manual, "zh",
                            max_side=200, show_faces=True)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and max(image.size) == 200
        red = np.array(image.convert("RGB"))
    # The failing cup is drawn in the fail colour.
    assert ((red[:, :, 0] > 180) & (red[:, :, 1] < 80) & (red[:, :, 2] < 80)).any()


def test_an_override_keeps_the_machine_verdict_and_recomputes_the_score(counter_auditor: Auditor,
                                                                       store: AuditStore) -> None:
    audit_id = audited(counter_auditor, store)
    before = store.load(audit_id).result
    cup = next(f for f in before.findings if f.rule_id == "ITM-02" and f.verdict == Verdict.FAIL)
    outcome = review.apply_override(store, cup.id, Verdict.PASS, "检查组的杯子", "张三", 0, before.score.score)
    assert outcome.saved and outcome.key == "review.saved"
    after = store.load(audit_id).result
    assert outcome.score_after == after.score.score != before.score.score
    assert outcome.params["before"] == f"{before.score.score:.1f}"
    finding = next(f for f in after.findings if f.id == cup.id)
    assert finding.verdict == Verdict.FAIL and finding.final_verdict == Verdict.PASS
    assert (finding.override.by, finding.override.comment, finding.override.sequence) == ("张三", "检查组的杯子", 1)


def test_an_override_against_an_outdated_view_is_refused(counter_auditor: Auditor, store: AuditStore,
                                                         monkeypatch) -> None:
    monkeypatch.setenv("AUDITOR_TZ", "Asia/Shanghai")
    audit_id = audited(counter_auditor, store)
    cup = next(f for f in store.load(audit_id).result.findings if f.rule_id == "ITM-02")
    assert review.apply_override(store, cup.id, Verdict.PASS, "误判", "李四", 0, None).saved
    # 张三 was still looking at the machine verdict (sequence 0).
    outcome = review.apply_override(store, cup.id, Verdict.NOT_ASSESSABLE, "看不清", "张三", 0, None)
    assert not outcome.saved and outcome.key == "review.conflict"
    history = store.override_history(cup.id)
    assert [(o.by, o.verdict) for o in history] == [("李四", Verdict.PASS)]
    # Told in the reader's language: who, when in local time, their verdict and comment; no English store text.
    local = f"{history[0].at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}"
    zh = outcome.text("zh")
    assert all(part in zh for part in ("李四", local, "“合格”", "误判", "页面已显示最新结果")), zh
    assert not any(word in zh for word in ("changed", "UTC", "reload", "pass")), zh
    en = outcome.text("en")
    assert all(part in en for part in ("李四", local, "“pass”", "误判", "current state")), en


def test_an_override_lost_in_a_race_is_told_without_details() -> None:
    class Racing:
        def override(self, *args, **kwargs):
            raise ConflictError("someone else overrode finding 7 at the same moment; reload and try again")

    outcome = review.apply_override(Racing(), 7, Verdict.PASS, "误判", "张三", 0, None)
    assert not outcome.saved and outcome.key == "review.conflict_race"
    assert "同一时刻" in outcome.text("zh") and "reload" not in outcome.text("zh")
    assert "same moment" in outcome.text("en")


def test_an_override_needs_a_name_and_a_comment(counter_auditor: Auditor, store: AuditStore) -> None:
    audit_id = audited(counter_auditor, store)
    cup = next(f for f in store.load(audit_id).result.findings if f.rule_id == "ITM-02")
    assert review.apply_override(store, cup.id, Verdict.PASS, "ok", " ", 0, None).key == "review.need_name"
    assert review.apply_override(store, cup.id, Verdict.PASS, "  ", "张三", 0, None).key == "review.need_comment"
    failed = review.apply_override(store, 999_999, Verdict.PASS, "ok", "张三", 0, None)
    assert failed.key == "review.failed"
    assert "no finding" not in failed.text("zh") and "复核未保存" in failed.text("zh"), "no English store text in zh"
    assert store.override_history(cup.id) == []
