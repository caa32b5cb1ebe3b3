"""The tables the app's screens draw (auditor.reports.views_data), on the three halls of tests/test_app.py."""

from __future__ import annotations

import base64
import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from auditor.checks import Analyzer
from auditor.manual import Manual
from auditor.pipeline import Auditor
from auditor.reports import views_data as vd
from auditor.reports.model import build_audit_report, build_comparison
from auditor.store import AuditStore, HallSummary
from auditor.types import Area, Score
from tests.conftest import jpeg_bytes
from tests.test_app import RANKING_Q4, seed_store


@pytest.fixture()
def seeded(counter_auditor: Auditor, tmp_path: Path) -> AuditStore:
    return seed_store(counter_auditor, f"sqlite:///{tmp_path / 'audits.db'}")


def test_rounds_and_the_latest_round(seeded: AuditStore, tmp_path: Path) -> None:
    assert seeded.rounds() == ["2026-Q3", "2026-Q4"]
    assert vd.latest_round(seeded) == "2026-Q4"
    assert vd.latest_round(AuditStore(f"sqlite:///{tmp_path / 'empty.db'}")) is None


def test_trend_keeps_the_latest_audit_of_each_round(seeded: AuditStore, counter_auditor: Auditor) -> None:
    seed_store(counter_auditor, seeded.url, {"纸坊街道": {"2026-Q4": [Area.WINDOW_COUNTER, Area.ENTRANCE]}})
    trend = vd.trend_frame(seeded.audits_of_hall("纸坊街道"), "en", seeded.rounds())
    assert trend["round"].tolist() == ["2026-Q3", "2026-Q4"]
    assert trend["score"].tolist() == [68.8, 68.8]  # the re-audit of 2026-Q4, not the first one (78.6)
    assert trend["grade"].tolist() == ["pass", "pass"]


def summary(audit_id: int, round_name: str, at: datetime, score: float) -> HallSummary:
    detail = Score(score=score, grade="pass", failed_critical=(), unassessed_critical=(), coverage=1.0, categories=(),
                   rule_verdicts={})
    return HallSummary(hall="纸坊街道", round=round_name, audit_id=audit_id, created_at=at, detail=detail)


Q2, Q3, Q4 = "2026年第二季度", "2026年第三季度", "2026年第四季度"  # by name: 第三 < 第二 < 第四


def test_trend_and_previous_audit_follow_the_order_rounds_were_audited(monkeypatch) -> None:
    monkeypatch.setenv("AUDITOR_TZ", "Asia/Shanghai")
    rounds = [Q2, Q3, Q4]  # the store's order
    audits = [summary(1, Q2, datetime(2026, 5, 1, tzinfo=UTC), 60.0),
              summary(2, Q3, datetime(2026, 8, 1, tzinfo=UTC), 70.0),
              summary(3, Q4, datetime(2026, 11, 1, tzinfo=UTC), 80.0),
              summary(4, Q2, datetime(2026, 11, 20, tzinfo=UTC), 65.0)]  # filed late for the second quarter
    trend = vd.trend_frame(audits, "zh", rounds)
    assert trend["round"].tolist() == [Q2, Q3, Q4]
    assert trend["score"].tolist() == [65.0, 70.0, 80.0]
    assert vd.previous_audit(audits, 3, rounds).audit_id == 2, "not the late second-quarter audit"
    assert vd.previous_audit(audits, 2, rounds).audit_id == 4, "the latest word on the round before"
    assert vd.previous_audit(audits, 4, rounds).audit_id == 1
    assert vd.previous_audit(audits, 1, rounds) is None
    assert [a.audit_id for a in vd.audits_newest_first(audits, rounds)] == [3, 2, 4, 1]


def test_trend_dates_are_local_dates(monkeypatch) -> None:
    monkeypatch.setenv("AUDITOR_TZ", "Asia/Shanghai")
    # 20:00 UTC on the last day of March is 04:00 on the first of April in Wuhan.
    trend = vd.trend_frame([summary(1, "2026-Q2", datetime(2026, 3, 31, 20, 0, tzinfo=UTC), 70.0)], "zh",
                           ["2026-Q2"])
    assert trend["date"].tolist() == ["2026-04-01"]


