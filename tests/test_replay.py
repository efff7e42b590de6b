"""The animated replay: ``replay.html`` is written beside every run's report (and linked from
it) and by ``run_drill.py replay OUT``; it is one file that needs no network, and its time
slider moves the clock, the crowd and its state, the teams and the injects shown.

The browser part needs Debian's ``chromium`` and ``chromium-driver``, as
tests/test_report_web.py: skipped without them outside CI, a failure in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, call_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("replay") / "run"
    res = call_cli("run", "gate-blockade", "--seed", "2", "--formats", "md,html",
                   "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out


def test_every_run_writes_a_self_contained_replay_linked_from_its_report(run_folder):
    page = (run_folder / "replay.html").read_text(encoding="utf-8")
    # nothing is fetched: no external script, style, font or image
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    assert "部分群众冲到门口" in page          # GB-1's text, for the inject feed
    html = (run_folder / "report.html").read_text(encoding="utf-8")
    assert '<a href="replay.html">' in html
    assert "(<replay.html>)" in (run_folder / "report.md").read_text(encoding="utf-8")


def test_the_replay_command_rewrites_it_from_the_folder_in_another_language(run_folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    (copy / "replay.html").unlink()
    res = call_cli("replay", str(copy), "--lang", "en")
    assert "has changed" not in res.stderr and "cannot be read" not in res.stderr, res.stderr
    assert res.returncode == 0, res.stderr
    page = (copy / "replay.html").read_text(encoding="utf-8")
    assert "Part of the crowd moves to block the gate" in page
    missing = call_cli("replay", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "events.csv" in missing.stderr


@pytest.mark.skipif(not (CHROMIUM and DRIVER) and not os.environ.get("CI"),
                    reason="chromium and chromedriver are not installed")
def test_the_slider_moves_the_displayed_time_and_state_offline(run_folder, tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from tests.test_report_web import browser_env

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--window-size=1300,1000",
                # offline: every address but the file itself fails
                "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"):
        opts.add_argument(arg)
    os.environ.setdefault("SE_OFFLINE", "true")
    driver = webdriver.Chrome(service=Service(DRIVER, env=browser_env(
        tmp_path_factory.mktemp("replay-fonts"))), options=opts)
    try:
        driver.get((run_folder / "replay.html").as_uri())
        text = lambda css: driver.find_element(By.CSS_SELECTOR, css).text  # noqa: E731
        assert text("#clock") == "T+0 (09:00)"
        ts = pd.read_csv(run_folder / "timeseries.csv")
        start = (text("#crowd"), text("#state"), text("#teams"), text("#injects"))
        assert start[3] == ""                         # no inject has fired at T+0
        i = int(ts.index[ts["t_min"] == 45][0])
        driver.execute_script("const s = document.getElementById('slider'); s.value = arguments[0];"
                              "s.dispatchEvent(new Event('input'));", i)
        assert text("#clock") == "T+45 (09:45)"
        assert text("#crowd") == str(int(ts.loc[i, "crowd_present"]))
        states = {"calm": "平稳", "vocal": "吵闹", "blocking": "围堵", "scuffle": "推搡冲突"}
        assert text("#state") == states[ts.loc[i, "crowd_state"]]
        assert "部分群众冲到门口" in text("#injects")   # GB-1 fired at T+15
        assert text("#teams") != start[2]             # teams ordered out and on site
        assert "在现场" in text("#teams")
        cursor = driver.find_element(By.CSS_SELECTOR, "#cursor").get_attribute("x1")
        assert float(cursor) > 56
        # play moves the time on by itself
        driver.find_element(By.ID, "play").click()
        time.sleep(1.2)
        assert float(driver.execute_script("return document.body.dataset.t")) > 45
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.quit()


def test_the_replay_command_keeps_the_clock_of_a_start_clock_run(tmp_path):
    out = tmp_path / "night"
    res = call_cli("run", "small-group", "--start-clock", "21:30", "--formats", "md",
                   "--quiet", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert '"clocks": ["21:30"' in (out / "replay.html").read_text(encoding="utf-8")
    assert call_cli("replay", str(out)).returncode == 0
    assert '"clocks": ["21:30"' in (out / "replay.html").read_text(encoding="utf-8")


def test_a_csv_without_its_columns_is_named_as_such(run_folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    (copy / "events.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    res = call_cli("replay", str(copy))
    assert res.returncode == 2 and "a column is missing" in res.stderr


def _own_files(folder: Path) -> tuple[Path, Path]:
    """A user's own scenario and plan that reuse the bundled names (small-group, linxiang)
    with another clock and another name for the command team."""
    folder.mkdir()
    plan = (ROOT / "scenarios" / "plans" / "linxiang.yaml").read_text(encoding="utf-8")
    plan = plan.replace("en: HQ office (city petition bureau)", "en: County duty office")
    assert "County duty office" in plan
    drill = (ROOT / "scenarios" / "drills" / "small-group.yaml").read_text(encoding="utf-8")
    drill = drill.replace("plan: linxiang", "plan: plan.yaml")
    drill = drill.replace("\nplan: plan.yaml", '\nstart_clock: "08:30"\nplan: plan.yaml', 1)
    (folder / "plan.yaml").write_text(plan, encoding="utf-8")
    (folder / "drill.yaml").write_text(drill, encoding="utf-8")
    return folder / "drill.yaml", folder / "plan.yaml"


def test_the_replay_command_reads_the_runs_own_files_not_bundled_ones_of_the_same_name(tmp_path):
    drill, plan = _own_files(tmp_path / "mine")
    out = tmp_path / "out"
    res = call_cli("run", str(drill), "--plan", str(plan), "--seed", "3", "--lang", "en",
                   "--formats", "md", "--quiet", "--out", str(out))
    assert res.returncode == 0, res.stderr
    written = (out / "replay.html").read_bytes()
    assert b"County duty office" in written and b'"clocks": ["08:30"' in written
    again = call_cli("replay", str(out), "--lang", "en")
    assert again.returncode == 0 and not again.stderr, again.stderr
    assert (out / "replay.html").read_bytes() == written
    # the files gone: ids instead of names, and still the run's own clock, with a note
    shutil.rmtree(tmp_path / "mine")
    gone = call_cli("replay", str(out), "--lang", "en")
    assert gone.returncode == 0 and "cannot be read" in gone.stderr
    page = (out / "replay.html").read_text(encoding="utf-8")
    assert '"clocks": ["08:30"' in page and "County duty office" not in page
    assert "HQ office" not in page   # never the bundled plan's names


def test_a_damaged_csv_is_named_and_a_cut_record_is_warned_of(run_folder, tmp_path):
    garbled = tmp_path / "garbled"
    shutil.copytree(run_folder, garbled)
    (garbled / "timeseries.csv").write_bytes(b"t_min,crowd\xff\xfe\n1,2\n")
    res = call_cli("replay", str(garbled))
    assert res.returncode == 2 and "timeseries.csv:" in res.stderr
    cut = tmp_path / "cut"
    shutil.copytree(run_folder, cut)
    text = (cut / "events.csv").read_bytes()
    (cut / "events.csv").write_bytes(text[:len(text) // 2].rsplit(b",", 1)[0])
    res = call_cli("replay", str(cut), "--lang", "en")
    assert "events.csv ends in the middle of a line" in res.stderr
    res = call_cli("replay", str(cut))   # in the run's language, as the page is
    assert "警告：" in res.stderr and "events.csv 的最后一行不完整" in res.stderr
