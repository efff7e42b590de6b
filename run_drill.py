"""Command line of the tabletop drill simulator (群体性上访事件应急预案桌面推演).

Examples:
  python run_drill.py list
  python run_drill.py run gate-blockade
  python run_drill.py run gate-blockade --plan "linxiang[teams.dialogue.size=10]" --seed 7 --lang en
  python run_drill.py run large-sit-in --set publicity.release_policy=proactive --formats md,html,docx
  python run_drill.py validate scenarios/drills/gate-blockade.yaml my-plan.yaml

Exit codes: 0 success; 2 bad input (the message names file, field and line); 1 internal error.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from pathlib import Path

from rich.console import Console

from sim.errors import InputError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as bad input (exit 2) with a hint."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n"
                              f"Try '{self.prog} --help' for examples.\n")


def _formats(text: str) -> list[str]:
    from reports.writer import FORMATS

    items = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}")
    return items


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be 0 or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="drill", description=__doc__.split("\n\n")[0],
                     epilog=__doc__.split("\n\n", 1)[1],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="simulate one drill and write its outputs",
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         epilog="Example: drill run gate-blockade --seed 3 --lang en")
    run.add_argument("scenario", help="scenario file, or a bundled name (see 'list')")
    run.add_argument("--plan", help="plan file or bundled name, optionally PLAN[KEY=VALUE,...]; "
                                    "default: the scenario's own plan")
    run.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                     help="override a plan field by dotted path, e.g. teams.dialogue.size=8 "
                          "(repeatable)")
    run.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    run.add_argument("--out", type=Path, help="output folder (default out/<scenario>-<plan>-seed<N>)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    run.add_argument("--formats", type=_formats, default=["md", "html"],
                     help="report formats, comma-separated from md,html,docx (default md,html)")
    run.add_argument("--quiet", action="store_true", help="print only the output folder")

    val = sub.add_parser("validate", help="check plan and scenario files; list every problem")
    val.add_argument("files", nargs="+", help="plan or scenario files (or bundled names)")

    sub.add_parser("list", help="the bundled plans and scenarios")
    return parser


def _slug(text: str) -> str:
    return re.sub(r"[^\w.=-]+", "_", text).strip("_")


def cmd_run(args, console: Console) -> int:
    from reports.console import print_summary
    from reports.writer import write_run
    from sim.engine import simulate
    from sim.loading import load_drill

    inputs = load_drill(args.scenario, args.plan, args.sets)
    out = args.out or Path("out") / _slug(f"{inputs.scenario.name}-{inputs.plan_label}-seed{args.seed}")
    with console.status("simulating…", spinner="dots") if not args.quiet else _null():
        result = simulate(inputs, args.seed)
    with console.status("writing reports…", spinner="dots") if not args.quiet else _null():
        written = write_run(result, out, args.lang, args.formats)
    if args.quiet:
        print(out)
        return EXIT_OK
    print_summary(result, console, args.lang)
    console.print(f"[bold]{len(written)} files written to[/] {out}/")
    return EXIT_OK


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def cmd_validate(args, console: Console) -> int:
    from sim.loading import validate_file

    bad = 0
    for name in args.files:
        problems = validate_file(name)
        if problems:
            bad += 1
            for p in problems:
                print(p, file=sys.stderr)
        else:
            console.print(f"[green]ok[/] {name}")
    return EXIT_INPUT if bad else EXIT_OK


def cmd_list(args, console: Console) -> int:
    from rich.table import Table

    from sim.loading import bundled
    from sim.yamlio import load_file

    for kind, title in (("plans", "Plans"), ("drills", "Scenarios")):
        table = Table(title=title, show_header=True)
        table.add_column("name")
        table.add_column("title")
        table.add_column("plan" if kind == "drills" else "release policy")
        for path in bundled(kind):
            data = load_file(path).data
            t = data.get("title", {})
            text = f"{t.get('en', '')} / {t.get('zh', '')}" if isinstance(t, dict) else str(t)
            extra = data.get("plan", "") if kind == "drills" else \
                data.get("publicity", {}).get("release_policy", "")
            table.add_row(path.stem, text, extra)
        console.print(table)
    return EXIT_OK


COMMANDS = {"run": cmd_run, "validate": cmd_validate, "list": cmd_list}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console()
    try:
        return COMMANDS[args.command](args, console)
    except InputError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: say so plainly, keep the trace for a bug report
        print(f"internal error: {exc!r}", file=sys.stderr)
        traceback.print_exc()
        return EXIT_INTERNAL




if __name__ == "__main__":
    sys.exit(main())
