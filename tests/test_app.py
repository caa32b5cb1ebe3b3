"""The minimal app page renders the stored halls (AppTest, headless)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from auditor.collect import PhotoInput
from auditor.pipeline import Auditor
from auditor.store import AuditStore
from auditor.types import Area
from tests.conftest import jpeg_bytes

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_app_lists_the_stored_halls(counter_auditor: Auditor, tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("AUDITOR_DB_URL", url)
    counter_auditor.audit([PhotoInput("w.jpg", Area.WINDOW_COUNTER, jpeg_bytes())], "湖泗街道", "2026-Q4",
                          store=AuditStore(url, photo_dir=tmp_path / "photos"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "湖泗街道" in at.dataframe[0].value.iloc[:, 0].tolist()
    at.sidebar.radio[0].set_value("en").run()
    columns = list(at.dataframe[0].value.columns)
    assert "hall" in columns and "街道" not in columns, "the language switch relabels the table"


def test_app_without_audits_says_how_to_start(tmp_path: Path, monkeypatch) -> None:
    import auditor.store

    monkeypatch.setenv("AUDITOR_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(auditor.store, "SAMPLES_DB", f"sqlite:///{tmp_path / 'no-samples.db'}")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "make run" in at.info[0].value


def test_app_shows_the_samples_marked_as_demo_until_real_audits_exist(counter_auditor: Auditor, tmp_path: Path,
                                                                      monkeypatch) -> None:
    import auditor.store

    samples_url = f"sqlite:///{tmp_path / 'samples.db'}"
    counter_auditor.audit([PhotoInput("w.jpg", Area.WINDOW_COUNTER, jpeg_bytes())], "纸坊街道", "sample",
                          store=AuditStore(samples_url))
    monkeypatch.setenv("AUDITOR_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(auditor.store, "SAMPLES_DB", samples_url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "纸坊街道" in at.dataframe[0].value.iloc[:, 0].tolist()
    assert "演示数据" in at.caption[0].value
