"""Screenshots of every screen of the app on the sample streets, for the docs (docs/screenshots/*.png).

    .venv/bin/python scripts/screenshots.py [--only compare_zh hall_zh] [--out docs/screenshots]

Starts ``streamlit run app.py`` with an empty real store, so the app shows the sample streets
(data/samples/samples.db, audited first with ``auditor samples`` when empty) marked as demo data, then drives
headless Chromium over its DevTools protocol: opens each screen, waits until it has rendered, and captures
the whole page 1400 px wide. The compare screen is also taken in English (the sidebar's language switch is
clicked), and the exports screen with a PDF built. A PNG over 400 KB is reduced to a 256-colour palette.

``serve_app`` and ``browser`` are also what the app's end-to-end test (tests/test_app_e2e.py) uses.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH = 1400
MAX_HEIGHT = 3200
MAX_BYTES = 400_000
# (file name, url path (the default page, compare, is served at /), language, text shown once it has rendered,
#  and a button to press first with the text it brings)
SCREENS: list[tuple[str, str, str, str | None, tuple[str, str] | None]] = [
    ("compare_zh", "", "zh", "街道 × 规则检查矩阵", None),
    ("compare_en", "", "en", "Street × rule matrix", None),
    ("audit_zh", "audit", "zh", None, None),
    ("audit_review_zh", "audit", "zh", None, ("查看已有检查", "复核")),
    ("hall_zh", "hall", "zh", "历次得分趋势", None),
    ("manual_zh", "manual", "zh", "SIG-01", None),
    ("exports_zh", "exports", "zh", "轮次对比报告", ("生成 PDF", "下载 PDF")),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers 200; RuntimeError when it does not in time or ``process`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@contextmanager
def serve_app(db_url: str, log: Path | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on the store at ``db_url`` (a free port, no file watcher); yields its URL and
    stops the server on leaving, whatever happened."""
    port = free_port()
    env = dict(os.environ, AUDITOR_DB_URL=db_url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--client.toolbarMode", "minimal"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log is not None:
            out.close()
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", process=server)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(server)


class DevTools:
    """Just enough of the Chrome DevTools protocol: send a command and wait for its answer."""

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.next_id = 0

    def send(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str) -> object:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_until(self, expression: str, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.3)
        return False


@contextmanager
def browser(profile: Path) -> Iterator[DevTools]:
    """Headless Chromium with its DevTools port open; yields the protocol client of its page."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed (make setup installs it)")
    profile.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars",
         f"--window-size={WIDTH},1000", "--remote-debugging-port=0", "--remote-allow-origins=*",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        wait_for(f"http://127.0.0.1:{port}/json/version", timeout=30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as reply:
            page = next(p for p in json.load(reply) if p["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024, open_timeout=20) as ws:
            tools = DevTools(ws)
            tools.send("Page.enable")
            tools.send("Runtime.enable")
            yield tools
    finally:
        stop(process)


# Rendered: the script has run (no running indicator, no skeleton) and the text asked for shows.
RENDERED = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')) return false;
  const want = %s;
  return want === null ? document.querySelectorAll('[data-testid="stMainBlockContainer"] *').length > 20
                       : want.every(text => document.body.innerText.includes(text));
})()"""

CONTENT_HEIGHT = """(() => {
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const side = document.querySelector('[data-testid="stSidebarContent"]');
  return Math.max(block ? block.scrollHeight + 80 : 0, side ? side.scrollHeight : 0, 900);
})()"""

CLICK_BUTTON = """(() => {
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim().endsWith(%s));
  if (button) button.click();
  return !!button;
})()"""

CLICK_ENGLISH = """(() => {
  const labels = [...document.querySelectorAll('[data-testid="stSidebar"] label')];
  const english = labels.find(l => l.innerText.trim() === 'English');
  if (english) english.click();
  return !!english;
})()"""


def rendered(*texts: str) -> str:
    """The expression that is true once the page has run its script and shows every one of ``texts``."""
    return RENDERED % (json.dumps(list(texts)) if texts else "null")


def capture(tools: DevTools, url: str, language: str, ready_text: str | None, target: Path,
            click: tuple[str, str] | None = None) -> None:
    tools.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=1000, deviceScaleFactor=1, mobile=False)
    tools.send("Page.navigate", url=url)
    time.sleep(1.0)
    first = () if language != "zh" or ready_text is None else (ready_text,)
    if not tools.wait_until(rendered(*first)):
        print(f"screenshots: {url} did not finish rendering; taking it as it is", file=sys.stderr)
    if click is not None:  # press a button (building an export), then wait for what it brings
        tools.evaluate(CLICK_BUTTON % json.dumps(click[0]))
        time.sleep(0.8)
        tools.wait_until(rendered(click[1]))
    if language == "en":
        if not tools.evaluate(CLICK_ENGLISH):
            raise RuntimeError("no English switch in the sidebar")
        time.sleep(0.8)
        tools.wait_until(rendered(*((ready_text,) if ready_text else ())))
    time.sleep(2.5)  # charts (Vega) draw after the elements arrive
    height = min(int(tools.evaluate(CONTENT_HEIGHT) or 1000), MAX_HEIGHT)
    tools.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1, mobile=False)
    time.sleep(1.5)
    data = base64.b64decode(tools.send("Page.captureScreenshot", format="png")["data"])
    if len(data) > MAX_BYTES:
        image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        data = buffer.getvalue()
    target.write_bytes(data)
    shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
    print(f"screenshots: {shown} ({WIDTH}x{height}, {len(data) // 1024} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", help="file names to take (e.g. compare_zh hall_zh)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if CHROMIUM is None:
        raise SystemExit("screenshots: chromium is not installed (make setup installs it)")

    sys.path.insert(0, str(ROOT))
    from auditor.store import SAMPLES_DB, AuditStore

    if not AuditStore(SAMPLES_DB).latest_per_hall():
        print("screenshots: the sample store is empty; auditing the samples first (auditor samples)")
        subprocess.run([str(Path(sys.executable).parent / "auditor"), "samples"], check=True, cwd=ROOT)

    with tempfile.TemporaryDirectory(prefix="screenshots-", ignore_cleanup_errors=True) as tmp:
        tmp_path = Path(tmp)
        with serve_app(f"sqlite:///{tmp_path / 'no-real-audits.db'}") as url, browser(tmp_path / "profile") as tools:
            for name, path, language, ready, click in SCREENS:
                if not args.only or name in args.only:
                    capture(tools, url + path, language, ready, args.out / f"{name}.png", click)


if __name__ == "__main__":
    main()