def test_ranking_and_its_means(seeded: AuditStore) -> None:
    report = build_comparison(seeded, "2026-Q4", "zh")
    ranking = vd.ranking_frame(report)
    assert [tuple(r) for r in ranking[["hall", "score", "change"]].itertuples(index=False)] == RANKING_Q4
    assert ranking["rank"].tolist() == [1, 2, 3] and ranking["failed_critical"].tolist() == [0, 0, 0]
    assert vd.mean_score(report) == 74.7
    assert vd.mean_change(report) == 1.7
    assert vd.mean_change(build_comparison(seeded, "2026-Q3", "zh")) is None


def test_category_scores_follow_the_filter_in_the_manual_order(seeded: AuditStore) -> None:
    report = build_comparison(seeded, "2026-Q4", "en")
    table = vd.category_table(report, ["item_placement", "signage"])
    assert list(table.columns) == ["hall", "Signage", "Item placement", "score"]
    assert table["hall"].tolist() == [h for h, _, _ in RANKING_Q4]
    long = vd.category_frame(report)
    assert len(long) == 3 * len(report.categories)
    assert long[long["category"] == "staff_dress"]["score"].isna().all()  # nothing seen to judge dress on


def test_rules_sorted_systemic_first_then_local_then_by_failures(seeded: AuditStore) -> None:
    report = build_comparison(seeded, "2026-Q4", "zh")
    rules = vd.filter_rules(report)
    spreads = [r.spread for r in rules]
    assert spreads == sorted(spreads, key=vd.SPREAD_ORDER.index)
    assert [r.rule_id for r in rules[:3]] == ["ITM-01", "ITM-02", "SIG-01"]
    assert [r.spread for r in rules[:3]] == ["systemic", "systemic", "local"]
    none = [r for r in rules if r.spread == "none"]
    assert [r.assessed_in for r in none] == sorted((r.assessed_in for r in none), reverse=True)
    assert {r.category for r in vd.filter_rules(report, categories=["signage"])} == {"signage"}
    entrance = vd.filter_rules(report, areas=["entrance"])
    assert entrance and all("entrance" in report.rule_areas[r.rule_id] for r in entrance)
    assert vd.filter_rules(report, categories=["staff_dress"], areas=["entrance"]) == []


def test_matrix_has_a_cell_per_rule_and_hall(seeded: AuditStore) -> None:
    report = build_comparison(seeded, "2026-Q4", "en")
    rules = vd.filter_rules(report, categories=["item_placement"])
    # A rule the manual of one hall's audit did not have shows as such, not as a verdict.
    first = dataclasses.replace(rules[0], verdicts={**rules[0].verdicts, "湖泗街道": None})
    cells = vd.matrix_frame(report, [first, *rules[1:]], "en")
    assert len(cells) == len(rules) * 3
    row = cells[(cells["rule_id"] == "ITM-01")].set_index("hall")
    assert row.loc["纸坊街道", "verdict"] == "fail" and row.loc["纸坊街道", "verdict_name"] == "fail"
    assert row.loc["湖泗街道", "verdict"] == vd.NOT_IN_MANUAL
    assert row.loc["湖泗街道", "verdict_name"] == "not in that audit's manual"
    assert row["spread_name"].unique().tolist() == ["systemic"]
    spread = vd.spread_frame(rules, "zh")
    assert spread.set_index("rule_id").loc["ITM-01", "failed_halls"] == "纸坊街道、金口街道、湖泗街道"
    names, colours = vd.verdict_legend("zh", with_missing=True)
    assert names == ["合格", "不合格", "无法判定", "不在该次检查所用手册中"]
    assert colours[:3] == ["#2ea043", "#d62728", "#7f7f7f"]


def test_findings_failures_first_with_thumbnails(seeded: AuditStore) -> None:
    audit_id = seeded.latest_audit_id("湖泗街道", "2026-Q4")
    report = build_audit_report(seeded, audit_id, "zh")
    thumbs = {name: vd.thumbnail_data_uri(path) for name, path in report.photo_files.items()}
    everything = vd.findings_frame(report, None, thumbs)
    order = [vd.VERDICT_ORDER.index(v) for v in everything["verdict_id"]]
    assert order == sorted(order)
    failed = vd.findings_frame(report, {"fail"}, thumbs)
    assert set(failed["rule_id"]) == {"ITM-01", "ITM-02", "SIG-01"}
    assert failed["thumbnail"].notna().all() and failed["thumbnail"].str.startswith("data:image/jpeg;base64,").all()
    assert failed.set_index("rule_id").loc["SIG-01", "where"] == "入口 · entrance/02.jpg"
    hall_level = everything[everything["photo"] == "全馆"]
    assert len(hall_level) and hall_level["thumbnail"].isna().all()  # a rule judged over the whole hall
    assert vd.verdict_counts(report)["fail"] == 3
    assert set(vd.findings_frame(report, {"fail"}, failed_rules_only=True)["rule_id"]) == {"ITM-01", "ITM-02", "SIG-01"}
    assert vd.rectification_frame(report)["rule_id"].tolist() == ["ITM-01", "ITM-02", "SIG-01"]
    bars = vd.category_bars(report)
    assert bars.set_index("category").loc["staff_dress", "label"] == "无法评分", "said, in the report's language"


