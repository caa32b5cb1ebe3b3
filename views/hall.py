"""Hall: one street's scorecard. Its score and grade, the failed critical rules, a bar per category, the
findings with a thumbnail of each photo (faces blurred unless the session is the inspector's) and the clause
of each rule, the rectification list, and the trend of its score across rounds."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from auditor.errors import DetectorConfigError
from auditor.i18n import score_text
from auditor.localtime import local_zone
from auditor.reports import views_data as vd
from auditor.reports.model import AuditReport, build_audit_report
from auditor.store import HallSummary
from auditor.types import Finding
from views.common import label, lang, show_faces, store, store_at, tr

SHOW = ("fail", "not_assessable", "all")



@st.cache_data(show_spinner=False, max_entries=512)
def thumbnail(path: str, modified: float, faces_shown: bool = False, photo: str | None = None,
              _findings: Sequence[Finding] = ()) -> str | None:
    """A small thumbnail of a kept photo as a data URI (``modified`` renews it if the file changes), citizens'
    faces blurred unless ``faces_shown`` (the heads of the persons among ``_findings``' evidence on ``photo``
    too); None also when the face model is missing."""
    try:
        return vd.thumbnail_data_uri(path, show_faces=faces_shown, findings=_findings, photo=photo)
    except DetectorConfigError:
        return None  # no face model: no thumbnail rather than one with faces


def thumbnails(report: AuditReport) -> dict[str, str | None]:
    shown = show_faces()
    return {name: thumbnail(str(path), path.stat().st_mtime, shown, name, report.findings)
            for name, path in report.photo_files.items()}


def local_date(summary: HallSummary) -> str:
    return summary.created_at.astimezone(local_zone()).date().isoformat()


def category_chart(report: AuditReport) -> alt.LayerChart:
    data = vd.category_bars(report)
    data["bar"] = data["score"].fillna(0)
    y = alt.Y("category_name:N", sort=data["category_name"].tolist(), title=None,
              axis=alt.Axis(labelFontSize=13, labelLimit=200))
    base = alt.Chart(data)
    bars = base.mark_bar(color=vd.CATEGORY_COLOUR, size=20, cornerRadiusEnd=2).encode(
        y=y, x=alt.X("bar:Q", scale=alt.Scale(domain=[0, 100]), title=label("label.score")),
        tooltip=[alt.Tooltip("category_name:N", title=label("label.category")),
                 alt.Tooltip("label:N", title=label("label.score")),
                 alt.Tooltip("weight:Q", title=label("label.weight"))])
    text = base.mark_text(align="left", dx=4, fontSize=12, color="#444444").encode(y=y, x="bar:Q", text="label:N")
    return alt.layer(bars, text).properties(height=alt.Step(36))


def trend_chart(trend: pd.DataFrame, current_round: str) -> alt.LayerChart:
    trend = trend.assign(current=trend["round"] == current_round)
    x = alt.X("round:O", sort=trend["round"].tolist(), title=label("label.round"), axis=alt.Axis(labelAngle=0))
    y = alt.Y("score:Q", scale=alt.Scale(domain=[0, 100]), title=label("label.score"))
    base = alt.Chart(trend)
    tooltip = [alt.Tooltip("round:N", title=label("label.round")), alt.Tooltip("score:Q", title=label("label.score")),
               alt.Tooltip("grade:N", title=label("label.grade")), alt.Tooltip("date:N", title=label("label.date"))]
    line = base.mark_line(color=vd.CATEGORY_COLOUR, strokeWidth=2.5).encode(x=x, y=y)
    points = base.mark_point(filled=True, color=vd.CATEGORY_COLOUR).encode(
        x=x, y=y, tooltip=tooltip, size=alt.condition("datum.current", alt.value(220), alt.value(80)))
    labels = base.mark_text(dy=-16, fontSize=12, color="#333333").encode(
        x=x, y=y, text=alt.Text("score:Q", format=".1f"))
    return alt.layer(line, points, labels).properties(height=300)


def escape(text: str) -> str:
    """Text shown as markdown, read literally (a ``*`` or ``$`` in a message is not formatting)."""
    return "".join("\\" + c if c in "\\`*_$~[]<>#|" else c for c in text)


@st.cache_data(show_spinner=False, max_entries=32)
def audit_report(url: str, audit_id: int, language: str, signature: tuple) -> AuditReport:
    return build_audit_report(store_at(url), audit_id, language)


def verdict_style(value: str, names: dict[str, str]) -> str:
    colour = vd.VERDICT_COLOURS.get(names.get(value, ""))
    return f"color: {colour}; font-weight: 600" if colour else ""


# -- the screen -------------------------------------------------------------------------------------------------
st.title(tr("hall.title"))
halls = store().halls()  # a hall is stored with its first audit
if not halls:
    st.info(tr("label.no_audits_hint"))
    st.stop()

latest = vd.latest_round(store())
ranked = [s.hall for s in store().latest_per_hall(latest)] if latest else []
default_hall = ranked[0] if ranked else halls[0]
picks = st.columns([2, 3])
hall = picks[0].selectbox(label("label.hall"), halls, index=halls.index(default_hall), key="hall_name")
audits = store().audits_of_hall(hall)
rounds = store().rounds()  # in the order they were audited, not by name
by_id = {a.audit_id: a for a in audits}
audit_ids = [a.audit_id for a in vd.audits_newest_first(audits, rounds)]  # the latest round's latest: the default
audit_id = picks[1].selectbox(
    tr("hall.audit"), audit_ids, key=f"hall_audit_{hall}",
    format_func=lambda i: tr("hall.audit_option", round=by_id[i].round, date=local_date(by_id[i]), id=i))
# Rebuilt only when the hall is audited again or one of its audits overridden (a re-check and its overrides
# move the rectification list), not on every click.
report = audit_report(store().url, audit_id, lang(), store().revision(audit_id))
st.caption(tr("hall.caption", date=report.created_at.date().isoformat(), inspector=report.inspector or "—",
              version=report.manual_version))

# Headline: score (against the hall's previous audit), grade, coverage, failed rules.
previous = vd.previous_audit(audits, audit_id, rounds)
before = previous.score if previous is not None else None
delta = f"{report.score - before:+.1f}" if report.score is not None and before is not None else None
counts = vd.verdict_counts(report)
metrics = st.columns(4)
metrics[0].metric(label("label.score"), score_text(report.score), delta=delta,
                  help=tr("hall.delta_help") if delta else None, border=True)
metrics[1].metric(label("label.grade"), report.grade_name, border=True)
metrics[2].metric(label("label.coverage"), f"{report.coverage:.0%}", border=True)
metrics[3].metric(tr("hall.failed_rules"), counts.get("fail", 0), border=True)

if report.failed_critical:
    st.error(tr("hall.failed_critical_list") + " "
             + "；".join(f"{rule_id} {title}" for rule_id, title in report.failed_critical))
else:
    st.success(tr("hall.no_failed_critical"))
if report.unassessed_critical:
    st.warning(f"{tr('label.unassessed_critical')}: "
               + "；".join(f"{rule_id} {title}" for rule_id, title in report.unassessed_critical))

# A bar per category, and the trend across rounds.
left, right = st.columns(2, gap="large")
with left:
    st.subheader(label("label.category_scores"))
    st.altair_chart(category_chart(report), width="stretch")
with right:
    st.subheader(tr("hall.trend"))
    trend = vd.trend_frame(audits, lang(), rounds)
    st.altair_chart(trend_chart(trend, report.round), width="stretch")
    if len(trend) < 2:
        st.caption(tr("hall.single_audit"))
    else:
        st.caption(" → ".join(f"{r} {score_text(None if pd.isna(s) else s)}"
                              for r, s in zip(trend["round"], trend["score"], strict=True)))

# The findings (with the photo's thumbnail) and the rectification list.
findings_tab, rectification_tab = st.tabs([label("label.findings"), label("label.rectification")])
with findings_tab:
    show = st.segmented_control(tr("hall.show"), SHOW, default="fail", key="hall_show", required=True,
                                format_func=lambda v: tr(f"hall.show_{v}"))
    verdicts = None if show == "all" else {show}
    rows = vd.findings_frame(report, verdicts, thumbnails(report), failed_rules_only=show == "fail")
    marked = f"（{tr('hall.overridden')}）" if lang() == "zh" else f" ({tr('hall.overridden')})"
    rows["verdict"] = [v + marked if o else v for v, o in zip(rows["verdict"], rows["overridden"], strict=True)]
    if rows.empty:
        st.info(tr("label.no_failed_rules") if show == "fail" else tr("hall.no_findings"))
    elif show == "fail":  # what the hall must put right: one card each, the message in full
        for row in rows.itertuples():
            with st.container(border=True):
                picture, words = st.columns([1, 8], vertical_alignment="center")
                if row.thumbnail:
                    picture.image(row.thumbnail, width=110)
                else:
                    picture.caption(tr("label.whole_hall"))
                colour = vd.VERDICT_COLOURS[row.verdict_id]
                words.markdown(f"**{escape(row.rule)}** &nbsp; <span style='color:{colour};font-weight:600'>"
                               f"{escape(row.verdict)}</span>", unsafe_allow_html=True)
                words.caption(" · ".join([row.where, row.severity, f"{label('label.clause')}: {row.clause}"]))
                words.markdown(escape(row.message))
    else:
        names = dict(zip(rows["verdict"], rows["verdict_id"], strict=True))
        styled = rows.style.map(lambda v: verdict_style(v, names), subset=["verdict"])
        st.dataframe(
            styled, hide_index=True, width="stretch", row_height=64, key="hall_findings",
            column_order=["thumbnail", "rule", "verdict", "message", "where", "clause"],
            column_config={
                "thumbnail": st.column_config.ImageColumn(label("label.photo"), width=90),
                "rule": st.column_config.TextColumn(label("label.rule"), width=220),
                "verdict": st.column_config.TextColumn(tr("app.verdict"), width=80),
                "message": st.column_config.TextColumn(label("label.message"), width=330),
                "where": st.column_config.TextColumn(label("label.area"), width=170),
                "clause": st.column_config.TextColumn(label("label.clause"), width=200),
            })
with rectification_tab:
    items = vd.rectification_frame(report)
    if items.empty:
        st.info(tr("hall.nothing_to_rectify"))
    else:
        st.table(pd.DataFrame({
            label("label.number"): items["number"], label("label.rule"): items["rule_id"] + " " + items["title"],
            label("label.severity"): items["severity"], label("label.clause"): items["clause"],
            label("label.problem"): items["problem"], label("label.responsible"): items["responsible"],
            label("label.deadline"): items["deadline"], label("label.status"): items["status"]}),
            hide_index=True, border="horizontal")
