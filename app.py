"""The Streamlit app: navigation only. Each screen is one file under views/; the logic lives in auditor/.

`streamlit run app.py` opens it on the audit store ($AUDITOR_DB_URL or data/auditor.db); until that holds a
real audit it shows the sample streets (audited into their own store on first start), marked as demo data.
"""

from __future__ import annotations

import streamlit as st

from views.common import sidebar, tr

st.set_page_config(page_title="政务服务大厅标准化检查 · Hall audit", layout="wide")
sidebar()
pages = [
    st.Page("views/compare.py", title=tr("nav.compare"), url_path="compare", default=True),
    st.Page("views/audit.py", title=tr("nav.audit"), url_path="audit"),
    st.Page("views/hall.py", title=tr("nav.hall"), url_path="hall"),
    st.Page("views/manual.py", title=tr("nav.manual"), url_path="manual"),
    st.Page("views/exports.py", title=tr("nav.exports"), url_path="exports"),
]
st.navigation(pages).run()
