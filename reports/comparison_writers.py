"""The files of ``compare`` and ``sweep``: the data tables (CSV) and ``run.json``, then the
report, written by the drill report's writer (:func:`reports.writer.write_document`).

Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.comparison_content import build_compare, build_sweep
from reports.writer import write_document, write_json
from sim.files import atomic_write
from sim.stats import Analysis

if TYPE_CHECKING:
    from sim.replicate import Replications

REPORT_FORMATS = ("md", "html")
"""The formats of the comparison and sweep reports."""


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def failures_frame(reps: Replications) -> pd.DataFrame:
    return pd.DataFrame([{"plan": f.plan, "rep": f.rep, "seed": f.seed, "error": f.error,
                          "traceback": f.traceback} for f in reps.failures],
                        columns=["plan", "rep", "seed", "error", "traceback"])


def write_data(reps: Replications, a: Analysis, out: Path, extra: dict | None = None) -> list[Path]:
    """The data files common to ``compare`` and ``sweep``."""
    out = Path(out)
    files = {
        "replications.csv": _csv(a.replications),
        "summary.csv": _csv(a.summary),
        "differences.csv": _csv(a.differences),
        "probabilities.csv": _csv(a.probabilities),
        "event_differences.csv": _csv(a.event_differences),
        "categories.csv": _csv(a.categories),
        "failures.csv": _csv(failures_frame(reps)),
    }
    written = []
    for name, text in files.items():
        atomic_write(out / name, text)
        written.append(out / name)
    settings = reps.settings()
    settings["rumour_threshold"] = a.rumour_threshold
    settings.update(extra or {})
    atomic_write(out / "run.json",
                 json.dumps(settings, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    written.append(out / "run.json")
    return written


def _write_doc(doc: Document, out: Path, stem: str) -> list[Path]:
    written = []
    for fig in doc.figures():
        atomic_write(out / FIGURE_DIR / fig.name, fig.png)
        written.append(out / FIGURE_DIR / fig.name)
    atomic_write(out / f"{stem}.md", render_md.render(doc))
    atomic_write(out / f"{stem}.html", render_html.render(doc))
    return [*written, out / f"{stem}.md", out / f"{stem}.html"]


def write_compare(reps: Replications, a: Analysis, out: Path, lang: str = "zh") -> list[Path]:
    """Every file of ``compare``: the data, ``comparison.md`` (with ``charts/``) and
    ``comparison.html``."""
    out = Path(out)
    written = write_data(reps, a, out)
    return written + _write_doc(build_compare(reps, a, lang), out, "comparison")


def write_sweep(reps: Replications, a: Analysis, grid: Sequence[tuple[str, list[Any]]],
                cells: Sequence[dict[str, Any]], metric: str, plan: str, out: Path,
                lang: str = "zh") -> list[Path]:
    """Every file of ``sweep``: the data, ``sweep.csv``, ``sweep.md`` (with
    ``charts/heatmap.png``) and ``sweep.html``."""
    out = Path(out)
    written = write_data(reps, a, out, {"grid": {k: list(vs) for k, vs in grid},
                                        "metric": metric, "plan": plan})
    doc, table = build_sweep(reps, a, grid, cells, metric, plan, lang)
    atomic_write(out / "sweep.csv", _csv(table))
    written.append(out / "sweep.csv")
    return written + _write_doc(doc, out, "sweep")
