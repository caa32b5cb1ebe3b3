"""Compare (the default screen): the halls of a round ranked, their category scores, their change since the
previous round, and the street x rule matrix that tells systemic failures from local ones."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from auditor.i18n import score_text
from auditor.reports import views_data as vd
from auditor.reports.model import ComparisonReport, build_comparison
from auditor.types import Area
from views.common import label, lang, store, store_at, tr

GRADE_COLOURS = {"excellent": "#2ea043", "good": "#6cc070", "pass": "#f2a93b", "fail": "#d62728",
                 "not_assessable": "#7f7f7f"}
SCORE_COLOUR = "#4c78a8"



@st.cache_data(show_spinner=False, max_entries=32)
def comparison(url: str, round_name: str, language: str, signature: tuple) -> ComparisonReport:
    """The comparison, rebuilt when an audit of the round or the previous one is added, re-checked or
    overridden (``signature``: vd.round_signature)."""
    return build_comparison(store_at(url), round_name, language)


def score_chart(report: ComparisonReport) -> alt.LayerChart:
    """A bar per hall coloured by grade, the previous round's score as a tick, the change as a label."""
    data = vd.ranking_frame(report)
    data["change_label"] = [f"{c:+.1f}" if pd.notna(c) else "" for c in data["change"]]
    data["score_label"] = [score_text(None if pd.isna(s) else s) for s in data["score"]]
    halls = data["hall"].tolist()
    present = [g for g in GRADE_COLOURS if g in set(data["grade_id"])]
    names = [tr(f"grade.{g}") for g in present]
    y = alt.Y("hall:N", sort=halls, title=None, axis=alt.Axis(labelFontSize=13, labelLimit=160))
    base = alt.Chart(data)
    bars = base.mark_bar(size=18, cornerRadiusEnd=2).encode(
        y=y, x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title=label("label.score")),
        color=alt.Color("grade:N", scale=alt.Scale(domain=names, range=[GRADE_COLOURS[g] for g in present]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("hall:N", title=label("label.hall")), alt.Tooltip("score:Q", title=label("label.score")),
                 alt.Tooltip("grade:N", title=label("label.grade")),
                 alt.Tooltip("previous_score:Q", title=label("label.previous_round")),
                 alt.Tooltip("change_label:N", title=label("label.change"))])
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(
        y=y, x="score:Q", text="score_label:N")
    layers = [bars, labels]
    if data["previous_score"].notna().any():
        layers.append(base.mark_tick(color="#333333", thickness=2, size=24).encode(y=y, x="previous_score:Q"))
        layers.append(base.mark_text(align="left", dx=40, fontSize=12, color="#555555").encode(
            y=y, x="score:Q", text="change_label:N"))
    return alt.layer(*layers).properties(height=alt.Step(30))


def category_chart(long: pd.DataFrame, category: str, halls: list[str], with_names: bool) -> alt.LayerChart:
    data = long[long["category"] == category].copy()
    data["label"] = [f"{s:.0f}" if pd.notna(s) else "—" for s in data["score"]]
    y = alt.Y("hall:N", sort=halls, title=None,
              axis=alt.Axis(labelLimit=90, labelFontSize=12) if with_names else alt.Axis(labels=False, ticks=False))
    base = alt.Chart(data)
    bars = base.mark_bar(color=vd.CATEGORY_COLOUR, size=14).encode(
        y=y, x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title=None, axis=alt.Axis(tickCount=3)),
        tooltip=[alt.Tooltip("hall:N", title=label("label.hall")), alt.Tooltip("score:Q", title=label("label.score"))])
    text = base.mark_text(align="left", dx=3, fontSize=11, color="#444444").encode(
        y=y, x=alt.X("score:Q", impute=None), text="label:N")
    return alt.layer(bars, text).properties(title=data["category_name"].iloc[0] if len(data) else category,
                                            height=alt.Step(22))


