"""The web report in a real browser: it renders, its charts are there, and no character of
its Chinese text is drawn as an empty box or left blank.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Outside CI the
test is skipped when they are missing; in CI (``CI=true``) a missing browser is a failure.

The page is drawn with the browser's fonts. A reader of a Chinese report has a Chinese font;
the test machine need not: the browser is given the Noto Sans SC that comes with the package
(through a fontconfig file that adds it to the system's fonts), so that the test checks the
page's font stack, not which fonts happen to be installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from reports import chart_style
from reports.writer import write_run
from sim.core.loading import load_drill
from sim.engine import simulate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromium-driver for the web report test",
                    pytrace=False)
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402

# Draws every distinct non-ASCII character of the page with the font the page gives it
# (the body's, or each SVG text's) on a canvas, which uses the same font fallback as the page.
# A character is missing when it leaves no ink (a blank glyph) or draws exactly like a
# private-use code point (the .notdef box).
GLYPH_CHECK = r"""
const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
const ctx = canvas.getContext('2d', {willReadFrequently: true});
const fontOf = (el) => `32px ${getComputedStyle(el).fontFamily}`;
const draw = (ch, font) => {
  ctx.clearRect(0, 0, 64, 64); ctx.font = font; ctx.fillStyle = '#000';
  ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
  const d = ctx.getImageData(0, 0, 64, 64).data; let ink = 0; const sig = [];
  for (let i = 3; i < d.length; i += 4) { const on = d[i] > 127; sig.push(on ? 1 : 0); ink += on; }
  return {ink, sig: sig.join('')};
};
const missing = new Set(); let checked = 0;
const check = (text, font) => {
  const boxes = [draw('\uE000', font).sig, draw('\u{10FFFD}', font).sig];
  for (const ch of new Set(Array.from(text))) {
    if (ch.codePointAt(0) < 0x80 || /\s/.test(ch)) continue;
    checked += 1;
    const r = draw(ch, font);
    if (r.ink === 0 || boxes.includes(r.sig)) missing.add(ch);
  }
};
check(document.body.innerText, fontOf(document.body));
for (const t of document.querySelectorAll('svg text')) check(t.textContent, fontOf(t));
return {missing: [...missing], checked};
"""


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{font_dir}</dir>
  <cachedir>{cache_dir}</cachedir>
</fontconfig>
"""


def browser_env(tmp: Path) -> dict[str, str]:
    """The environment of the browser: the system's fonts and the bundled CJK font."""
    assert chart_style.BUNDLED_FONT is not None, "the CJK font package is a dependency"
    conf = tmp / "fonts.conf"
    conf.write_text(FONTS_CONF.format(font_dir=escape(str(chart_style.BUNDLED_FONT.parent)),
                                      cache_dir=escape(str(tmp / "fontconfig-cache"))),
                    encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1200,2000"):
        opts.add_argument(arg)
    os.environ.setdefault("SE_OFFLINE", "true")
    env = browser_env(tmp_path_factory.mktemp("browser-fonts"))
    driver = webdriver.Chrome(service=Service(DRIVER, env=env), options=opts)
    yield driver
    driver.quit()


@pytest.mark.parametrize("scenario", ["gate-blockade", "large-sit-in"])
def test_chinese_web_report_renders_with_charts_and_no_missing_glyphs(tmp_path, browser, scenario):
    r = simulate(load_drill(scenario), 2)
    write_run(r, tmp_path, "zh", ["html"])
    browser.get((tmp_path / "report.html").as_uri())
    assert "演练" in browser.title
    charts = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure.chart svg'))"
        ".map(s => s.getBoundingClientRect().width * s.getBoundingClientRect().height)")
    assert len(charts) >= 3 and all(area > 20000 for area in charts)
    svg_text = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join('')")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in svg_text), "chart labels carry no Chinese"
    result = browser.execute_script(GLYPH_CHECK)
    assert result["checked"] > 100
    assert result["missing"] == [], f"drawn as boxes or blank: {result['missing']}"
    shot = tmp_path / "page.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20000


def test_glyph_check_catches_a_missing_glyph(tmp_path, browser):
    page = tmp_path / "box.html"
    page.write_text('<html><head><meta charset="utf-8"></head><body><p>演练 \ue123</p></body></html>',
                    encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.execute_script(GLYPH_CHECK)["missing"] == ["\ue123"]


def test_a_comparison_with_long_variant_names_does_not_scroll_sideways(tmp_path, browser):
    from reports.comparison_writers import write_compare
    from sim.montecarlo.replicate import prepare, run_replications
    from sim.montecarlo.stats import analyse

    long = ("linxiang[publicity.release_policy=proactive,teams.dialogue.size=9,"
            "teams.order.posture=forceful,teams.persuasion.size=12]")
    reps = run_replications(prepare("small-group", ["linxiang", long]), 3, 1, jobs=1)
    write_compare(reps, analyse(reps.rows, reps.plans, reps.cleared_targets), tmp_path, "en")
    browser.get((tmp_path / "comparison.html").as_uri())
    wide = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert wide[0] <= wide[1], wide
