"""Chinese charts from pip alone: the CJK font that comes with the package draws every label,
no "Glyph ... missing" warning is raised or reaches stderr, and nothing in a font cache is
left to go stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from reports import chart_style
from tests.conftest import ROOT

# Runs a Chinese drill and writes its report with charts, in a matplotlib that sees no font but
# its own (DejaVu) and the one chart_style registers: a machine with no system CJK font.
# Prints what it found as JSON on stdout; whatever the code writes to stderr is the test's.
NO_SYSTEM_FONTS = r"""
import json, sys, warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager as fm

own = Path(matplotlib.get_data_path()).resolve()
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist
                          if Path(f.fname).resolve().is_relative_to(own)]
fm.fontManager._findfont_cached.cache_clear()
system_cjk = [f.name for f in fm.fontManager.ttflist if "CJK" in f.name or "Hei" in f.name]

from reports import chart_style
from reports.writer import write_run
from sim.engine import simulate
from sim.core.loading import load_drill

out = Path(sys.argv[1])
result = simulate(load_drill("gate-blockade"), 2)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")  # see the glyph warnings the module would filter out
    write_run(result, out, "zh", ["md", "html", "docx"])  # Word's PNGs are drawn by matplotlib
glyph_warnings = [str(w.message) for w in caught if "Glyph" in str(w.message)]
write_run(result, out / "again", "zh", ["md"])  # the way the command line runs: filters on

