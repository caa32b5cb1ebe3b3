"""The Streamlit app. For now one page: the halls ranked by their latest audit (the app issue adds the
audit, hall, compare and manual screens, one file each under views/)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from auditor.i18n import t
from auditor.store import AuditStore

st.set_page_config(page_title="政务服务大厅标准化检查 · Hall audit", layout="wide")
lang = st.sidebar.radio("语言 / Language", ["zh", "en"], format_func=lambda v: "简体中文" if v == "zh" else "English")
zh = lang == "zh"

st.title("街道政务服务中心标准化检查" if zh else "Street service hall standardization audit")
summaries = AuditStore().latest_per_hall()
if not summaries:
    st.info("还没有检查记录。运行 `make run` 检查示例街道。" if zh else
            "No audits yet. Run `make run` to audit the sample streets.")
else:
    table = pd.DataFrame([{
        ("街道" if zh else "Hall"): s.hall,
        ("轮次" if zh else "Round"): s.round,
        ("得分" if zh else "Score"): s.score,
        ("等级" if zh else "Grade"): t(f"grade.{s.grade}", lang),
        ("关键项不合格" if zh else "Failed critical"): ", ".join(s.failed_critical) or "-",
    } for s in summaries])
    st.dataframe(table, hide_index=True, width="stretch")
