"""Manual: the standardization manual's rules, by category and functional area: id, title, clause, severity,
weight, the evidence each check looks at (object detector, OCR text, floor lines, persons and dress) and the
message a hall head reads when it fails."""

from __future__ import annotations

import streamlit as st

from auditor.reports import views_data as vd
from auditor.types import Area
from views.common import label, lang, manual, tr

ROW_HEIGHT = 35



book = manual()
st.title(book.title.get(lang()))
st.caption(tr("manual.caption", version=book.version, count=len(book.rules), categories=len(book.categories)))

# Each category's share of the hall score.
weights = vd.category_weights(book, lang())
for column, row in zip(st.columns(len(weights)), weights.itertuples(), strict=True):
    column.metric(row.name, f"{row.share:.0%}", help=f"{tr('manual.share')} · {tr('manual.rules')} {row.rules}",
                  border=True)

names = {c.id: c.name.get(lang()) for c in book.categories}
filters = st.columns([2, 2, 3])
categories = filters[0].multiselect(tr("app.filter_category"), list(names), format_func=names.get,
                                    placeholder=tr("app.filter_all"), key="manual_categories")
areas = filters[1].multiselect(tr("app.filter_area"), [a.value for a in Area], format_func=lambda a: tr(f"area.{a}"),
                               placeholder=tr("app.filter_all"), key="manual_areas")
search = filters[2].text_input(tr("manual.search"), key="manual_search")

rules = vd.manual_frame(book, lang(), categories, areas, search)
st.caption(tr("manual.shown", shown=len(rules), total=len(book.rules)))
if rules.empty:
    st.info(tr("app.no_rules_match"))
    st.stop()

# The rules; the one selected is shown in full below (its message can be long).
picked = st.dataframe(
    rules, hide_index=True, width="stretch", height=min(len(rules), 14) * ROW_HEIGHT + ROW_HEIGHT + 3,
    key=f"manual_rules_{len(rules)}", on_select="rerun", selection_mode="single-row",
    selection_default={"selection": {"rows": [0]}},
    column_config={
        "rule_id": st.column_config.TextColumn(label("label.rule_id"), width=75, pinned=True),
        "title": st.column_config.TextColumn(label("label.title"), width=210),
        "category": st.column_config.TextColumn(label("label.category"), width=90),
        "areas": st.column_config.TextColumn(label("label.area"), width=150),
        "clause": st.column_config.TextColumn(label("label.clause"), width=190),
        "severity": st.column_config.TextColumn(label("label.severity"), width=70),
        "weight": st.column_config.NumberColumn(label("label.weight"), width=55, format="%g"),
        "evidence": st.column_config.TextColumn(label("label.evidence"), width=140),
        "message": st.column_config.TextColumn(label("label.message"), width="large"),
    })
rows = picked.selection.rows if picked is not None and picked.selection.rows else [0]
rule = rules.iloc[min(rows[0], len(rules) - 1)]
with st.container(border=True):
    st.markdown(f"**{rule.rule_id} {rule.title}**")
    st.caption(" · ".join([rule.category, rule.severity, f"{label('label.weight')} {rule.weight:g}",
                           f"{label('label.area')}: {rule.areas}"]))
    st.markdown(f"{label('label.clause')}: {rule.clause}  \n{label('label.evidence')}: {rule.evidence}")
    st.markdown(f"{label('label.message')}: {rule.message}")