prop = fm.FontProperties(family=chart_style.font_family("zh"))
print(json.dumps({
    "system_cjk": system_cjk,
    "family": chart_style.font_family("zh"),
    "chart_lang": chart_style.chart_lang("zh"),
    "resolved": fm.findfont(prop, fallback_to_default=False),
    "chain": [str(p) for p in fm.fontManager._find_fonts_by_props(prop)],
    "bundled": str(chart_style.BUNDLED_FONT),
    "glyph_warnings": glyph_warnings,
}))
"""


def chart_texts(svg: str) -> str:
    """The text of every label of an SVG chart written with live text."""
    import re

    return "".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


@pytest.fixture(scope="module")
def no_system_font_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fonts")
    empty = tmp / "fonts.conf"  # fontconfig that knows no font at all
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    env = {**os.environ, "MPLCONFIGDIR": str(tmp / "mplconfig"), "FONTCONFIG_FILE": str(empty),
           "PYTHONPATH": str(ROOT)}
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-c", NO_SYSTEM_FONTS, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr, out, tmp / "mplconfig"


def test_bundled_font_is_installed_with_the_package():
    assert chart_style.BUNDLED_FONT is not None, "pylopdf-fonts-zh-cn is a dependency"
    assert chart_style.BUNDLED_FONT.is_file()
    assert chart_style.BUNDLED_FAMILY == "Noto Sans SC"
    assert chart_style.has_cjk() and chart_style.chart_lang("zh") == "zh"
    assert chart_style.font_family("zh")[0] == chart_style.BUNDLED_FAMILY
    assert chart_style.font_family("en")[0] == chart_style.LATIN


def test_chinese_charts_render_with_the_bundled_font_and_a_clean_stderr(no_system_font_run):
    found, stderr, out, _ = no_system_font_run
    assert found["system_cjk"] == []  # the run saw no system CJK font
    assert "Glyph" not in stderr and "findfont" not in stderr, stderr
    assert found["glyph_warnings"] == []  # none raised at all, not merely filtered
    assert found["chart_lang"] == "zh"
    bundled = Path(found["bundled"])
    assert Path(found["resolved"]) == bundled
    assert Path(found["chain"][0]) == bundled  # first in the fallback chain of every label
    for name in ("gantt", "crowd", "rumour", "response"):
        assert (out / "charts" / f"{name}.svg").stat().st_size > 5000, name
    assert (out / "report.docx").stat().st_size > 4 * 5000  # with the four PNG charts
    # every character of the labels is one the bundled font draws
    html = (out / "report.html").read_text(encoding="utf-8")
    labels = chart_texts(html)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in labels), "the charts carry no Chinese"
    font = FT2Font(str(bundled))
    missing = sorted({ch for ch in labels if not ch.isspace() and font.get_char_index(ord(ch)) == 0})
    assert missing == []


def test_registering_the_font_leaves_no_cache_to_go_stale(no_system_font_run):
    _, _, _, mplconfig = no_system_font_run
    caches = list(mplconfig.glob("fontlist-*.json"))
    assert caches, "matplotlib wrote its font cache"
    for cache in caches:
        assert "NotoSansSC" not in cache.read_text(encoding="utf-8")


def draws_ink(path: Path, ch: str) -> bool:
    font = FT2Font(str(path))
    font.set_size(32, 72)
    font.set_text(ch, 0.0)
    font.draw_glyphs_to_bitmap()
    return bool(font.get_image().any())


@pytest.mark.parametrize("ch", ["℃", "°", "演", "练", "Ⅲ", "−"])
def test_the_bundled_font_draws_the_degree_sign_and_chinese(ch):
    """WenQuanYi's ℃ was an empty glyph: the bundled font's is drawn."""
    path = chart_style.BUNDLED_FONT
    assert path is not None
    assert FT2Font(str(path)).get_char_index(ord(ch)) != 0
    assert draws_ink(path, ch)


def test_the_glyph_checks_can_fail():
    """A character the font lacks has no glyph index; a blank glyph leaves no ink."""
    path = chart_style.BUNDLED_FONT
    assert path is not None
    assert FT2Font(str(path)).get_char_index(0xE123) == 0
    assert not draws_ink(path, " ")


def test_without_any_cjk_font_charts_fall_back_to_english(monkeypatch):
    monkeypatch.setattr(chart_style, "cjk_font", lambda: None)
    assert not chart_style.has_cjk()
    assert chart_style.chart_lang("zh") == "en" and chart_style.chart_lang("en") == "en"
    assert chart_style.font_family("zh") == [chart_style.LATIN, "sans-serif"]
    assert chart_style.FONT_NOTE["zh"]


def test_every_family_named_is_known_to_matplotlib():
    """An unknown family makes matplotlib log "findfont: ... not found" to stderr; the
    generic "sans-serif" closes the list (the reader's own fonts, for an SVG chart)."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for lang in ("zh", "en"):
        family = chart_style.font_family(lang)
        assert family[-1] == "sans-serif" and set(family[:-1]) <= known


def test_apply_sets_and_restores_the_style():
    import matplotlib

    before = list(matplotlib.rcParams["font.family"])
    with chart_style.apply("zh"):
        assert matplotlib.rcParams["font.family"] == chart_style.font_family("zh")
        assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert list(matplotlib.rcParams["font.family"]) == before


def test_charts_use_the_one_style_module():
    """Font handling lives in chart_style only: no other chart module looks for fonts."""
    for path in (ROOT / "reports").glob("*.py"):
        if path.name == "chart_style.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("font_manager", "CJK_FAMILIES", "font.family", "addfont"):
            assert needle not in text, f"{path.name} handles fonts itself ({needle})"


def test_figure_gives_the_kinds_asked_and_closes_the_figures():
    import matplotlib.pyplot as plt

    seen = []

    def draw(label_lang):
        seen.append(label_lang)
        fig, ax = plt.subplots()
        ax.set_title("演练" if label_lang == "zh" else "Drill")
        return fig

    before = plt.get_fignums()
    both = chart_style.figure(draw, "zh", "caption", "c")
    assert both.png.startswith(b"\x89PNG") and "演练" in both.svg
    assert both.file == "c.svg" and both.data == both.svg
    assert seen == ["zh"] and plt.get_fignums() == before
    web = chart_style.figure(draw, "zh", "caption", "c", frozenset({"svg"}))
    assert web.png == b"" and "演练" in web.svg
    dense = chart_style.figure(draw, "zh", "caption", "c", frozenset({"svg"}), dense=True)
    assert dense.svg == "" and dense.png.startswith(b"\x89PNG") and dense.file == "c.png"
    word = chart_style.figure(draw, "zh", "caption", "c", frozenset({"png"}))
    assert word.svg == "" and word.png.startswith(b"\x89PNG")
    assert plt.get_fignums() == before
