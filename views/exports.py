"""Exports: the report of one audit (PDF, Excel, CSV, JSON) and the comparison of a round (PDF, Excel).

The PDF's evidence pictures have citizens' faces blurred unless the session is the inspector's (the
sidebar's PIN: views/common.py). A file is built only when its button is pressed (with a spinner), then
offered for download; building problems (a missing CJK font, an unknown audit, a missing face model) are
shown as a message, not a traceback."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from auditor.i18n import score_text
from auditor.reports import views_data as vd
from auditor.reports.export import (
    AUDIT_FORMATS,
    COMPARISON_FORMATS,
    MEDIA_TYPES,
    export_audit,
    export_comparison,
    export_file_name,
)
from views.common import label, lang, show_faces, store, tr

FORMAT_NAMES = {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV", "json": "JSON"}
FORMAT_ICONS = {"pdf": ":material/picture_as_pdf:", "xlsx": ":material/table_view:", "csv": ":material/csv:",
                "json": ":material/data_object:"}



def offer(section: str, formats: tuple[str, ...], identity: tuple, build: Callable[[str], bytes],
          file_name: Callable[[str], str]) -> None:
    """A column per format: a button that builds the file, then the button that downloads it.

    The built files of a section are kept in session state for one ``identity`` only (the store, the audit or
    round with its revision, the language): when it changes (another audit, an override, a re-check, another
    language) they are dropped and built again on request, so nothing stale is offered and a session keeps
    no more than one audit's and one round's files."""
    state_key = f"exports_built_{section}"
    kept = st.session_state.get(state_key)
    if kept is None or kept[0] != identity:
        kept = (identity, {})
        st.session_state[state_key] = kept
    built: dict[str, bytes] = kept[1]
    for column, fmt in zip(st.columns(len(AUDIT_FORMATS)), formats, strict=False):
        name = FORMAT_NAMES[fmt]
        with column:
            if st.button(tr("exports.build", fmt=name), key=f"exports_build_{section}_{fmt}", icon=FORMAT_ICONS[fmt],
                         width="stretch"):
                with st.spinner(tr("exports.building", fmt=name)):
                    try:
                        built[fmt] = build(fmt)
                    except Exception as exc:  # the reader gets a message, whatever went wrong in the renderer
                        built.pop(fmt, None)
                        st.error(tr("exports.failed", fmt=name, error=str(exc) or type(exc).__name__))
            if fmt in built:
                st.download_button(tr("exports.download", fmt=name), built[fmt],
                                   key=f"exports_download_{section}_{fmt}", file_name=file_name(fmt),
                                   mime=MEDIA_TYPES[fmt], type="primary", icon=":material/download:",
                                   on_click="ignore", width="stretch")


st.title(tr("exports.title"))
rounds = store().rounds()
if not rounds:
    st.info(tr("label.no_audits_hint"))
    st.stop()
latest = rounds[-1]

# One audit: a hall and one of its rounds (default: the top hall of the latest round, its latest round).
with st.container(border=True):
    st.subheader(tr("exports.audit_section"))
    st.caption(tr("exports.audit_help"))
    halls = store().halls()  # a hall is stored with its first audit
    ranked = [s.hall for s in store().latest_per_hall(latest)]
    picks = st.columns(2)
    hall = picks[0].selectbox(label("label.hall"), halls, index=halls.index(ranked[0]) if ranked else 0,
                              key="exports_hall")
    # The hall's latest audit of each of its rounds, the rounds in the store's order (not by name).
    per_round = {a.round: a for a in vd.latest_per_round(store().audits_of_hall(hall), rounds)}
    hall_rounds = list(per_round)
    round_name = picks[1].selectbox(label("label.round"), hall_rounds, index=len(hall_rounds) - 1,
                                    key=f"exports_round_{hall}")
    summary = per_round[round_name]
    audit_id = summary.audit_id
    st.caption(f"{tr('label.audit')} {audit_id} · {tr('label.score')} {score_text(summary.score)} · "
               f"{tr(f'grade.{summary.grade}')}")
    faces = show_faces()  # the PDF's pictures: faces blurred unless this session is the inspector's
    offer("audit", AUDIT_FORMATS, (store().url, audit_id, store().revision(audit_id), lang(), faces),
          lambda fmt: export_audit(store(), audit_id, fmt, lang(), show_faces=faces),
          lambda fmt: export_file_name(fmt, round_name, hall=hall, audit_id=audit_id))

# A round's comparison.
with st.container(border=True):
    st.subheader(tr("exports.round_section"))
    st.caption(tr("exports.round_help"))
    compared = st.columns(2)[0].selectbox(label("label.round"), rounds, index=len(rounds) - 1,
                                          key="exports_compare_round")
    offer("round", COMPARISON_FORMATS, (store().url, compared, vd.round_signature(store(), compared), lang()),
          lambda fmt: export_comparison(store(), compared, fmt, lang()),
          lambda fmt: export_file_name(fmt, compared))