def matrix_chart(report: ComparisonReport, rules: list) -> alt.HConcatChart:
    """The street x rule heat map, with each rule's number of failing halls coloured by its spread beside it."""
    cells = vd.matrix_frame(report, rules, lang())
    spread = vd.spread_frame(rules, lang())
    order = [vd.rule_label(r) for r in rules]
    halls = [h.hall for h in report.halls]
    missing = bool((cells["verdict"] == vd.NOT_IN_MANUAL).any())
    verdict_names, verdict_colours = vd.verdict_legend(lang(), with_missing=missing)
    y = alt.Y("rule:N", sort=order, title=None, axis=alt.Axis(labelLimit=300, labelFontSize=12))
    heat = alt.Chart(cells).mark_rect(stroke="white", strokeWidth=2).encode(
        x=alt.X("hall:N", sort=halls, title=None,
                axis=alt.Axis(orient="top", labelAngle=0 if len(halls) <= 8 else -40, labelFontSize=12,
                              labelOverlap=False)),
        y=y,
        color=alt.Color("verdict_name:N", scale=alt.Scale(domain=verdict_names, range=verdict_colours),
                        legend=alt.Legend(orient="bottom", title=tr("app.verdict"))),
        tooltip=[alt.Tooltip("hall:N", title=label("label.hall")), alt.Tooltip("rule:N", title=label("label.rule")),
                 alt.Tooltip("verdict_name:N", title=tr("app.verdict")),
                 alt.Tooltip("severity:N", title=label("label.severity")),
                 alt.Tooltip("spread_name:N", title=label("label.spread"))],
    ).properties(width=alt.Step(max(40, min(90, 480 // max(len(halls), 1)))), height=alt.Step(20))
    spread_names = [tr(f"spread.{s}") for s in vd.SPREAD_ORDER]
    bars = alt.Chart(spread).mark_bar(size=12).encode(
        y=alt.Y("rule:N", sort=order, axis=None),
        x=alt.X("failed_in:Q", title=label("label.failed_in"), scale=alt.Scale(domain=[0, max(len(halls), 1)]),
                axis=alt.Axis(tickMinStep=1, orient="top", format="d")),
        color=alt.Color("spread_name:N", scale=alt.Scale(domain=spread_names, range=list(vd.SPREAD_COLOURS.values())),
                        legend=alt.Legend(orient="bottom", title=label("label.spread"), direction="vertical")),
        tooltip=[alt.Tooltip("rule:N", title=label("label.rule")),
                 alt.Tooltip("failed_in:Q", title=label("label.failed_in")),
                 alt.Tooltip("assessed_in:Q", title=label("label.assessed")),
                 alt.Tooltip("spread_name:N", title=label("label.spread"))],
    ).properties(width=120, height=alt.Step(20))
    return (alt.hconcat(heat, bars, spacing=12).resolve_scale(color="independent")
            .configure_view(strokeWidth=0).configure_axis(domain=False, ticks=False))


# -- the screen -------------------------------------------------------------------------------------------------
st.title(tr("label.comparison_title"))
rounds = store().rounds()
if not rounds:
    st.info(tr("label.no_audits_hint"))
    st.stop()

controls = st.columns([1, 2, 2])
round_name = controls[0].selectbox(label("label.round"), rounds, index=len(rounds) - 1, key="compare_round")
report = comparison(store().url, round_name, lang(), vd.round_signature(store(), round_name))
category_names = {c.category: c.name for c in report.categories}
categories = controls[1].multiselect(tr("app.filter_category"), list(category_names), key="compare_categories",
                                     format_func=category_names.get, placeholder=tr("app.filter_all"))
areas = controls[2].multiselect(tr("app.filter_area"), [a.value for a in Area], key="compare_areas",
                                format_func=lambda a: tr(f"area.{a}"), placeholder=tr("app.filter_all"))
caption = tr("compare.caption", round=report.round, count=len(report.halls), version=report.manual.version)
since = (tr("compare.vs_previous", round=report.previous_round) if report.previous_round
         else tr("compare.no_previous"))
st.caption(f"{caption} · {since}")

# Headline numbers.
change = vd.mean_change(report)
metrics = st.columns(4)
metrics[0].metric(tr("compare.halls"), len(report.halls), border=True)
metrics[1].metric(tr("compare.mean_score"), score_text(vd.mean_score(report)),
                  delta=None if change is None else f"{change:+.1f}", border=True,
                  help=tr("compare.vs_previous", round=report.previous_round) if report.previous_round else None)
metrics[2].metric(tr("compare.systemic_rules"), sum(1 for r in report.rules if r.spread == "systemic"), border=True)
metrics[3].metric(tr("compare.critical_halls"), sum(1 for h in report.halls if h.failed_critical), border=True)

# The ranking.
st.subheader(tr("compare.ranking"))
st.dataframe(
    vd.ranking_frame(report), hide_index=True, width="stretch", key="compare_ranking", placeholder="—",
    column_order=["rank", "hall", "score", "grade", "coverage", "failed_critical", "previous_score", "change"],
    column_config={
        "rank": st.column_config.NumberColumn(label("label.rank"), width=60),
        "hall": st.column_config.TextColumn(label("label.hall")),
        "score": st.column_config.ProgressColumn(label("label.score"), min_value=0, max_value=100, format="%.1f",
                                                 color=SCORE_COLOUR),
        "grade": st.column_config.TextColumn(label("label.grade")),
        "coverage": st.column_config.NumberColumn(label("label.coverage"), format="percent"),
        "failed_critical": st.column_config.NumberColumn(label("label.failed_critical")),
        "previous_score": st.column_config.NumberColumn(label("label.previous_round"), format="%.1f"),
        "change": st.column_config.NumberColumn(label("label.change"), format="%+.1f"),
    })

# Each hall's score against the previous round, and its category scores.
left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader(tr("compare.change_chart") if report.previous_round else label("label.score"))
    st.altair_chart(score_chart(report), width="stretch")
shown = [c for c in report.categories if not categories or c.category in categories]
with right:
    st.subheader(tr("compare.categories"))
    st.dataframe(vd.category_table(report, categories), hide_index=True, width="stretch", placeholder="—",
                 key="compare_categories_table", column_config={
                     "hall": st.column_config.TextColumn(label("label.hall"), width=95),
                     "score": st.column_config.NumberColumn(label("label.score"), format="%.1f", width=65),
                     **{c.name: st.column_config.NumberColumn(c.name, format="%.0f", width=75, help=c.name)
                        for c in shown}})

# A chart per category, the halls in rank order (their names once, on the first chart drawn in a row).
long = vd.category_frame(report, categories)
halls = [h.hall for h in report.halls]
for start in range(0, len(shown), 5):
    named = False
    for column, line in zip(st.columns(5), shown[start:start + 5], strict=False):
        with column:
            if long[long["category"] == line.category]["score"].notna().any():
                st.altair_chart(category_chart(long, line.category, halls, with_names=not named), width="stretch")
                named = True
            else:
                st.markdown(f"**{line.name}**")
                st.caption(tr("grade.not_assessable"))

# The street x rule matrix, after the list of its systemic problems.
st.subheader(tr("compare.matrix"))
st.caption(tr("compare.matrix_help"))
rules = vd.filter_rules(report, categories, areas)
if not rules:
    st.info(tr("app.no_rules_match"))
    st.stop()
systemic = vd.spread_frame([r for r in rules if r.spread == "systemic"], lang())
st.markdown(f"**{tr('compare.systemic_list')}**")
if systemic.empty:
    st.caption(tr("compare.no_systemic"))
else:
    ratio = [f"{f} / {a}" for f, a in zip(systemic["failed_in"], systemic["assessed_in"], strict=True)]
    st.table(pd.DataFrame({
        label("label.rule"): systemic["rule"], label("label.category"): systemic["category"],
        label("label.severity"): systemic["severity"],
        f"{label('label.failed_in')} / {tr('label.assessed')}": ratio,
        tr("compare.halls_failing"): systemic["failed_halls"]}), hide_index=True, border="horizontal")
st.altair_chart(matrix_chart(report, rules), width="content")
