"""The look of every matplotlib chart: fonts, rcParams, colours, and the PNG/SVG output.

Chinese labels use **Noto Sans SC** (SIL Open Font License 1.1) from the PyPI package
``pylopdf-fonts-zh-cn``, an ordinary dependency of this project. It is registered with
matplotlib when this module is imported, with ``fontManager.addfont``: nothing is installed
in the system and no font cache is written, so no cache can go stale, and Chinese charts
render right after ``pip install``. A CJK font installed in the system is used only when the
package is missing; with neither, :func:`chart_lang` labels the charts in English and
:data:`FONT_NOTE` says so in the report.

Use::

    from reports import chart_style

    with chart_style.apply(lang):          # fonts and rcParams for a chart in ``lang``
        fig, ax = plt.subplots()
        ax.plot(x, y, color=chart_style.PALETTE[0])
        png = chart_style.png_bytes(fig)   # for Word (and a chart too dense for SVG)
        svg = chart_style.svg_text(fig)    # live text, for Markdown and the web page
    plt.close(fig)

    # or a report figure in the kinds its formats need, with the PNG's English fallback:
    fig = chart_style.figure(draw, lang, caption, "crowd", chart_kinds(formats))

* :func:`apply` -- a context manager with the rcParams of a chart in ``lang`` (``"zh"`` or
  ``"en"``): the font family, a plain hyphen for the minus sign, the PNG resolution.
* :func:`font_family` -- the ``font.family`` list for ``lang``: the CJK font first for
  Chinese, DejaVu Sans first for English (the CJK font after it, so a stray Chinese name
  still renders).
* :func:`has_cjk` -- whether a font with Chinese glyphs is available to matplotlib;
  :func:`cjk_font` -- its family name; :data:`BUNDLED_FONT` -- the file of the bundled one.
* :func:`chart_lang` -- the language charts can be labelled in (``"en"`` for ``"zh"`` only
  when no CJK font is available).
* :func:`png_bytes`, :func:`svg_text` -- a figure as PNG, and as SVG whose text stays text;
  :func:`figure` -- a report figure from a drawing function, in the kinds its formats need,
  with the PNG's English fallback.
* Colours: :data:`PALETTE` (series, plans), :data:`STATE_COLOURS` (crowd states),
  :data:`GANTT_COLOURS` and :data:`TASK_COLOUR` (team activities), :data:`RATING_COLOURS`
  (P/S/M/U), :data:`INK`, :data:`MUTED`, :data:`ALERT`.

Any "Glyph ... missing from font(s)" warning that matplotlib might still raise is kept off
stderr (a filter installed at import): a chart never prints to the terminal, which keeps
``--quiet`` quiet.

Text from plan and scenario files (team names, ids, plan labels) is drawn as it is written:
mathtext is off (``text.parse_math``), so ``$...$`` in a team name shows as dollars instead of
being parsed as a formula, and :func:`png_bytes` and :func:`svg_text` pass every text of the
figure through :func:`chart_text` first (control characters and unpaired surrogates, which no
font can draw, become U+FFFD).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from reports.document import Figure  # noqa: E402

__all__ = [
    "ALERT", "BUNDLED_FAMILY", "BUNDLED_FONT", "CJK_FAMILIES", "DPI", "FONT_NOTE",
    "GANTT_COLOURS", "INK", "LATIN", "MUTED", "PALETTE", "RATING_COLOURS", "STATE_COLOURS",
    "TASK_COLOUR", "apply", "chart_lang", "cjk_font", "font_family", "has_cjk", "png_bytes", "rc",
    "figure", "svg_text", "chart_text",
]

LATIN = "DejaVu Sans"
FONT_SIZE = 10
"""Default size of chart text in points; no label is set below 8 points, so a chart shrunk to
the width of an A4 text block (about 0.75 of its size) still prints at 6 points or more."""
"""matplotlib's own font (shipped with it): Latin labels, digits, ° and the like."""

CJK_FAMILIES = ("Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
                "AR PL UMing CN", "Droid Sans Fallback")
"""Fonts with Chinese glyphs, in order of preference: the bundled Noto Sans SC, then system
fonts (only used when the package is missing)."""

FONT_NOTE = {
    "zh": "本机未安装中文字体，PNG格式图表（Word报告及部分统计图）的标注使用英文；SVG格式图表仍为中文。",
    "en": "",
}
"""Said in a report with PNG charts that had to fall back to English labels (the SVG charts
keep the report's language)."""

