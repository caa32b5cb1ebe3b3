"""The report model every export and screen reads: flat rows, the rectification list with deadlines and
re-check status, and the comparison of a round (ranking, change, systemic versus local failures)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auditor.errors import StoreError
from auditor.pipeline import Auditor
from auditor.reports.model import build_audit_report, build_comparison, photo_label, spread_of
from auditor.store import AuditStore
from auditor.types import Severity, Verdict
from tests.test_store import _audit


def test_rows_one_per_finding_with_the_override_beside_the_machine(counter_auditor: Auditor,
                                                                   store: AuditStore) -> None:
    audit_id, result = _audit(counter_auditor, store, "纸坊街道")
    failed = next(f for f in result.findings if f.verdict is Verdict.FAIL and f.photo)
    store.override(failed.id, Verdict.NOT_ASSESSABLE, "反光看不清", by="李四")
    report = build_audit_report(store, audit_id, "zh")
    assert len(report.rows) == len(result.findings)
    row = next(r for r in report.rows if r.finding_id == failed.id)
    assert (row.machine_verdict, row.override_verdict, row.final_verdict) == ("fail", "not_assessable",
                                                                              "not_assessable")
    assert row.override_by == "李四" and row.override_comment == "反光看不清"
    assert row.rule_title == counter_auditor.manual.rules_by_id[failed.rule_id].title.zh
    assert row.evidence, "the evidence that decided it is summarised"
    english = build_audit_report(store, audit_id, "en")
    assert next(r for r in english.rows if r.finding_id == failed.id).rule_title == \
        counter_auditor.manual.rules_by_id[failed.rule_id].title.en


def test_rectification_list_deadlines_responsible_and_recheck(counter_auditor: Auditor, store: AuditStore) -> None:
    manual = counter_auditor.manual
    audit_id, result = _audit(counter_auditor, store, "金口街道", round_name="2026-Q3")
    report = build_audit_report(store, audit_id, "zh")
    failed_rules = {r for r, v in result.score.rule_verdicts.items() if v is Verdict.FAIL}
    assert {item.rule_id for item in report.rectification} == failed_rules
    severities = [manual.rules_by_id[i.rule_id].severity for i in report.rectification]
    order = [Severity.CRITICAL, Severity.MAJOR, Severity.MINOR]
    assert severities == sorted(severities, key=order.index), "critical first"
    for item in report.rectification:
        rule = manual.rules_by_id[item.rule_id]
        assert item.deadline == report.created_at.date() + timedelta(days=manual.rectification.deadline_days[
            rule.severity])
        assert item.status == "open" and item.checked_in_audit is None
        assert item.photos and item.responsible
    window_items = [i for i in report.rectification if all(p.startswith("金口街道-") for p in i.photos)]
    assert any(i.responsible == "窗口负责人" for i in window_items), "the window counter's post is responsible"

    # The re-check: the next audit passes one failed rule (overridden here) and still fails the others.
    recheck_id, recheck = _audit(counter_auditor, store, "金口街道", round_name="2026-Q4", seed=3)
    fixed = report.rectification[0].rule_id
    for f in recheck.findings:
        if f.rule_id == fixed and f.verdict is Verdict.FAIL:
            store.override(f.id, Verdict.PASS, "已整改", by="复查员")
    statuses = {i.rule_id: (i.status, i.checked_in_audit) for i in build_audit_report(store, audit_id).rectification}
    assert statuses[fixed] == ("rectified", recheck_id)
    assert all(s == ("still_failing", recheck_id) for r, s in statuses.items() if r != fixed)


def test_comparison_ranks_tells_change_and_spread(counter_auditor: Auditor, store: AuditStore) -> None:
    _audit(counter_auditor, store, "山坡街道", round_name="2026-Q3")
    _, a = _audit(counter_auditor, store, "山坡街道", round_name="2026-Q4", seed=1)
    _, b = _audit(counter_auditor, store, "法泗街道", round_name="2026-Q4", seed=2)
    # 法泗街道's failure of one rule is overridden, so the two halls differ.
    rule = next(f.rule_id for f in b.findings if f.verdict is Verdict.FAIL)
    for f in b.findings:
        if f.rule_id == rule and f.verdict is Verdict.FAIL:
            store.override(f.id, Verdict.PASS, "误判", by="张三")
    comparison = build_comparison(store, "2026-Q4", "zh")
    assert comparison.previous_round == "2026-Q3"
    assert [h.hall for h in comparison.halls] == ["法泗街道", "山坡街道"], "best score first"
    shanpo = comparison.halls[1]
    assert shanpo.previous_score is not None and shanpo.change == round(shanpo.score - shanpo.previous_score, 1)
    assert comparison.halls[0].change is None, "no audit of 法泗街道 in the previous round"
    spreads = {r.rule_id: r for r in comparison.rules}
    assert spreads[rule].verdicts == {"法泗街道": "pass", "山坡街道": "fail"}
    assert spreads[rule].spread == "local"
    both = [r for r in comparison.rules if r.failed_in == 2]
    assert both and all(r.spread == "systemic" for r in both)
    assert set(comparison.rule_areas[rule]) == {a.value for a in counter_auditor.manual.rules_by_id[rule].areas}


def test_comparison_reads_scores_not_whole_audits(counter_auditor: Auditor, store: AuditStore) -> None:
    """Ranking six halls reads their stored scores and one manual: no finding or photo rows, which are most
    of an audit and which the compare screen does not show (that the ranking follows overrides is tested
    above)."""
    from sqlalchemy import event

    for k, hall in enumerate(["纸坊街道", "金口街道", "山坡街道", "法泗街道", "乌龙泉街道", "郑店街道"]):
        _audit(counter_auditor, store, hall, seed=k)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (before_cursor_execute: the statement)
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        comparison = build_comparison(store, "2026-Q4", "zh")
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    assert len(comparison.halls) == 6 and all(h.categories for h in comparison.halls)
    assert not [q for q in statements if "FROM findings" in q or "FROM photos" in q], statements
    assert len(statements) <= 8


def test_spread_thresholds() -> None:
    assert spread_of(0, 5) == "none"
    assert spread_of(1, 5) == "local", "one street is local even when it is the only one assessed"
    assert spread_of(1, 1) == "local"
    assert spread_of(2, 4) == "systemic"
    assert spread_of(2, 5) == "local"


def test_unknown_round_or_audit_names_what_exists(counter_auditor: Auditor, store: AuditStore) -> None:
    _audit(counter_auditor, store, "郑店街道", round_name="2026-Q3")
    with pytest.raises(StoreError, match="no audit in round '2027-Q1'.*2026-Q3"):
        build_comparison(store, "2027-Q1")
    with pytest.raises(StoreError, match="no audit with id 4242"):
        build_audit_report(store, 4242)


def test_photo_label_is_folder_and_file() -> None:
    assert photo_label("/home/x/samples/纸坊街道/window_counter/03.jpg") == "window_counter/03.jpg"
    assert photo_label("") == ""


def test_a_recheck_without_a_photo_of_the_area_keeps_the_earlier_word(counter_auditor: Auditor,
                                                                      store: AuditStore) -> None:
    from auditor.collect import PhotoInput
    from auditor.types import Area
    from tests.conftest import jpeg_bytes

    audit_id, first = _audit(counter_auditor, store, "舒安街道", round_name="2026-Q3")
    rule = next(r for r, v in first.score.rule_verdicts.items() if v is Verdict.FAIL)
    recheck_id, recheck = _audit(counter_auditor, store, "舒安街道", round_name="2026-Q4", seed=4)
    for f in recheck.findings:
        if f.rule_id == rule and f.verdict is Verdict.FAIL:
            store.override(f.id, Verdict.PASS, "已整改", by="复查员")
    # A later audit of the entrance only cannot judge the window's rule: the re-check's word stands.
    counter_auditor.audit([PhotoInput("entrance.jpg", Area.ENTRANCE, jpeg_bytes(colour=(9, 9, 9)))], "舒安街道",
                          "2026-Q4", store=store)
    item = next(i for i in build_audit_report(store, audit_id).rectification if i.rule_id == rule)
    assert (item.status, item.checked_in_audit) == ("rectified", recheck_id)


def test_an_audit_filed_later_for_an_earlier_round_is_not_a_recheck(counter_auditor: Auditor,
                                                                     store: AuditStore) -> None:
    _audit(counter_auditor, store, "湖泗街道", round_name="2026-Q2")
    audit_id, _ = _audit(counter_auditor, store, "湖泗街道", round_name="2026-Q3")
    _audit(counter_auditor, store, "湖泗街道", round_name="2026-Q2", seed=8)  # a late Q2 audit, filed after Q3's
    report = build_audit_report(store, audit_id)
    assert report.rectification and all(i.status == "open" for i in report.rectification)


def test_why_a_photo_was_not_audited_reads_in_the_readers_language(counter_auditor: Auditor,
                                                                  store: AuditStore) -> None:
    from auditor.collect import PhotoInput
    from auditor.types import Area
    from tests.conftest import jpeg_bytes

    photos = [PhotoInput("w.jpg", Area.WINDOW_COUNTER, jpeg_bytes()), PhotoInput("bad.jpg", Area.ENTRANCE, b"GIF89a?"),
              PhotoInput("again.jpg", Area.WINDOW_COUNTER, jpeg_bytes())]
    audit_id, _ = counter_auditor.audit(photos, hall="安山街道", round_name="2026-Q4", store=store)
    assert dict(build_audit_report(store, audit_id, "zh").rejected) == {
        "bad.jpg": "不是图片文件（应为 JPEG、PNG、WebP、HEIC、BMP 或 TIFF）",
        "again.jpg": "与 w.jpg 是同一张照片，只检查一次"}
    assert dict(build_audit_report(store, audit_id, "en").rejected)["again.jpg"] == \
        "the same photo as w.jpg; audited once"
