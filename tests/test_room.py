"""The drill room in a real browser: ``run_drill.py room`` serves the projector view and the
facilitator console; the console drives a drill (several choices at one decision point, an
ad-hoc inject, a posture change at another point, an observer's note) and the projector view
follows live (clock, inject text, team board); at the end the output folder replays to the
same events.csv with ``run --decisions``.

Needs Debian's ``chromium`` and ``chromium-driver``, as tests/test_report_web.py: skipped
without them outside CI, a failure in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest
import yaml

from tests.conftest import ROOT, call_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromium-driver for the room test", pytrace=False)
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.test_report_web import browser_env  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def room(tmp_path):
    port = _free_port()
    out = tmp_path / "room-out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_drill.py"), "room", "gate-blockade",
                             "--seed", "2", "--port", str(port), "--speed", "0.05",
                             "--formats", "md", "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=5) as client:
        for _ in range(200):
            try:
                client.get(base + "/api/state")
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read())  # type: ignore[union-attr]
                time.sleep(0.1)
    yield base, out, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def browser(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000"):
        opts.add_argument(arg)
    os.environ.setdefault("SE_OFFLINE", "true")
    env = browser_env(tmp_path_factory.mktemp("room-fonts"))
    driver = webdriver.Chrome(service=Service(DRIVER, env=env), options=opts)
    yield driver
    driver.quit()


def _text(browser, css: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, css).text


def test_the_console_drives_a_drill_the_projector_follows_and_the_folder_replays(
        room, browser, tmp_path):
    base, out, proc = room
    wait = WebDriverWait(browser, 60, poll_frequency=0.1)
    browser.get(base + "/")
    projector = browser.current_window_handle
    wait.until(lambda b: _text(b, "#clock").startswith("T+0"))
    assert browser.find_elements(By.CSS_SELECTOR, "button") == []   # read-only
    assert len(browser.find_elements(By.CSS_SELECTOR, "#teams tbody tr")) == 6
    assert "待命" in _text(browser, "#teams")
    browser.switch_to.new_window("window")
    console = browser.current_window_handle
    browser.get(base + "/console")
    wait.until(lambda b: not b.find_element(By.ID, "start").get_attribute("disabled"))

    # start: the clock runs until the first decision point (the level declared)
    browser.find_element(By.ID, "start").click()
    wait.until(lambda b: "决策点" in _text(b, "#point"))
    # two of the trainees' options at one point, with a note
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '#options input[data-key="s"]'))
    browser.find_element(By.CSS_SELECTOR, '#options input[data-key="s"]').click()
    browser.find_element(By.CSS_SELECTOR, '#options input[data-key="l"]').click()
    browser.find_element(By.ID, "note").send_keys("两项同时决定")
    browser.find_element(By.ID, "decide").click()
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#decisions li")) == 2)
    # an observer's note
    browser.find_element(By.ID, "obs-text").send_keys("指挥部反应迅速")
    browser.find_element(By.ID, "obs-author").send_keys("观察员甲")
    browser.find_element(By.ID, "obs-add").click()
    wait.until(lambda b: "指挥部反应迅速" in _text(b, "#notes"))

    # resume to the next decision point, the gate blocked (GB-1)
    first_point = _text(browser, "#point")
    browser.find_element(By.ID, "resume").click()
    wait.until(lambda b: _text(b, "#point") and _text(b, "#point") != first_point)
    wait.until(lambda b: "GB-1" in _text(b, "#point") or "导调注入" in _text(b, "#point")
               or "响应" in _text(b, "#point"))
    # an ad-hoc inject from the facilitator's controls, and a posture change
    browser.find_element(By.CSS_SELECTOR, '#controls button[data-key="+h"]').click()
    wait.until(lambda b: "F1" in _text(b, "#injects"))
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '#options input[data-key="p2"]'))
    browser.find_element(By.CSS_SELECTOR, '#options input[data-key="p2"]').click()
    browser.find_element(By.ID, "decide").click()
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#decisions li")) >= 4)

    # the projector has followed: clock, inject texts, team board
    browser.switch_to.window(projector)
    wait.until(lambda b: _text(b, "#clock") != "T+0分钟（09:00）")
    clock = _text(browser, "#clock")
    assert clock.startswith("T+") and "（09:" in clock
    wait.until(lambda b: "现场有人身体不适" in _text(b, "#injects"))
    teams = _text(browser, "#teams")
    assert "强制" in teams                      # the posture changed on the board
    assert any(w in teams for w in ("已下令出动", "集结", "赶赴现场", "在现场"))
    svg_lines = browser.find_elements(By.CSS_SELECTOR, "#chart polyline")
    assert len(svg_lines) >= 3

    # step through the remaining decision points to the end; the files are written
    browser.switch_to.window(console)
    for _ in range(60):
        if _text(browser, "#out"):
            break
        step = browser.find_element(By.ID, "step")
        if step.is_enabled():
            step.click()
        time.sleep(0.3)
    wait.until(lambda b: _text(b, "#out"))
    browser.switch_to.window(projector)
    wait.until(lambda b: "推演结束" in _text(b, "#status"))
    assert "部分群众冲到门口" in _text(browser, "#injects")   # GB-1's text

    record = yaml.safe_load((out / "decisions.yaml").read_text(encoding="utf-8"))
    actions = [d["action"] for d in record["decisions"]]
    assert {"statement", "send_leader", "add_inject", "posture"} <= set(actions)
    assert record["notes"][0]["text"] == "指挥部反应迅速"
    assert "指挥部反应迅速" in (out / "report.md").read_text(encoding="utf-8")
    assert (out / "replay.html").is_file()
    # set beside the plain run with the same seed, as `run --interactive` is
    assert (out / "plain_metrics.json").is_file()
    assert "按预案运行" in (out / "report.md").read_text(encoding="utf-8")

    again = tmp_path / "replayed"
    res = call_cli("run", "gate-blockade", "--decisions", str(out / "decisions.yaml"),
                   "--formats", "md", "--out", str(again))
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr
    assert (out / "events.csv").read_bytes() == (again / "events.csv").read_bytes()
    assert (out / "timeseries.csv").read_bytes() == (again / "timeseries.csv").read_bytes()
