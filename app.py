"""The Streamlit app. For now one page: the halls ranked by their latest audit (the app issue adds the
audit, hall, compare and manual screens, one file each under views/).

It reads the audit store ($AUDITOR_DB_URL or data/auditor.db); while that holds no audit yet it shows the
sample streets that `make run` audited into their own store, marked as sample data.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from auditor.i18n import t
from auditor.store import SAMPLES_DB, AuditStore

st.set_page_config(page_title="政务服务大厅标准化检查 · Hall audit", layout="wide")
lang = st.sidebar.radio("语言 / Language", ["zh", "en"], format_func=lambda v: "简体中文" if v == "zh" else "English")

st.title(t("label.app_title", lang))
summaries = AuditStore().latest_per_hall()
if not summaries:
    summaries = AuditStore(SAMPLES_DB).latest_per_hall()
    if summaries:
        st.caption(t("label.sample_data", lang))
if not summaries:
    st.info(t("label.no_audits_hint", lang))
else:
    table = pd.DataFrame([{
        t("label.hall", lang): s.hall,
        t("label.round", lang): s.round,
        t("label.score", lang): s.score,
        t("label.grade", lang): t(f"grade.{s.grade}", lang),
        t("label.assessed", lang): f"{s.coverage:.0%}",
        t("label.failed_critical", lang): ", ".join(s.failed_critical) or "-",
    } for s in summaries])
    st.dataframe(table, hide_index=True, width="stretch")
