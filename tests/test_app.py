"""The app's compare, hall, manual and exports screens (AppTest, headless), on a store of three halls audited in
two rounds by the fake-detector auditor; no real sample audit runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from auditor.collect import PhotoInput
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Area, Verdict
from tests.conftest import jpeg_bytes

APP = str(Path(__file__).resolve().parent.parent / "app.py")
W, E, A, C = Area.WINDOW_COUNTER, Area.ENTRANCE, Area.WAITING_AREA, Area.CONVENIENCE
# hall -> round -> the areas photographed. The fake detector sees the same counter everywhere, so each photo of
# an area adds that area's rules: a window counter alone scores 78.6, with the entrance 68.8 (its name sign is
# missing), with the waiting area 71.4, with the convenience corner 76.6. ITM-01/ITM-02 fail in every hall
# (systemic), SIG-01 only where the entrance was photographed (local).
SEED: dict[str, dict[str, list[Area]]] = {
    "湖泗街道": {"2026-Q3": [W], "2026-Q4": [W, E]},
    "纸坊街道": {"2026-Q3": [W, E], "2026-Q4": [W]},
    "金口街道": {"2026-Q3": [W, A], "2026-Q4": [W, C]},
}
RANKING_Q4 = [("纸坊街道", 78.6, 9.8), ("金口街道", 76.6, 5.2), ("湖泗街道", 68.8, -9.8)]


def seed_store(auditor: Auditor, url: str, seed: dict[str, dict[str, list[Area]]] = SEED,
               rounds: list[str] | None = None) -> AuditStore:
    """Audit the seed into the store at ``url`` (photos kept beside it), round by round (in the order of
    ``rounds``, by name when None)."""
    store = AuditStore(url)
    rounds = rounds or sorted({r for by_round in seed.values() for r in by_round})
    for round_name in rounds:
        for hall, by_round in seed.items():
            areas = by_round.get(round_name)
            if areas:
                photos = [PhotoInput(f"{area.value}/{i + 1:02d}.jpg", area,
                                     jpeg_bytes(colour=(120 + 20 * i, 130, len(hall) * 10 + len(round_name))))
                          for i, area in enumerate(areas)]
                auditor.audit(photos, hall, round_name, store=store)
    return store


@pytest.fixture()
def no_sample_audit(tmp_path: Path, monkeypatch) -> str:
    """Point the samples store at an empty tmp file and make sure nothing audits the real samples."""
    import auditor.samples
    import auditor.store
    import views.common

    url = f"sqlite:///{tmp_path / 'samples' / 'samples.db'}"
    monkeypatch.setattr(auditor.store, "SAMPLES_DB", url)
    monkeypatch.setattr(auditor.samples, "SAMPLES_DIR", tmp_path / "no sample streets")
    monkeypatch.setattr(views.common, "get_auditor", lambda: None)
    monkeypatch.setattr(auditor.samples, "audit_samples", lambda *args, **kwargs: [])
    return url


@pytest.fixture()
def seeded(counter_auditor: Auditor, tmp_path: Path, monkeypatch, no_sample_audit: str) -> AuditStore:
    url = f"sqlite:///{tmp_path / 'real' / 'auditor.db'}"
    monkeypatch.setenv("AUDITOR_DB_URL", url)
    return seed_store(counter_auditor, url)


def run(page: str | None = None, lang: str = "zh", monkeypatch: pytest.MonkeyPatch | None = None) -> AppTest:
    """The app on ``page`` (compare when None). On the compare screen a language other than Chinese is chosen
    with the sidebar's switch. Elsewhere it is fixed before the first run (``monkeypatch`` needed): AppTest
    calls the sidebar's format functions outside the script run, where the reader's language reads as the
    default, so it cannot rerun (switch pages) once the sidebar has been relabelled."""
    at = AppTest.from_file(APP, default_timeout=60)
    if page is not None and lang != "zh":
        import views.common

        assert monkeypatch is not None, "pass monkeypatch to open a page in another language"
        monkeypatch.setattr(views.common, "lang", lambda: lang)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(f"views/{page}.py").run()
    elif lang != "zh":
        at.sidebar.radio(key="lang").set_value(lang).run()
    assert not at.exception, at.exception
    return at


# Each screen's tables, told apart by a column only they have.
FRAMES = {"compare_ranking": lambda c: "rank" in c, "compare_categories_table": lambda c: "rank" not in c,
          "hall_findings": lambda c: "thumbnail" in c, "manual_rules": lambda c: "clause" in c}


def frame(at: AppTest, name: str):
    return next(d.value for d in at.dataframe if FRAMES[name](set(d.value.columns)))


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "caption", "markdown", "info", "error", "success", "warning")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# -- compare ----------------------------------------------------------------------------------------------------
def test_compare_ranks_the_halls_of_the_latest_round_with_grades_and_change(seeded: AuditStore) -> None:
    at = run()
    ranking = frame(at, "compare_ranking")
    assert [tuple(r) for r in ranking[["hall", "score", "change"]].itertuples(index=False)] == RANKING_Q4
    assert ranking["grade"].tolist() == ["合格"] * 3
    assert ranking["previous_score"].tolist() == [68.8, 71.4, 78.6]
    assert at.selectbox(key="compare_round").value == "2026-Q4"
    assert "与上一轮 2026-Q3 相比" in texts(at)
    metrics = {m.label: m for m in at.metric}
    assert metrics["参检街道"].value == "3"
    assert metrics["平均得分"].value == "74.7" and metrics["平均得分"].proto.delta == "+1.7"
    assert metrics["普遍问题（规则数）"].value == "2"  # ITM-01 and ITM-02 fail in every hall
    systemic = at.table[0].value
    assert [str(v).split()[0] for v in systemic.iloc[:, 0]] == ["ITM-01", "ITM-02"]


def test_compare_earlier_round_has_no_previous_round(seeded: AuditStore) -> None:
    at = run()
    at.selectbox(key="compare_round").set_value("2026-Q3").run()
    assert not at.exception
    ranking = frame(at, "compare_ranking")
    assert ranking["hall"].tolist() == ["湖泗街道", "金口街道", "纸坊街道"]
    assert ranking["change"].isna().all()
    assert "本轮之前没有检查轮次" in texts(at)


def test_language_switch_relabels_the_compare_screen(seeded: AuditStore, manual) -> None:
    at = run(lang="en")
    assert at.title[0].value == "Comparison of the street halls"
    assert "Ranking" in [s.value for s in at.subheader]
    assert frame(at, "compare_ranking")["grade"].tolist() == ["pass"] * 3
    systemic = at.table[0].value
    assert "Rule" in systemic.columns and "规则" not in systemic.columns
    assert f"ITM-01 {manual.rules_by_id['ITM-01'].title.en}" in systemic.iloc[:, 0].tolist()
    assert "compared with the previous round 2026-Q3" in texts(at)


@pytest.mark.parametrize(("categories", "areas", "systemic"), [
    (["item_placement"], [], 2),
    (["signage"], [], 0),
    ([], ["entrance"], 0),
    (["item_placement", "signage"], ["window_counter"], 2),
    (["staff_dress"], ["entrance"], None),  # no rule: a hint instead of the matrix
])
def test_compare_filters_apply_to_the_matrix_and_charts(seeded: AuditStore, manual, categories: list[str],
                                                        areas: list[str], systemic: int | None) -> None:
    at = run()
    at.multiselect(key="compare_categories").set_value(categories)
    at.multiselect(key="compare_areas").set_value(areas).run()
    assert not at.exception
    table = frame(at, "compare_categories_table")
    shown = [c.name.zh for c in manual.categories if not categories or c.id in categories]  # the manual's order
    assert [c for c in table.columns if c not in ("hall", "score")] == shown
    if systemic is None:
        assert "没有符合筛选条件的规则" in texts(at)
    elif systemic:
        assert len(at.table[0].value) == systemic
    else:
        assert "本轮没有普遍问题" in texts(at)


def test_without_audits_anywhere_the_app_says_how_to_start(tmp_path: Path, monkeypatch,
                                                           no_sample_audit: str) -> None:
    monkeypatch.setenv("AUDITOR_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    for page in (None, "hall", "exports"):
        at = run(page)
        assert "make run" in at.info[0].value


def test_samples_are_shown_marked_as_demo_until_real_audits_exist(counter_auditor: Auditor, tmp_path: Path,
                                                                  monkeypatch, no_sample_audit: str) -> None:
    seed_store(counter_auditor, no_sample_audit, {"纸坊街道": {"sample": [W]}, "金口街道": {"sample": [W, C]}})
    monkeypatch.setenv("AUDITOR_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = run()
    assert frame(at, "compare_ranking")["hall"].tolist() == ["纸坊街道", "金口街道"]
    assert "演示数据" in at.sidebar.caption[0].value


QUARTERS = ["2026年第二季度", "2026年第三季度", "2026年第四季度"]  # audited in this order; by name 第三 < 第二 < 第四
Q2, Q3, Q4 = QUARTERS
QUARTER_SEED: dict[str, dict[str, list[Area]]] = {
    "纸坊街道": {Q2: [W, E], Q3: [W, A], Q4: [W]},  # 68.8, 71.4, 78.6
    "金口街道": {Q2: [W], Q3: [W, C], Q4: [W, E]},  # 78.6, 76.6, 68.8
}


def test_rounds_follow_the_order_they_were_audited_not_their_names(counter_auditor: Auditor, tmp_path: Path,
                                                                   monkeypatch, no_sample_audit: str) -> None:
    url = f"sqlite:///{tmp_path / 'real' / 'auditor.db'}"
    monkeypatch.setenv("AUDITOR_DB_URL", url)
    store = seed_store(counter_auditor, url, QUARTER_SEED, rounds=QUARTERS)

    # Compare: the latest round by default, its previous round the one audited before it.
    at = run()
    assert at.selectbox(key="compare_round").options == QUARTERS and at.selectbox(key="compare_round").value == Q4
    assert f"与上一轮 {Q3} 相比" in texts(at)
    ranking = frame(at, "compare_ranking").set_index("hall")
    assert ranking.loc["纸坊街道", ["previous_score", "change"]].tolist() == [71.4, 7.2]
    assert ranking.loc["金口街道", ["previous_score", "change"]].tolist() == [76.6, -7.8]
    at.selectbox(key="compare_round").set_value(Q3).run()
    assert f"与上一轮 {Q2} 相比" in texts(at)
    assert frame(at, "compare_ranking").set_index("hall").loc["纸坊街道", "change"] == 2.6
    # An override in the previous round shows at once in this round's change.
    first = store.latest_audit_id("纸坊街道", Q2)
    cup = next(f for f in store.load(first).result.findings if f.rule_id == "ITM-02" and f.verdict.value == "fail")
    overridden = store.override(cup.id, Verdict.PASS, "检查组的杯子", "张三").score
    at.run()
    assert frame(at, "compare_ranking").set_index("hall").loc["纸坊街道", "previous_score"] == overridden != 68.8

    # Hall: the trend in the order the rounds were audited; the previous audit of the latest is last round's,
    # even after an audit filed late for the second quarter (which is not the default audit shown either).
    seed_store(counter_auditor, url, {"纸坊街道": {Q2: [W, C]}})  # 76.6
    at = run("hall")
    assert at.selectbox(key="hall_name").value == "纸坊街道"
    assert at.selectbox(key="hall_audit_纸坊街道").value == store.latest_audit_id("纸坊街道", Q4)
    assert f"{Q2} 76.6 → {Q3} 71.4 → {Q4} 78.6" in texts(at)
    assert {m.label: m for m in at.metric}["得分"].proto.delta == "+7.2"

    # Exports: a hall's rounds in the same order, the latest by default.
    at = run("exports")
    assert at.selectbox(key="exports_round_纸坊街道").options == QUARTERS
    assert at.selectbox(key="exports_round_纸坊街道").value == Q4


def test_an_interrupted_first_start_is_completed_street_by_street(counter_auditor: Auditor, tmp_path: Path,
                                                                   monkeypatch) -> None:
    import auditor.samples
    import auditor.store
    import views.common

    folder = tmp_path / "streets"
    for index, street in enumerate(("山坡街道", "纸坊街道", "金口街道")):
        (folder / street / "window_counter").mkdir(parents=True)
        (folder / street / "window_counter" / "01.jpg").write_bytes(jpeg_bytes(colour=(100 + 30 * index, 90, 80)))
    url = f"sqlite:///{tmp_path / 'samples' / 'samples.db'}"
    monkeypatch.setattr(auditor.store, "SAMPLES_DB", url)
    monkeypatch.setattr(auditor.samples, "SAMPLES_DIR", folder)
    monkeypatch.setattr(views.common, "get_auditor", lambda: counter_auditor)
    # The first start was interrupted after its first street: that one is stored, the others are not.
    samples = AuditStore(url)
    auditor.samples.audit_samples(counter_auditor, samples, only={"山坡街道"})
    audited: list[set[str]] = []
    real = auditor.samples.audit_samples

    def spy(*args, only=None, **kwargs):
        audited.append(set(only))
        return real(*args, only=only, **kwargs)

    monkeypatch.setattr(auditor.samples, "audit_samples", spy)
    views.common.ensure_samples()
    assert audited == [{"纸坊街道", "金口街道"}], "only the streets still missing"
    assert sorted(s.hall for s in samples.latest_per_hall()) == ["山坡街道", "纸坊街道", "金口街道"]
    assert len(samples.audits_of_hall("山坡街道")) == 1
    views.common.ensure_samples()
    assert len(audited) == 1, "complete: nothing audited again"


# -- hall -------------------------------------------------------------------------------------------------------
def test_hall_scorecard_shows_score_grade_categories_findings_and_trend(seeded: AuditStore) -> None:
    at = run("hall")
    assert at.selectbox(key="hall_name").value == "纸坊街道"  # the top hall of the latest round
    metrics = {m.label: m for m in at.metric}
    assert metrics["得分"].value == "78.6" and metrics["得分"].proto.delta == "+9.8"
    assert metrics["等级"].value == "合格"
    assert metrics["不合格规则"].value == "2"
    assert "2026-Q3 68.8 → 2026-Q4 78.6" in texts(at)
    # The failures as cards: the rule, its verdict, where (with the photo's thumbnail), the clause, the message.
    cards = [c for c in at.main.container if c.proto.flex_container.border]
    assert len(cards) == 2 and len(at.image) == 2
    shown = texts(at)
    for rule_id in ("ITM-01", "ITM-02"):
        assert f"**{rule_id} " in shown
    assert "依据条款: 《手册》5.2.1" in shown and "综合受理窗口 · window_counter/01.jpg" in shown
    rectification = at.table[0].value
    assert [str(v).split()[0] for v in rectification.iloc[:, 1]] == ["ITM-01", "ITM-02"]


def test_hall_page_switches_hall_and_shows_all_findings(seeded: AuditStore) -> None:
    at = run("hall")
    at.selectbox(key="hall_name").set_value("湖泗街道").run()
    assert {m.label: m.value for m in at.metric}["得分"] == "68.8"
    at.segmented_control(key="hall_show").set_value("all").run()
    assert not at.exception
    findings = frame(at, "hall_findings")
    assert {"fail", "pass", "not_assessable"} <= set(findings["verdict_id"])
    assert "SIG-01" in set(findings["rule_id"])  # the entrance was photographed in 2026-Q4


def test_hall_page_in_english(seeded: AuditStore, monkeypatch) -> None:
    at = run("hall", lang="en", monkeypatch=monkeypatch)
    assert at.title[0].value == "Hall scorecard"
    assert "Score across rounds" in [s.value for s in at.subheader]
    assert {m.label: m.value for m in at.metric}["Grade"] == "pass"


# -- manual -----------------------------------------------------------------------------------------------------
def test_manual_lists_every_rule_with_clause_and_evidence(seeded: AuditStore, manual) -> None:
    at = run("manual")
    rules = frame(at, "manual_rules")
    assert rules["rule_id"].tolist() == [r.id for r in manual.rules]
    assert rules.set_index("rule_id").loc["SIG-01", "clause"] == manual.rules_by_id["SIG-01"].clause
    assert rules.set_index("rule_id").loc["SIG-01", "evidence"] == "文字识别（OCR）"
    assert "地面标线识别" in rules.set_index("rule_id").loc["FLR-01", "evidence"]


@pytest.mark.parametrize(("lang", "categories", "areas", "search", "expected"), [
    ("zh", ["floor_marking"], [], "", ["FLR-01", "FLR-02", "FLR-03", "FLR-04", "FLR-05", "FLR-06"]),
    ("zh", ["facilities"], ["convenience"], "", ["FAC-06", "FAC-08", "FAC-09", "FAC-10"]),
    ("zh", [], [], "灭火器", ["FAC-06"]),
    ("en", [], [], "fire extinguisher", ["FAC-06"]),
])
def test_manual_filters_by_category_area_and_search(seeded: AuditStore, manual, monkeypatch, lang: str,
                                                    categories: list[str], areas: list[str], search: str,
                                                    expected: list[str]) -> None:
    at = run("manual", lang=lang, monkeypatch=monkeypatch)
    at.multiselect(key="manual_categories").set_value(categories)
    at.multiselect(key="manual_areas").set_value(areas)
    at.text_input(key="manual_search").set_value(search).run()
    assert not at.exception
    rules = frame(at, "manual_rules")
    assert rules["rule_id"].tolist() == expected
    first = manual.rules_by_id[expected[0]]
    assert rules["title"].iloc[0] == first.title.get(lang)
    assert first.message.get(lang) in texts(at)  # the selected rule, in full


# -- exports ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("section", "fmt", "magic"), [
    (0, "PDF", b"%PDF"), (0, "Excel", b"PK"), (0, "CSV", None), (0, "JSON", b"{"),
    (1, "PDF", b"%PDF"), (1, "Excel", b"PK"),
])
def test_exports_build_then_offer_the_download(seeded: AuditStore, section: int, fmt: str,
                                               magic: bytes | None) -> None:
    at = run("exports")
    assert at.selectbox(key="exports_hall").value == "纸坊街道"
    buttons = [b for b in at.button if b.label == f"生成 {fmt}"]
    assert len(buttons) == 2 if fmt in ("PDF", "Excel") else len(buttons) == 1
    assert not at.download_button, "nothing is built before it is asked for"
    buttons[section].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [d.label for d in at.download_button] == [f"下载 {fmt}"]
    built = at.session_state[f"exports_built_{('audit', 'round')[section]}"][1]
    assert list(built) == [{"PDF": "pdf", "Excel": "xlsx", "CSV": "csv", "JSON": "json"}[fmt]] and built
    if magic is not None:
        assert next(iter(built.values())).startswith(magic)


def test_exports_are_built_again_after_any_change_and_only_the_current_ones_kept(seeded: AuditStore,
                                                                                counter_auditor: Auditor) -> None:
    at = run("exports")
    audit_id = seeded.latest_audit_id("纸坊街道", "2026-Q4")

    def build(section: int) -> None:
        [b for b in at.button if b.label == "生成 Excel"][section].click().run()
        assert not at.exception and not at.error

    build(0)
    build(1)
    assert [d.label for d in at.download_button] == ["下载 Excel", "下载 Excel"]
    # An override that moves no score (a pass confirmed) makes both files stale: they are dropped, not offered.
    passed = next(f for f in seeded.load(audit_id).result.findings if f.verdict.value == "pass")
    before = seeded.load(audit_id).result.score.score
    seeded.override(passed.id, passed.verdict, "复核确认", "张三")
    assert seeded.load(audit_id).result.score.score == before
    at.run()
    assert not at.download_button, "nothing built before the override is offered after it"

    # The report of last round's audit, then a re-check of the hall (its rectification status changes).
    at.selectbox(key="exports_round_纸坊街道").set_value("2026-Q3").run()
    build(0)
    assert len(at.download_button) == 1
    seed_store(counter_auditor, seeded.url, {"纸坊街道": {"2026-Q4": [W]}})
    at.run()
    assert not at.download_button, "a re-check makes the report stale"

    # Another hall: the first hall's files are not kept in the session.
    build(0)
    at.selectbox(key="exports_hall").set_value("金口街道").run()
    assert not at.download_button
    build(0)
    identity, files = at.session_state["exports_built_audit"]
    assert identity[1] == seeded.latest_audit_id("金口街道", "2026-Q4") and list(files) == ["xlsx"]
    assert not [k for k in at.session_state if str(k).startswith("export:")]


def test_exports_show_a_building_problem_as_a_message(seeded: AuditStore, monkeypatch) -> None:
    import auditor.reports.export

    def broken(*args, **kwargs) -> bytes:
        raise OSError("no CJK font found")

    monkeypatch.setattr(auditor.reports.export, "export_audit", broken)
    at = run("exports")
    next(b for b in at.button if b.label == "生成 PDF").click().run()
    assert not at.exception
    assert "PDF 生成失败：no CJK font found" in at.error[0].value
    assert not at.download_button