def test_failed_rules_only_keeps_a_failed_rule_whole_and_drops_one_the_hall_passed(seeded: AuditStore) -> None:
    """A rule judged on any photo passes when one photo satisfies it though another fails it, and fails as a
    whole though some photo passes it. "Failed rules only" follows the rule's verdict, not the finding's:
    the failing photo of a passed rule goes, the passing photo of a failed rule stays."""
    report = build_audit_report(seeded, seeded.latest_audit_id("湖泗街道", "2026-Q4"), "zh")
    passed_overall = "SIG-01"  # as if another photo had satisfied it
    failed_overall = next(r.rule_id for r in report.rows if r.final_verdict == "pass")  # as if another failed it
    report = dataclasses.replace(report, rule_verdicts={**report.rule_verdicts, passed_overall: "pass",
                                                        failed_overall: "fail"})
    assert passed_overall in set(vd.findings_frame(report, {"fail"})["rule_id"])
    only = vd.findings_frame(report, None, failed_rules_only=True)
    assert set(only["rule_id"]) == {"ITM-01", "ITM-02", failed_overall}
    assert "pass" in set(only.loc[only["rule_id"] == failed_overall, "verdict_id"])
    failed_rules = {r for r, v in report.rule_verdicts.items() if v == "fail"}
    assert len(only) == sum(1 for row in report.rows if row.rule_id in failed_rules)


def test_thumbnail_is_small_upright_and_none_for_unreadable(tmp_path: Path) -> None:
    photo = tmp_path / "tall.jpg"
    photo.write_bytes(jpeg_bytes(640, 480, exif_orientation=6))  # stored sideways: upright it is 480 x 640
    uri = vd.thumbnail_data_uri(photo, max_side=160)
    assert uri is not None
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.size == (120, 160)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a photo")
    assert vd.thumbnail_data_uri(broken) is None
    assert vd.thumbnail_data_uri(tmp_path / "missing.jpg") is None


def test_evidence_of_each_check_in_words(manual: Manual) -> None:
    assert vd.evidence_of(manual.rules_by_id["SIG-01"]) == (Analyzer.TEXTS,)
    assert vd.evidence_of(manual.rules_by_id["SIG-04"]) == (Analyzer.OBJECTS, Analyzer.TEXTS)  # read on the plate
    assert vd.evidence_of(manual.rules_by_id["FLR-01"]) == (Analyzer.FLOOR_LINES,)
    assert vd.evidence_words(manual.rules_by_id["DRS-01"], "en") == "object detector, persons and dress"
    assert vd.evidence_words(manual.rules_by_id["DRS-01"], "zh") == "目标检测、人员及着装识别"


def test_manual_table_filters_and_search(manual: Manual) -> None:
    everything = vd.manual_frame(manual, "zh")
    assert everything["rule_id"].tolist() == [r.id for r in manual.rules]
    assert everything.set_index("rule_id").loc["SIG-09", "severity"] == "关键"
    assert vd.manual_frame(manual, "en", categories=["floor_marking"])["rule_id"].tolist() == [
        r.id for r in manual.rules if r.category == "floor_marking"]
    convenience = vd.manual_frame(manual, "en", areas=["convenience"])
    assert convenience["rule_id"].tolist() == [r.id for r in manual.rules if Area.CONVENIENCE in r.areas]
    assert len(convenience) > 0
    assert vd.manual_frame(manual, "zh", search="fac-06")["rule_id"].tolist() == ["FAC-06"]
    assert vd.manual_frame(manual, "zh", search="Fire extinguishers")["rule_id"].tolist() == ["FAC-06"]
    assert vd.manual_frame(manual, "zh", search="no such words").empty
    weights = vd.category_weights(manual, "en")
    assert weights["share"].sum() == pytest.approx(1.0)
    assert weights["rules"].sum() == len(manual.rules)


def test_heading_capitalises_english_only() -> None:
    assert vd.heading("category scores") == "Category scores"
    assert vd.heading("分类得分") == "分类得分"
    assert vd.heading("") == ""