DPI = 200
"""PNG resolution (dots per inch): print resolution for Word (at least 200 dpi for charts that
are printed, as offices print reports)."""

# --------------------------------------------------------------------------- colours

PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037",
           "#ad1457")
"""Series and plan colours, in order (blue, red, green, orange, purple, teal, brown, pink)."""

INK = "#222222"
"""Reference lines, medians, error bars."""

MUTED = "#757575"
"""What is not significant or not the point."""

ALERT = "#d32f2f"
"""Injects and warnings."""

STATE_COLOURS = {"calm": "#e8f5e9", "vocal": "#fff8e1", "blocking": "#ffe0b2",
                 "scuffle": "#ffcdd2"}
"""Background bands of the crowd state."""

GANTT_COLOURS = {"mobilising": "#90caf9", "travelling": "#42a5f5", "on_site": "#e0e0e0"}
"""A team's phases in the Gantt chart."""

TASK_COLOUR = "#ffb74d"
"""A team's task in the Gantt chart."""

RATING_COLOURS = {"P": "#2e7d32", "S": "#f9a825", "M": "#ef6c00", "U": "#c62828"}
"""The HSEEP ratings."""

# --------------------------------------------------------------------------- fonts

# Keep glyph warnings off stderr whatever happens (a label in a script no font covers).
warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)


def _bundled_font() -> Path | None:
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        return None
    path = Path(sans_path())
    return path if path.is_file() else None


BUNDLED_FONT: Path | None = _bundled_font()
"""Noto Sans SC from the ``pylopdf-fonts-zh-cn`` package, or None when it is not installed."""


def _register() -> str | None:
    """Add the bundled font to matplotlib's font list (once); its family name, or None."""
    if BUNDLED_FONT is None:
        return None
    fm = font_manager.fontManager
    for entry in fm.ttflist:
        if Path(entry.fname) == BUNDLED_FONT:
            return entry.name
    before = len(fm.ttflist)
    try:
        fm.addfont(str(BUNDLED_FONT))
    except (OSError, RuntimeError, ValueError):  # an unreadable or broken file: do without
        return None
    added = fm.ttflist[before:]
    return added[0].name if added else None


