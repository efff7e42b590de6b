"""Measure every row of the calibration table and print it beside its target.

    python bench/validate.py                 # every row, its own number of replications
    python bench/validate.py --reps 60       # fewer replications (a quicker, rougher look)
    python bench/validate.py --only gate     # rows whose id contains "gate"
    python bench/validate.py --markdown      # the table as Markdown (for the README)

Exit code 0 when every row meets its target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from sim.montecarlo.calibration import Measured, load_rows, measure  # noqa: E402
from sim.montecarlo.replicate import default_jobs  # noqa: E402


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞"
    return f"{x:.3f}"


def _interval(m: Measured) -> str:
    if math.isnan(m.low):
        return "—"
    return f"[{_fmt(m.low)}, {_fmt(m.high)}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=None, help="replications per arm (default: each row's own)")
    ap.add_argument("--jobs", type=int, default=default_jobs(), help="processes (default: every core)")
    ap.add_argument("--only", default="", help="run only rows whose id contains this text")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args(argv)
    rows = [r for r in load_rows() if args.only in r.id]
    results: list[Measured] = []
    t0 = time.perf_counter()
    console = Console(stderr=True)
    for row in rows:
        console.print(f"[dim]{row.id} ...[/dim]")
        results.append(measure(row, args.reps, jobs=args.jobs))
    elapsed = time.perf_counter() - t0
    if args.markdown:
        print("| row | measured | 95% interval | arms | target | n | met |")
        print("|---|---|---|---|---|---|---|")
        for m in results:
            arms = " → ".join(_fmt(a) for a in m.arms) if len(m.arms) > 1 else ""
            print(f"| {m.row.what.en} | {_fmt(m.value)} | {_interval(m)} | {arms} | "
                  f"{m.row.target.text()} | {m.n or '—'} | {'yes' if m.met else '**no**'} |")
    else:
        table = Table(title="Calibration table")
        for col in ("row", "measured", "95% interval", "arms", "target", "n", "met"):
            table.add_column(col)
        for m in results:
            arms = " → ".join(_fmt(a) for a in m.arms) if len(m.arms) > 1 else ""
            table.add_row(m.row.id, _fmt(m.value), _interval(m), arms, m.row.target.text(),
                          str(m.n or "—"), "[green]yes[/green]" if m.met else "[red]NO[/red]")
        Console().print(table)
    met = sum(m.met for m in results)
    print(f"\n{met} of {len(results)} rows within target ({elapsed:.0f} s, {args.jobs} processes)")
    return 0 if met == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
