"""Exports: the report of one audit (PDF, Excel, CSV, JSON) and the comparison of a round (PDF, Excel).

A file is built only when its button is pressed (with a spinner), then offered for download; building
problems (a missing CJK font, an unknown audit) are shown as a message, not a traceback."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from auditor.reports import views_data as vd
from auditor.reports.export import (
    AUDIT_FORMATS,
    COMPARISON_FORMATS,
    MEDIA_TYPES,
    export_audit,
    export_comparison,
    export_file_name,
)
from views.common import lang, store, tr

FORMAT_NAMES = {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV", "json": "JSON"}
FORMAT_ICONS = {"pdf": ":material/picture_as_pdf:", "xlsx": ":material/table_view:", "csv": ":material/csv:",
                "json": ":material/data_object:"}


def label(key: str) -> str:
    """A table label as a field name (capitalised in English)."""
    return vd.heading(tr(key))


def offer(formats: tuple[str, ...], identity: str, build: Callable[[str], bytes], file_name: Callable[[str], str]
          ) -> None:
    """A column per format: a button that builds the file, then the button that downloads it."""
    for column, fmt in zip(st.columns(len(AUDIT_FORMATS)), formats, strict=False):
        name = FORMAT_NAMES[fmt]
        key = f"export:{identity}:{fmt}:{lang()}"
        with column:
            if st.button(tr("exports.build", fmt=name), key=f"build:{key}", icon=FORMAT_ICONS[fmt], width="stretch"):
                with st.spinner(tr("exports.building", fmt=name)):
                    try:
                        st.session_state[key] = build(fmt)
                    except Exception as exc:  # the reader gets a message, whatever went wrong in the renderer
                        st.session_state.pop(key, None)
                        st.error(tr("exports.failed", fmt=name, error=str(exc) or type(exc).__name__))
            if key in st.session_state:
                st.download_button(tr("exports.download", fmt=name), st.session_state[key], key=f"download:{key}",
                                   file_name=file_name(fmt), mime=MEDIA_TYPES[fmt], type="primary",
                                   icon=":material/download:", on_click="ignore", width="stretch")


st.title(tr("exports.title"))
rounds = vd.rounds_with_audits(store())
if not rounds:
    st.info(tr("label.no_audits_hint"))
    st.stop()
latest = rounds[-1]

# One audit: a hall and one of its rounds (default: the top hall of the latest round, its latest round).
with st.container(border=True):
    st.subheader(tr("exports.audit_section"))
    st.caption(tr("exports.audit_help"))
    halls = [h for h in store().halls() if store().audits_of_hall(h)]
    ranked = [s.hall for s in store().latest_per_hall(latest)]
    picks = st.columns(2)
    hall = picks[0].selectbox(label("label.hall"), halls, index=halls.index(ranked[0]) if ranked else 0,
                              key="exports_hall")
    audits = store().audits_of_hall(hall)
    hall_rounds = sorted({a.round for a in audits})
    round_name = picks[1].selectbox(label("label.round"), hall_rounds, index=len(hall_rounds) - 1,
                                    key=f"exports_round_{hall}")
    audit_id = store().latest_audit_id(hall, round_name)
    summary = next(a for a in audits if a.audit_id == audit_id)
    score = "—" if summary.score is None else f"{summary.score:.1f}"
    st.caption(f"{tr('label.audit')} {audit_id} · {tr('label.score')} {score} · {tr(f'grade.{summary.grade}')}")
    offer(AUDIT_FORMATS, f"{store().url}:audit{audit_id}:{summary.score}:{summary.grade}",
          lambda fmt: export_audit(store(), audit_id, fmt, lang()),
          lambda fmt: export_file_name(fmt, round_name, hall=hall, audit_id=audit_id))

# A round's comparison.
with st.container(border=True):
    st.subheader(tr("exports.round_section"))
    st.caption(tr("exports.round_help"))
    compared = st.columns(2)[0].selectbox(label("label.round"), rounds, index=len(rounds) - 1,
                                          key="exports_compare_round")
    signature = tuple((s.audit_id, s.score) for s in store().latest_per_hall(compared))
    offer(COMPARISON_FORMATS, f"{store().url}:round:{compared}:{hash(signature)}",
          lambda fmt: export_comparison(store(), compared, fmt, lang()),
          lambda fmt: export_file_name(fmt, compared))
