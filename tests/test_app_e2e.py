"""End to end: `streamlit run app.py` serves the compare screen and headless Chromium renders the hall names.

The server runs on a tmp store seeded with three halls by the fake-detector auditor (real audits, so the app
never audits the bundled samples) and is stopped whatever happens (the fixture's finalizer).

Chromium is driven over its DevTools protocol (scripts/screenshots.py) and the DOM polled until the script
has run: ``--dump-dom`` with ``--virtual-time-budget`` dumps before Streamlit's websocket answers (virtual
time runs out while the server is still running the script), leaving only the loading skeleton.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.pipeline import Auditor
from scripts import screenshots
from tests.test_app import RANKING_Q4, seed_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(screenshots.CHROMIUM is None, reason="chromium is not installed (make setup installs it)"),
]
HALLS = [hall for hall, _score, _change in RANKING_Q4]


@pytest.fixture()
def app_url(counter_auditor: Auditor, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    seed_store(counter_auditor, url)
    log = tmp_path / "streamlit.log"
    try:
        with screenshots.serve_app(url, log) as served:
            yield served
    except RuntimeError as exc:
        pytest.fail(f"{exc}\n{log.read_text(errors='replace')[-3000:]}")


def test_the_compare_screen_renders_the_halls_in_a_browser(app_url: str, tmp_path: Path) -> None:
    with screenshots.browser(tmp_path / "profile") as tools:
        tools.send("Page.navigate", url=app_url)
        done = tools.wait_until(screenshots.rendered(*HALLS), timeout=90)
        dom = tools.evaluate("document.documentElement.outerHTML")
        text = tools.evaluate("document.body.innerText")
    assert done, f"the halls did not render within 90 s: {text[-1500:]}"
    assert "街道政务服务大厅标准化检查对比" in dom
    for hall in HALLS:
        assert hall in dom
    assert "Traceback" not in text and "Error" not in text, text[-1500:]
    # The top score, in the ranking grid's accessible table.
    assert str(RANKING_Q4[0][1]) in dom
