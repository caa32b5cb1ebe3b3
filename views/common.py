"""What every screen shares: the reader's language, the store in use, who may see faces, and the models,
loaded once per server process (``st.cache_resource``) and shared by every session.

Faces: every photo the app shows has citizens' faces blurred (auditor.faces), for every reader, unless the
reader turns on "I am the inspector (show faces)" in the sidebar and types the inspector PIN. That switch
exists only when the server was started with ``AUDITOR_INSPECTOR_PIN`` set; without it nobody sees faces in
the app. The PIN lives in this browser session only; the stored photos are never changed."""

from __future__ import annotations

import hmac
import os
import threading

import streamlit as st

from auditor.i18n import LANGS, t
from auditor.manual import DEFAULT_MANUAL, Manual, load_manual
from auditor.reports.views_data import heading
from auditor.store import AuditStore, default_url

LANG_KEY = "lang"
INSPECTOR_PIN_ENV = "AUDITOR_INSPECTOR_PIN"
FACES_KEY, PIN_KEY = "faces_inspector", "faces_pin"
SOURCE_KEY = "data_source"
REAL, SAMPLES = "real", "samples"


def lang() -> str:
    return st.session_state.get(LANG_KEY, "zh")


def tr(key: str, **params: object) -> str:
    """The translation table's text for ``key`` in the reader's language."""
    return t(key, lang(), **params)


def label(key: str) -> str:
    """A table label used as a heading, column or field name: capitalised in English (Chinese unchanged)."""
    return heading(tr(key))


@st.cache_resource(show_spinner=False)
def store_at(url: str) -> AuditStore:
    return AuditStore(url)


@st.cache_resource(show_spinner=False)
def manual() -> Manual:
    return load_manual(DEFAULT_MANUAL)


@st.cache_resource(show_spinner=False)
def get_auditor():
    """The auditor with its detectors (YOLO, OCR, line finder), loaded once per server process."""
    from auditor.detectors.fusion import DEFAULT_CONFIG
    from auditor.pipeline import Auditor, default_detectors

    return Auditor(manual(), default_detectors(DEFAULT_CONFIG))


def real_store() -> AuditStore:
    return store_at(default_url())


def samples_store() -> AuditStore:
    # Read at call time (not import time) so tests can point it elsewhere.
    from auditor import store as store_module

    return store_at(store_module.SAMPLES_DB)


@st.cache_resource(show_spinner=False)
def _seeding_lock() -> threading.Lock:
    return threading.Lock()


@st.cache_resource(show_spinner=False)
def _unseedable() -> set[str]:
    """Sample streets whose audit stored nothing (no photo read): not tried again by this process."""
    return set()


def _unseeded_streets() -> list[str]:
    """The sample streets whose hall has no audit in the samples store yet."""
    from auditor.samples import street_folders

    seeded = {s.hall for s in samples_store().latest_per_hall()} | _unseedable()
    return [street.name for street in street_folders() if street.name not in seeded]


def ensure_samples() -> None:
    """Audit the bundled sample streets the samples store does not hold yet (first start), once per process
    even when several readers open the app at that moment.

    Each street's audit is stored as it completes, and only the streets still missing are audited: a first
    start interrupted by the reader (a click reruns the script, which stops the seeding at its next progress
    update) leaves the streets already done, and the next run completes the rest."""
    from auditor.samples import audit_samples

    if not _unseeded_streets():
        return
    with _seeding_lock():
        missing = _unseeded_streets()  # another session may have seeded some while this one waited
        if not missing:
            return
        bar = st.progress(0.0, text=tr("label.auditing_samples"))

        def step(done: int, total: int, name: str) -> None:
            bar.progress(done / max(total, 1), text=f"{tr('label.auditing_samples')} {name}")

        audits = audit_samples(get_auditor(), samples_store(), progress=step, only=set(missing))
        _unseedable().update(a.result.hall for a in audits if a.audit_id is None)
        bar.empty()


def _bilingual(key: str) -> str:
    # A fixed bilingual label, as for the language: one that changed with it would reset the widget.
    return f"{t(key, 'zh')} / {t(key, 'en')}"


def show_faces() -> bool:
    """Whether this session may see faces: the inspector switch is on and its PIN is the server's
    ``AUDITOR_INSPECTOR_PIN`` (never without one)."""
    pin = os.environ.get(INSPECTOR_PIN_ENV, "")
    if not pin or not st.session_state.get(FACES_KEY):
        return False
    return hmac.compare_digest(str(st.session_state.get(PIN_KEY, "")).encode(), pin.encode())


def faces_sidebar() -> None:
    """The inspector switch and its PIN (only when the server has a PIN), and what the pictures show."""
    if os.environ.get(INSPECTOR_PIN_ENV) and st.sidebar.toggle(_bilingual("faces.inspector_toggle"), key=FACES_KEY):
        st.sidebar.text_input(_bilingual("faces.pin"), type="password", key=PIN_KEY)
        if not show_faces():
            st.sidebar.caption(tr("faces.pin_wrong"))
    st.sidebar.caption(tr("faces.shown") if show_faces() else tr("faces.blurred"))


def store() -> AuditStore:
    """The store the reader chose in the sidebar: the real audits, or the sample streets (demo data)."""
    return samples_store() if st.session_state.get(SOURCE_KEY) == SAMPLES else real_store()


def sidebar() -> None:
    """The language switch and the data source; the samples are the default until a real audit exists."""
    st.sidebar.radio("语言 / Language", LANGS, key=LANG_KEY,
                     format_func=lambda v: "简体中文" if v == "zh" else "English")
    if SOURCE_KEY not in st.session_state:
        st.session_state[SOURCE_KEY] = REAL if real_store().latest_per_hall() else SAMPLES
    # A fixed bilingual label, as for the language: a label that changed with the language would make
    # Streamlit see a new widget and drop the reader's choice.
    st.sidebar.radio("数据 / Data", (REAL, SAMPLES), key=SOURCE_KEY,
                     format_func=lambda v: f"{t(f'label.data_{v}', 'zh')} / {t(f'label.data_{v}', 'en')}")
    if st.session_state[SOURCE_KEY] == SAMPLES:
        st.sidebar.caption(tr("label.sample_data"))
        ensure_samples()
    faces_sidebar()
