"""Charts of a run (matplotlib, no display needed).

Chinese labels need a CJK font. :func:`cjk_font` looks for one among the installed fonts;
when none is found the charts fall back to English labels (never boxes) and
:data:`FONT_NOTE` says so in the report.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from reports.document import Figure  # noqa: E402
from reports.i18n import phrase  # noqa: E402
from sim.result import DrillResult  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
                "AR PL UMing CN", "Droid Sans Fallback")
STATE_COLOURS = {"calm": "#e8f5e9", "vocal": "#fff8e1", "blocking": "#ffe0b2", "scuffle": "#ffcdd2"}
FONT_NOTE = {
    "zh": "本机未安装中文字体，图表标注使用英文。",
    "en": "",
}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return None


def chart_lang(lang: str) -> str:
    """The language charts can be labelled in: Chinese needs a CJK font."""
    return lang if lang != "zh" or cjk_font() else "en"


def _figure(lang: str):
    family = cjk_font() if lang == "zh" else None
    rc = {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
          "axes.unicode_minus": False}
    return plt.rc_context(rc)


def _save(fig, caption: str, name: str) -> Figure:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    svg = io.StringIO()
    fig.savefig(svg, format="svg", bbox_inches="tight")
    plt.close(fig)
    return Figure(caption, name, buf.getvalue(), svg.getvalue())


def crowd_chart(r: DrillResult, lang: str) -> Figure:
    """Petitioners and onlookers on site with mean agitation; crowd state as bands."""
    lang_c = chart_lang(lang)
    ts = r.timeseries
    with _figure(lang_c):
        fig, ax = plt.subplots(figsize=(8, 3.6))
        t = ts["t_min"].to_numpy()
        states = ts["crowd_state"].to_numpy()
        start = 0
        for i in range(1, len(t) + 1):
            if i == len(t) or states[i] != states[start]:
                end = t[i] if i < len(t) else t[-1]
                ax.axvspan(t[start], end, color=STATE_COLOURS.get(states[start], "#eee"), lw=0)
                start = i
        ax.plot(t, ts["crowd_present"], color="#1565c0", label=phrase("crowd_present", lang_c))
        ax.plot(t, ts["onlookers"], color="#6d4c41", ls="--", label=phrase("onlookers", lang_c))
        ax.set_xlabel(phrase("minutes_axis", lang_c))
        ax.set_ylabel(phrase("people", lang_c))
        ax2 = ax.twinx()
        ax2.plot(t, ts["mean_agitation"], color="#c62828", label=phrase("mean_agitation", lang_c))
        ax2.set_ylim(0, 1)
        ax2.set_ylabel(phrase("mean_agitation", lang_c))
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper right", fontsize=8)
        ax.set_title(phrase("chart_crowd", lang_c))
        return _save(fig, phrase("chart_crowd", lang), "crowd.png")


def rumour_chart(r: DrillResult, lang: str) -> Figure:
    """Rumour reach against statement reach online, with the statement time marked."""
    lang_c = chart_lang(lang)
    ts = r.timeseries
    with _figure(lang_c):
        fig, ax = plt.subplots(figsize=(8, 3.0))
        ax.plot(ts["t_min"], ts["rumor_reach"], color="#6a1b9a", label=phrase("rumor_reach", lang_c))
        ax.plot(ts["t_min"], ts["statement_reach"], color="#2e7d32",
                label=phrase("statement_reach", lang_c))
        st = r.metrics.get("first_statement_min")
        if st is not None:
            ax.axvline(st, color="#2e7d32", ls=":")
        ax.set_ylim(0, 1)
        ax.set_xlabel(phrase("minutes_axis", lang_c))
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title(phrase("chart_rumour", lang_c))
        return _save(fig, phrase("chart_rumour", lang), "rumour.png")
