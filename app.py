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
zh = lang == "zh"

st.title("街道政务服务中心标准化检查" if zh else "Street service hall standardization audit")
summaries = AuditStore().latest_per_hall()
if not summaries:
    summaries = AuditStore(SAMPLES_DB).latest_per_hall()
    if summaries:
        st.caption("示例街道（演示数据，尚无正式检查记录）" if zh else
                   "Sample streets (demo data; no real audit yet)")
if not summaries:
    st.info("还没有检查记录。运行 `make run` 检查示例街道。" if zh else
            "No audits yet. Run `make run` to audit the sample streets.")
else:
    table = pd.DataFrame([{
        ("街道" if zh else "Hall"): s.hall,
        ("轮次" if zh else "Round"): s.round,
        ("得分" if zh else "Score"): s.score,
        ("等级" if zh else "Grade"): t(f"grade.{s.grade}", lang),
        ("已判定" if zh else "Assessed"): f"{s.coverage:.0%}",
        ("关键项不合格" if zh else "Failed critical"): ", ".join(s.failed_critical) or "-",
    } for s in summaries])
    st.dataframe(table, hide_index=True, width="stretch")