BUNDLED_FAMILY: str | None = _register()
"""The family name matplotlib knows the bundled font by ("Noto Sans SC"), or None."""


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs known to matplotlib: the bundled one,
    else the first of :data:`CJK_FAMILIES` installed in the system; None when there is none."""
    if BUNDLED_FAMILY:
        return BUNDLED_FAMILY
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def has_cjk() -> bool:
    """Whether charts can be labelled in Chinese (a font with Chinese glyphs is available)."""
    return cjk_font() is not None


def chart_lang(lang: str) -> str:
    """The language charts can be labelled in: ``lang``, except English for Chinese when no
    CJK font is available."""
    return lang if lang != "zh" or has_cjk() else "en"


def font_family(lang: str) -> list[str]:
    """The ``font.family`` list of a chart in ``lang``. Only families matplotlib knows are
    named (an unknown one would make matplotlib log a warning), then the generic
    ``sans-serif``: an SVG chart read where neither font is installed is drawn in the reader's
    own sans-serif fonts (a Chinese system's have Chinese glyphs)."""
    cjk = cjk_font()
    if cjk is None:
        return [LATIN, "sans-serif"]
    return [cjk, LATIN, "sans-serif"] if lang == "zh" else [LATIN, cjk, "sans-serif"]


def rc(lang: str) -> dict:
    """The rcParams of a chart in ``lang``."""
    return {
        "font.family": font_family(lang),
        # the minus sign U+2212 is in both fonts, but a hyphen keeps tick labels identical
        # whichever font draws them
        "axes.unicode_minus": False,
        "savefig.dpi": DPI,
        "font.size": FONT_SIZE,
        # labels come from plan files: "$...$" is text, never a formula to parse
        "text.parse_math": False,
    }


def apply(lang: str = "zh") -> contextlib.AbstractContextManager:
    """A context manager that sets the chart style for ``lang`` and restores rcParams on
    exit: ``with apply("zh"): ...``."""
    return plt.rc_context(rc(lang))


# --------------------------------------------------------------------------- output


def figure(draw: Callable[[str], Any], lang: str, caption: str, name: str,
           kinds: frozenset[str] = frozenset({"png", "svg"}), dense: bool = False) -> Figure:
    """A chart as a report :class:`~reports.document.Figure` in the ``kinds`` asked for
    (:func:`reports.document.chart_kinds`): SVG with live text (Markdown and the web page),
    PNG (Word). A ``dense`` chart (thousands of marks) is made as PNG where SVG is asked, as a
    page of that many live elements would be heavy.

    ``draw(label_lang)`` makes the figure with labels in ``label_lang``; it is called inside
    :func:`apply`. The PNG is labelled in :func:`chart_lang` ``(lang)``; the SVG always in
    ``lang`` (the reader's fonts draw its text), so ``draw`` runs a second time only when the
    PNG had to fall back to English. The figures are closed."""
    want_svg = "svg" in kinds and not dense
    want_png = "png" in kinds or ("svg" in kinds and dense)
    png_data, svg_data = b"", ""
    if want_png:
        lang_png = chart_lang(lang)
        with apply(lang_png):
            fig = draw(lang_png)
            png_data = png_bytes(fig)
            svg_data = svg_text(fig) if want_svg and lang_png == lang else ""
            plt.close(fig)
    if want_svg and not svg_data:
        with apply(lang):
            fig = draw(lang)
            svg_data = svg_text(fig)
            plt.close(fig)
    return Figure(caption, name, png_data, svg_data)


SVG_SALT = "drill-chart"
"""The salt of the ids in an SVG chart: fixed, so that a seed reproduces its charts byte for
byte (the web page prefixes each chart's ids with a digest of the chart, so they stay
unique in the page)."""

_UNDRAWABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def chart_text(text: str) -> str:
    """``text`` as a chart can draw it: control characters (a line break and a tab kept; a
    carriage return folded into a line break) and unpaired surrogates become U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNDRAWABLE.sub("\ufffd", text)


def _clean(fig) -> None:
    """Every text of ``fig`` made drawable (:func:`chart_text`), and none parsed as
    mathtext: titles, labels, legends, annotations and the fixed tick labels. Once a
    figure: its second format finds it clean."""
    if getattr(fig, "_drawable", False):
        return
    fig._drawable = True
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    for t in fig.findobj(Text):
        text = t.get_text()
        if isinstance(text, str):
            clean = chart_text(text)
            if clean != text:
                t.set_text(clean)
        t.set_parse_math(False)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            fmt = axis.get_major_formatter()
            if isinstance(fmt, FixedFormatter):
                fmt.seq = [chart_text(str(s)) for s in fmt.seq]
            elif isinstance(fmt, FuncFormatter) and not getattr(fmt, "_drawable", False):
                # tick labels given as a list (set_yticklabels): cleaned as they are drawn
                fmt.func = (lambda f: lambda x, pos=None: chart_text(str(f(x, pos))))(fmt.func)
                fmt._drawable = True  # type: ignore[attr-defined]


def fixed_margins(fig, left: float, right: float, bottom: float, top: float) -> None:
    """Lay ``fig``'s axes out with margins in inches, for a chart whose labels are all the
    report's own words and numbers of bounded length: the saved image then needs no tight
    bounding box, which costs about as much as drawing the chart again (``bench/``)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1.0 - right / w, bottom=bottom / h, top=1.0 - top / h)
    fig._fixed_layout = True  # type: ignore[attr-defined]


def _bbox(fig) -> Any:
    """The saved area: the figure as laid out by :func:`fixed_margins`, else tight around
    everything drawn (labels from plan files have any length), worked out once a figure so
    that its PNG and its SVG share it (each tight save would otherwise draw it twice)."""
    if getattr(fig, "_fixed_layout", False):
        return None
    area = getattr(fig, "_saved_area", None)
    if area is None:
        area = fig.get_tightbbox(fig.canvas.get_renderer()).padded(
            matplotlib.rcParams["savefig.pad_inches"])
        fig._saved_area = area
    return area


def png_bytes(fig) -> bytes:
    """The figure as PNG (for Word, and for a chart too dense for SVG)."""
    _clean(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches=_bbox(fig))
    return buf.getvalue()


def svg_text(fig) -> str:
    """The figure as SVG whose text stays text, drawn by the reader's fonts (for Markdown and
    the web page). The same figure gives the same bytes: no date is written, and the ids
    matplotlib derives from a salt (random unless set) come from a fixed one."""
    _clean(fig)
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "text.parse_math": False,
                         "svg.hashsalt": SVG_SALT}):
        fig.savefig(buf, format="svg", bbox_inches=_bbox(fig), metadata={"Date": None})
    return buf.getvalue()
