"""Command line of the tabletop drill simulator (群体性上访事件应急预案桌面推演).

Examples:
  python run_drill.py list
  python run_drill.py run gate-blockade
  python run_drill.py run gate-blockade --plan "linxiang[teams.dialogue.size=10]" --seed 7 --lang en
  python run_drill.py run large-sit-in --set publicity.release_policy=proactive --formats md,html,docx
  python run_drill.py validate scenarios/drills/gate-blockade.yaml my-plan.yaml
  python run_drill.py compare gate-blockade --plans linxiang "linxiang[publicity.release_policy=proactive]" --reps 200
  python run_drill.py sweep small-group --plan linxiang --grid teams.dialogue.size=4,6,8 --reps 50

Exit codes: 0 success; 2 bad input (the message names file, field and line); 1 internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import re
import secrets
import sys
import traceback
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from sim.core.errors import InputError, Problem

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
MAX_REPS = 1_000_000
"""Most replications (as :data:`sim.montecarlo.replicate.MAX_REPS`)."""
BATCH_SIZE = 32
"""Replications stepped together by default (as :data:`sim.engine.batch.BATCH_SIZE`)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as bad input (exit 2) with a hint."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n"
                              f"Try '{self.prog} --help' for examples.\n")


def _formats(text: str) -> list[str]:
    from reports.document import FORMATS

    items = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}")
    return items


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected minutes, got {text[:40]!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"minutes must be at least 1 and at most 10000, "
                                         f"got {text[:40]}")
    return value


MAX_SEED = 2**63 - 1
SEED_STRIDE = 1_000_003
"""Replication k of base seed s runs with seed s * SEED_STRIDE + k (as
:data:`sim.montecarlo.replicate.SEED_STRIDE`)."""
MAX_BASE_SEED = (MAX_SEED - (SEED_STRIDE - 1)) // SEED_STRIDE
"""The largest base seed of compare, sweep and sensitivity: every replication's seed is then
a seed ``run`` takes, so that any replication can be replayed alone."""


def _integer(text: str, digits: int) -> int | None:
    """``text`` as a whole number written with plain digits (an optional sign, no ``_``, no
    other scripts' digits, at most ``digits`` of them); None for anything else."""
    m = re.fullmatch(rf"\s*([+-]?[0-9]{{1,{digits}}})\s*", text)
    return int(m.group(1)) if m else None


def _whole(text: str, what: str, high: int) -> int:
    value = _integer(text, 40)
    if value is None:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, got {text[:40]!r}")
    if not 0 <= value <= high:
        raise argparse.ArgumentTypeError(f"{what} must be 0 to {high}, got {value}")
    return value


def _seed(text: str) -> int:
    return _whole(text, "seed", MAX_SEED)


def _base_seed(text: str) -> int:
    return _whole(text, "base seed", MAX_BASE_SEED)


def _count(name: str, low: int = 1, high: int = 10**9):
    def parse(text: str) -> int:
        value = _integer(text, 20)
        if value is None:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text[:40]!r}")
        if value < low:
            raise argparse.ArgumentTypeError(f"{name} must be {low} or more, got {value}")
        if value > high:
            raise argparse.ArgumentTypeError(f"{name} must be at most {high}, got {value}")
        return value
    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text[:40]!r}") from None
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"seconds must be 0 to 60, got {text[:40]}")
    return value


def _clock(text: str) -> str:
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", text):
        raise argparse.ArgumentTypeError(f"expected a time of day HH:MM (00:00 to 23:59), "
                                         f"got {text[:40]!r}")
    return text


MAX_TEXT = 200
"""Longest --org or --date, in characters."""


def _text(name: str):
    def parse(text: str) -> str:
        if len(text) > MAX_TEXT:
            raise argparse.ArgumentTypeError(f"{name} is at most {MAX_TEXT} characters, "
                                             f"got {len(text)}")
        if any(not c.isprintable() for c in text):
            raise argparse.ArgumentTypeError(f"{name} may not hold control characters")
        return text.strip()
    return parse


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {value}")
    return value


def _runner_options(p: argparse.ArgumentParser) -> None:
    """Where replications run: shared by compare, sweep and sensitivity."""
    p.add_argument("--jobs", type=_count("--jobs"), default=None,
                   help="worker processes (default: every core; 1 runs in this process)")
    p.add_argument("--backend", choices=("local", "dask"), default="local",
                   help="local process pool (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786); default: a LocalCluster of "
                        "--jobs workers on 127.0.0.1")


def _replication_options(p: argparse.ArgumentParser) -> None:
    """Options shared by compare and sweep."""
    p.add_argument("--reps", type=_count("--reps", 1, MAX_REPS), default=100,
                   help="replications of each plan (default 100)")
    p.add_argument("--seed", type=_base_seed, default=1,
                   help=f"base seed, 0 to {MAX_BASE_SEED} (default 1); replication k runs "
                        f"with seed SEED*{SEED_STRIDE}+k under every plan")
    _runner_options(p)
    p.add_argument("--batch", type=_count("--batch"), default=BATCH_SIZE, metavar="N",
                   help=f"replications of a plan whose crowds are stepped together in one "
                        f"process (default {BATCH_SIZE}; 1: one drill at a time); the results "
                        "are the same, only the time differs")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a field of every plan by dotted path (repeatable)")
    p.add_argument("--rumour-threshold", type=_share, default=0.5,
                   help="rumour reach counted as 'above the threshold' (default 0.5)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    p.add_argument("--quiet", action="store_true", help="no progress bar; print only the output folder")


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
    run.add_argument("--seed", type=_seed, default=None,
                     help="random seed (default 1, or the seed recorded in --decisions)")
    run.add_argument("--out", type=Path,
                     help="output folder (default out/<scenario>-<plan with overrides>"
                          "[-interactive|-replay-<hash>]-seed<N>)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    run.add_argument("--formats", type=_formats, default=["md", "html"],
                     help="report formats, comma-separated from md,html,docx (default md,html)")
    run.add_argument("--quiet", action="store_true", help="print only the output folder")
    run.add_argument("--interactive", action="store_true",
                     help="facilitated drill: pause at decision points (decision injects, level "
                          "changes, --pause-every) for the trainees' choices; writes decisions.yaml")
    run.add_argument("--pause-every", type=_minutes, metavar="MIN",
                     help="with --interactive, also pause every MIN simulated minutes")
    run.add_argument("--decisions", type=Path, metavar="FILE",
                     help="replay the choices recorded in a decisions.yaml (same seed: same run)")
    run.add_argument("--start-clock", type=_clock, metavar="HH:MM",
                     help="time of day at T0: the report's clock times count from it, and it "
                          "decides which minutes are dark, so it changes the drill too "
                          "(default: the scenario's start_clock, else 09:00)")
    run.add_argument("--org", type=_text("--org"), metavar="NAME",
                     help="organising unit on the report's title block (default: [单位名称])")
    run.add_argument("--date", type=_text("--date"), metavar="DATE",
                     help="the drill's date on the report (default: [具体日期])")

    cmp = sub.add_parser(
        "compare", help="Monte Carlo comparison of plan variants on one scenario",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  drill compare gate-blockade --plans linxiang "
               "\"linxiang[publicity.release_policy=proactive]\" --reps 200\n"
               "  drill compare large-sit-in --plans linxiang \"linxiang[teams.dialogue.size=8]\" "
               "--set teams.order.posture=forceful --jobs 2\n"
               "  drill compare gate-blockade --plans linxiang enterprise --backend dask\n"
               "Writes replications.csv, summary.csv, differences.csv, probabilities.csv,\n"
               "event_differences.csv, categories.csv, failures.csv, run.json, comparison.md, "
               "comparison.html\nand charts/ into OUT. Exit 1 when a replication failed.\n"
               "The keys a variant may change are the plan file's fields as dotted paths "
               "(docs/interface.md);\na wrong key is refused with the fields there.")
    cmp.add_argument("scenario", help="scenario file, or a bundled name (see 'list')")
    cmp.add_argument("--plans", nargs="+", required=True, metavar="PLAN",
                     help="plans to compare, the first is the baseline (one plan alone gives "
                          "its spread over the replications, and no comparison); each a file, a "
                          "bundled name, or PLAN[KEY=VALUE,...]")
    _replication_options(cmp)
    cmp.add_argument("--out", type=Path,
                     help="output folder (default out/compare-<scenario>-<plan>-vs-<plan>..."
                          "[-set-...]-reps<N>-seed<N>, shortened with a hash when long)")

    sw = sub.add_parser(
        "sweep", help="run a plan over a grid of field values; heat map of one metric",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  drill sweep small-group --plan linxiang --grid teams.dialogue.size=4,6,8 "
               "--reps 50\n"
               "  drill sweep gate-blockade --grid teams.dialogue.size=4,8 "
               "--grid publicity.release_policy=silent,reactive,proactive --metric cleared_min\n"
               "  drill sweep gate-blockade --grid teams.order.posture=restrained,forceful "
               "--metric any_scuffle\n"
               "--metric is a numeric metric of metrics.json, team_on_site_min.<team>, or an "
               "event:\nany_scuffle, any_injury, agreement_reached, cleared_within_target, "
               "rumour_above_threshold,\nresolved, escalated. Writes sweep.csv, sweep.md, "
               "sweep.html (charts/heatmap.svg),\nreplications.csv, summary.csv, "
               "probabilities.csv, categories.csv, failures.csv, run.json,\nand each cell "
               "against the first (paired) in differences.csv and event_differences.csv, into "
               "OUT.")
    sw.add_argument("scenario", help="scenario file, or a bundled name (see 'list')")
    sw.add_argument("--plan", help="plan file or bundled name, optionally PLAN[KEY=VALUE,...]; "
                                   "default: the scenario's own plan")
    sw.add_argument("--grid", action="append", required=True, metavar="KEY=V1,V2,...",
                    help="a plan field and the values to try (repeatable: the grid is every "
                         "combination)")
    sw.add_argument("--metric", default="agreement_min",
                    help="the metric of the heat map (default agreement_min)")
    _replication_options(sw)
    sw.add_argument("--out", type=Path,
                    help="output folder (default out/sweep-<scenario>-<plan>-grid-<grid>-"
                         "<metric>-reps<N>-seed<N>, shortened with a hash when long)")

    sens = sub.add_parser(
        "sensitivity", help="which metrics depend on which uncertain constants and plan levers",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  drill sensitivity gate-blockade --plan linxiang\n"
               "  drill sensitivity small-group --plan linxiang --method sobol --samples 128 "
               "--reps 3 --jobs 2\n"
               "  drill sensitivity gate-blockade --only levers --factor "
               "teams.dialogue.size=2,16 --lang en\n"
               "Varies the uncertain constants (the parameter file's uncertain section) and the "
               "plan's numeric\nlevers over their ranges with a SALib design (Morris by default, "
               "or Sobol'), runs each point\n--reps times with the same seeds, and ranks the "
               "factors for each key metric. Writes\nfactors.csv, samples.csv, replications.csv, "
               "outputs.csv, indices.csv, failures.csv, run.json,\nsensitivity.svg, sensitivity.png, "
               "sensitivity.md and sensitivity.html into OUT. Exit 1 when a replication failed.")
    sens.add_argument("scenario", help="scenario file, or a bundled name (see 'list')")
    sens.add_argument("--plan", help="plan file or bundled name, optionally PLAN[KEY=VALUE,...]; "
                                     "default: the scenario's own plan")
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris",
                      help="morris (default: elementary effects, ranks by mu*) or sobol "
                           "(variance shares S1 and ST; many more runs)")
    sens.add_argument("--samples", type=_count("--samples", 2, 4096), default=None, metavar="N",
                      help="Morris trajectories (at least 2, default 10; fewer than 10 is a "
                           "first look only), or the Sobol' base sample, a power of two "
                           "(default 64); runs: Morris N x (factors + 1) x --reps, Sobol' "
                           "N x (factors + 2) x --reps")
    sens.add_argument("--reps", type=_count("--reps", 1, MAX_REPS), default=None,
                      help="replications of each design point, averaged (default 4)")
    sens.add_argument("--factor", dest="factors", action="append", default=[],
                      metavar="NAME=LOW,HIGH",
                      help="add a factor, or replace the range of one: a model parameter "
                           "(crowd.active_threshold) or a numeric plan field "
                           "(teams.dialogue.size) (repeatable)")
    sens.add_argument("--only", choices=("constants", "levers"),
                      help="vary only the uncertain constants or only the plan levers "
                           "(--factor ones are always varied)")
    sens.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                      help="override a plan field by dotted path before the analysis (repeatable)")
    sens.add_argument("--seed", type=_base_seed, default=1,
                      help="base seed of the design, the bootstrap and the replications "
                           f"(default 1); replication k runs with seed SEED*{SEED_STRIDE}+k at "
                           "every point")
    _runner_options(sens)
    sens.add_argument("--out", type=Path,
                      help="output folder (default out/sensitivity-<scenario>-<plan variant>-"
                           "<method>[-<only>]-seed<N>, the variant with every --set)")
    sens.add_argument("--lang", choices=("zh", "en"), default="zh",
                      help="report language (default zh)")
    sens.add_argument("--quiet", action="store_true",
                      help="no progress bar; print only the output folder")

    room = sub.add_parser(
        "room", help="the drill room: a projector view and a facilitator console in the browser",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  drill room gate-blockade\n"
               "  drill room large-sit-in --plan linxiang --port 8800 --speed 2\n"
               "  drill room gate-blockade --host 0.0.0.0   # the room's network: controls need "
               "the token printed\n"
               "Open the projector view (/) on the shared screen and the console (/console) on "
               "the facilitator's\nscreen. At the end the output folder is written as by "
               "'run' (with decisions.yaml, the\nobservers' notes and replay.html); 'run "
               "--decisions' replays it exactly.")
    room.add_argument("scenario", help="scenario file, or a bundled name (see 'list')")
    room.add_argument("--plan", help="plan file or bundled name, optionally PLAN[KEY=VALUE,...]; "
                                     "default: the scenario's own plan")
    room.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                      help="override a plan field by dotted path (repeatable)")
    room.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    room.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1, this machine only); any "
                           "other address makes every control need the facilitator's token")
    room.add_argument("--port", type=_count("--port", 1, 65535), default=8765,
                      help="port (default 8765)")
    room.add_argument("--speed", type=_seconds, default=1.0, metavar="SECONDS",
                      help="real seconds per simulated minute while the clock runs (default 1)")
    room.add_argument("--pause-every", type=_minutes, metavar="MIN",
                      help="also stop for a decision every MIN simulated minutes")
    room.add_argument("--out", type=Path,
                      help="output folder (default out/<scenario>-<plan>-room-seed<N>)")
    room.add_argument("--lang", choices=("zh", "en"), default="zh",
                      help="report and message language (default zh)")
    room.add_argument("--formats", type=_formats, default=["md", "html"],
                      help="report formats, comma-separated from md,html,docx (default md,html)")

    rep = sub.add_parser("replay", help="write an animated replay.html of a run's output folder",
                         epilog="Example: drill replay out/gate-blockade-linxiang-seed1")
    rep.add_argument("folder", type=Path, help="a run's output folder (with events.csv and "
                                               "timeseries.csv)")
    rep.add_argument("--lang", choices=("zh", "en"), default="zh",
                     help="language of the page (default zh)")

    val = sub.add_parser(
        "validate", help="check plan and scenario files; list every problem",
        description="Check plan and scenario files without running anything. Every problem is "
                    "listed as FILE:LINE: FIELD: what is wrong; exit 2 if there is any.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  drill validate my-plan.yaml\n"
               "  drill validate my-drill.yaml          (against the plan it names)\n"
               "  drill validate my-plan.yaml gate-blockade online-call\n"
               "                                        (each scenario against my-plan.yaml)")
    val.add_argument("files", nargs="+",
                     help="plan or scenario files (or bundled names); scenarios given with "
                          "plans are checked against each of them")

    sub.add_parser("list", help="the bundled plans and scenarios",
                   description="List the bundled plans and scenarios with their titles; run "
                               "one by its name.",
                   formatter_class=argparse.RawDescriptionHelpFormatter,
                   epilog="Examples:\n  drill list\n  drill run gate-blockade   (a scenario "
                          "listed, under the plan it names)")
    return parser


def _slug(text: str) -> str:
    return re.sub(r"[^\w.=-]+", "_", text).strip("_")


MAX_STEM = 100
"""Longest default folder name before its seed, in characters; a longer one is shortened
and told apart by a hash of the whole."""


def _default_out(stem: str, seed: int) -> Path:
    """``out/<stem>-seed<N>``, the stem made safe for a file name and shortened with a hash
    when long (a variant with many overrides), so two different runs still write different
    folders."""
    name = _slug(stem)
    if len(name.encode("utf-8")) > MAX_STEM:
        digest = hashlib.sha1(stem.encode("utf-8", "surrogateescape")).hexdigest()[:10]
        head = name[:MAX_STEM - 11]
        while len(head.encode("utf-8")) > MAX_STEM - 11:
            head = head[:-1]
        name = f"{head.rstrip('_.-')}-{digest}"
    return Path("out") / f"{name}-seed{seed}"


def variant_label(label: str, sets: list[str]) -> str:
    """A plan's full name with every override: ``--set`` ones joined to the inline ones
    (``linxiang[teams.dialogue.size=8,teams.order.posture=forceful]``)."""
    if not sets:
        return label
    if label.endswith("]") and "[" in label:
        return f"{label[:-1]},{','.join(sets)}]"
    return f"{label}[{','.join(sets)}]"


def _file_digest(path: Path) -> str:
    """A short hash of a file's bytes (which decisions a replay used), or of its name when
    it cannot be read (the reader then reports the problem)."""
    try:
        data = path.read_bytes()
    except OSError:
        data = str(path).encode("utf-8", "surrogateescape")
    return hashlib.sha1(data).hexdigest()[:8]


def cmd_run(args, console: Console) -> int:
    from reports import chart_process

    # the charts are drawn beside the drill in a second process, which loads its own
    # modules meanwhile: forked now, before this one loads anything else
    charts = chart_process.start() if not args.interactive else None
    try:
        return _run(args, console, charts)
    finally:
        if charts is not None:
            charts.close()


def _run(args, console: Console, charts) -> int:
    from reports.chart_data import ChartData
    from reports.console import print_summary
    from reports.document import chart_kinds
    from reports.evaluation import evaluate
    from reports.replay import write_replay
    from reports.writer import write_run
    from sim.core.files import output_folder
    from sim.core.loading import load_drill
    from sim.engine.session import DrillSession, load_decisions, save_decisions

    if args.interactive and args.decisions:
        raise InputError([Problem("--decisions", "", None,
                                  "choose --interactive or --decisions, not both")])
    if args.pause_every and not args.interactive:
        raise InputError([Problem("--pause-every", "", None, "only with --interactive")])
    inputs = load_drill(args.scenario, args.plan, args.sets)
    inputs = dataclasses.replace(inputs, plan_label=variant_label(inputs.plan_label, args.sets))
    if args.start_clock:
        inputs = dataclasses.replace(inputs, scenario=inputs.scenario.model_copy(
            update={"start_clock": args.start_clock}))
    recorded, meta, notes = None, dict[str, Any](), list[dict[str, Any]]()
    if args.decisions:
        meta, recorded = load_decisions(args.decisions, inputs)
    seed = args.seed if args.seed is not None else int(meta.get("seed", 1))
    if recorded is not None:
        notes = meta.get("notes") or []
        if meta.get("scenario") and meta["scenario"] != inputs.scenario.name:
            _warn(args.lang, "decisions_scenario", path=args.decisions,
                  recorded=meta["scenario"], now=inputs.scenario.name)
        if meta.get("plan") and meta["plan"] != inputs.plan_label:
            _warn(args.lang, "decisions_plan", path=args.decisions, recorded=meta["plan"],
                  now=inputs.plan_label)
        if args.seed is not None and args.seed != meta.get("seed"):
            _warn(args.lang, "decisions_seed", path=args.decisions,
                  recorded=meta.get("seed"), now=args.seed)
    mode = "-interactive" if args.interactive else \
        f"-replay-{_file_digest(args.decisions)}" if recorded is not None else ""
    out = args.out or _default_out(f"{inputs.scenario.name}-{inputs.plan_label}{mode}", seed)
    facilitated = args.interactive or recorded is not None
    pause_every = args.pause_every if args.interactive else meta.get("pause_every_min")
    earlier = args.interactive and _holds_files(Path(out))
    try:
        with output_folder(out) as folder:
            session = DrillSession(inputs, seed, pause_every_min=pause_every,
                                   stop_at_decisions=facilitated)
            if args.interactive:
                from reports.facilitator import facilitate

                try:
                    facilitate(session, console, args.lang)
                except (KeyboardInterrupt, EOFError):
                    if earlier or not session.decisions:
                        # an earlier run's folder stays whole: the choices so far go beside it
                        raise _Interrupted(session) from None
                    _interrupted(folder / "decisions.yaml", out / "decisions.yaml", session,
                                 inputs.plan_label, args.lang)
                    return 130
                result = session.result()
            elif recorded is not None:
                session.notes = [dict(n) for n in notes]
                for n in session.replay(recorded):
                    _warn(args.lang, f"replay_{n.kind}", point=n.point, t=n.t_min,
                          now=n.applied_min, count=n.count,
                          label=n.label_zh if args.lang == "zh" else n.label_en)
                result = session.result()
            else:
                with _status(console, args, "simulating"):
                    result = session.run_to_end()
            # a facilitated run is set beside the plain run with the same seed (nobody intervening)
            plain = DrillSession(inputs, seed).run_to_end() if facilitated else None
            with _status(console, args, "writing"):
                result.replay_file = "replay.html"
                evaluation = evaluate(result)   # for the files and the summary below
                if charts is not None:
                    charts.send(ChartData.of(result, evaluation.tasks), args.lang,
                                chart_kinds(args.formats))
                written = write_run(result, folder, args.lang, args.formats, org=args.org,
                                    date=args.date, baseline=plain, e=evaluation,
                                    drawn=charts.blocks if charts is not None else None)
                written.append(write_replay(folder, args.lang, inputs.plan, inputs.scenario))
                if facilitated:
                    save_decisions(folder / "decisions.yaml", session, inputs.plan_label)
                    written.append(folder / "decisions.yaml")
    except _Interrupted as stop:
        if stop.session.decisions:
            side = Path(out).with_name(f"{Path(out).name}-interrupted-decisions.yaml")
            _interrupted(side, side, stop.session, inputs.plan_label, args.lang)
        else:
            print("\n" + _no_decisions(args.lang, out if earlier else None), file=sys.stderr)
        return 130
    if args.quiet:
        print(out)
        return EXIT_OK
    print_summary(result, console, args.lang, evaluation)
    console.print(_written(args.lang, len(written), out))
    return EXIT_OK


def _holds_files(folder: Path) -> bool:
    """``folder`` exists and holds something (False when it cannot be read: the output
    folder's own checks say why)."""
    try:
        return folder.is_dir() and any(folder.iterdir())
    except OSError:
        return False


class _Interrupted(Exception):
    """A facilitated run stopped before its end whose choices are not to replace the output
    folder (it holds an earlier run, or there is nothing to save): the folder is left as it was."""

    def __init__(self, session):
        super().__init__("interrupted")
        self.session = session


def _interrupted(path: Path, shown: Path, session, plan_label: str, lang: str) -> None:
    """Save the choices of a facilitated run stopped before its end and say where."""
    from reports.i18n import count_en
    from reports.room_text import t
    from sim.engine.session import save_decisions

    save_decisions(path, session, plan_label)
    print("\n" + t("interrupted", lang, n=len(session.decisions), path=shown,
                    n_en=count_en(len(session.decisions), "decision")), file=sys.stderr)


def _no_decisions(lang: str, kept: Path | None) -> str:
    if lang == "zh":
        return "推演中断：尚未作出任何决策，未保存文件" + (f"；原有输出 {kept} 保持不变" if kept else "")
    return "interrupted before any decision: nothing saved" + (
        f"; the earlier output in {kept} is left as it was" if kept else "")


def _written(lang: str, n: int, out, before: str = "") -> str:
    """The last line of a command that wrote a folder (rich markup; the path escaped), after
    ``before`` (what ran: :func:`_runs`)."""
    if lang == "zh":
        return (f"{before}；" if before else "") + f"[bold]已写入{n}个文件：[/]{escape(str(out))}/"
    return (f"{before}; " if before else "") + f"[bold]{n} files written to[/] {escape(str(out))}/"


def _runs(lang: str, n: int | None, seconds: float, backend: str, workers: int) -> str:
    """How many drills ran, how long they took and where."""
    from reports.comparison_words import backend_word
    from reports.i18n import count_en

    where = backend_word(backend, lang)
    if lang == "zh":
        return (f"{n}次推演，" if n is not None else "") + \
            f"用时{seconds:.1f}秒（{where}，{workers}个进程）"
    return (f"{count_en(n, 'run')} in " if n is not None else "in ") + \
        f"{seconds:.1f} s ({where}, {count_en(workers, 'worker')})"


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _progress_words(lang: str):
    """The progress bar's words in ``lang``."""
    from reports.cli_text import say
    from sim.montecarlo.replicate import ProgressWords

    return ProgressWords(say("runs_per_s", lang, rate="{rate}"), say("left", lang))


def _status(console: Console, args, key: str):
    """A spinner saying what the command is doing (nothing with --quiet)."""
    from reports.cli_text import say

    return _null() if args.quiet else console.status(say(key, args.lang), spinner="dots")


def _warn(lang: str, key: str, kind: str = "warning", **fmt) -> None:
    """A warning (or a note) of the command line, in ``lang``, on stderr."""
    from reports.cli_text import say

    print(say(kind, lang, text=say(key, lang, **fmt)), file=sys.stderr)


def _check_backend(args) -> None:
    from sim.montecarlo.replicate import capped_jobs, check_scheduler, default_jobs

    if args.scheduler and args.backend != "dask":
        raise InputError([Problem("--scheduler", "", None, "only with --backend dask")])
    if args.scheduler:
        check_scheduler(args.scheduler)
    if args.jobs is not None and args.jobs > default_jobs() and not args.scheduler:
        _warn(args.lang, "jobs_capped", "note", asked=args.jobs, cores=default_jobs(),
              workers=capped_jobs(args.jobs))


def _report_failures(failures, total: int, out: Path, lang: str, where: str = "failed_plan") -> int:
    """Tell the replications that raised (the first one's traceback) and exit 1; 0 if none."""
    from reports.cli_text import say

    if not failures:
        return EXIT_OK
    first = failures[0]
    print(say("failed", lang, n=len(failures), total=total, path=out / "failures.csv",
              where=say(where, lang, name=first.plan), rep=first.rep, seed=first.seed),
          file=sys.stderr)
    print(first.traceback.rstrip(), file=sys.stderr)
    return EXIT_INTERNAL


def cmd_compare(args, console: Console) -> int:
    from reports.comparison import print_compare, write_compare
    from sim.core.files import output_folder
    from sim.montecarlo.replicate import prepare, run_replications
    from sim.montecarlo.stats import analyse

    _check_backend(args)
    if len(args.plans) > MAX_PLANS:
        raise InputError([Problem("--plans", "", None,
                                  f"{len(args.plans)} plans; at most {MAX_PLANS} in one "
                                  "comparison")])
    variants = prepare(args.scenario, args.plans, args.sets)
    scenario = variants[0].inputs.scenario.name
    sets = f"-set-{'-'.join(args.sets)}" if args.sets else ""
    out = args.out or _default_out(f"compare-{scenario}-{'-vs-'.join(v.label for v in variants)}"
                                   f"{sets}-reps{args.reps}", args.seed)
    with output_folder(out) as folder:
        reps = run_replications(variants, args.reps, args.seed, jobs=args.jobs,
                                backend=args.backend, scheduler=args.scheduler,
                                show_progress=not args.quiet, progress_words=_progress_words(args.lang), scenario_ref=args.scenario,
                                sets=args.sets, batch=args.batch)
        analysis = analyse(reps.rows, reps.plans, reps.cleared_targets, args.rumour_threshold)
        with _status(console, args, "writing_one"):
            written = write_compare(reps, analysis, folder, args.lang)
    if args.quiet:
        print(out)
    else:
        print_compare(reps, analysis, console, args.lang)
        console.print(_written(args.lang, len(written), out, _runs(
            args.lang, len(reps.rows), reps.elapsed_s, reps.backend, reps.workers)))
    return _report_failures(reps.failures, reps.reps * len(reps.variants), out, args.lang)


def cmd_sweep(args, console: Console) -> int:
    from reports.comparison import print_sweep, write_sweep
    from sim.core.files import output_folder
    from sim.core.loading import load_drill
    from sim.montecarlo.replicate import grid_cells, parse_grid, prepare, run_replications
    from sim.montecarlo.stats import EVENTS, METRICS, TEAM_PREFIX, analyse

    _check_backend(args)
    grid = [parse_grid(g) for g in args.grid]
    # without --plan, the scenario's own plan, held to the same rules as in `run` (a file
    # inside the scenario's folder tree, or a bundled plan) before the grid's variants are made
    plan_ref = args.plan or load_drill(args.scenario, None, args.sets).scenario.plan
    cells = grid_cells(plan_ref, grid, args.sets)
    variants = prepare(args.scenario, [c.ref for c in cells], args.sets)
    teams = {t for v in variants for t in v.inputs.plan.teams}
    levels = dict.fromkeys(lv.id for v in variants for lv in v.inputs.plan.levels)
    known = [*METRICS, *EVENTS, *(f"{TEAM_PREFIX}{t}" for t in sorted(teams)),
             *(f"level_times.{lv}" for lv in levels)]
    if args.metric not in known:
        raise InputError([Problem("--metric", "", None,
                                  f"unknown metric {args.metric!r} (choose from "
                                  f"{', '.join(known)})")])
    scenario = variants[0].inputs.scenario.name
    base = variants[0].inputs.plan_label.split("[", 1)[0]
    base_label = variant_label(base + (plan_ref[plan_ref.index("["):] if "[" in plan_ref else ""),
                               args.sets)
    out = args.out or _default_out(f"sweep-{scenario}-{base_label}-grid-{'-'.join(args.grid)}-"
                                   f"{args.metric}-reps{args.reps}", args.seed)
    with output_folder(out) as folder:
        reps = run_replications(variants, args.reps, args.seed, jobs=args.jobs,
                                backend=args.backend, scheduler=args.scheduler,
                                show_progress=not args.quiet, progress_words=_progress_words(args.lang), scenario_ref=args.scenario,
                                sets=args.sets, batch=args.batch)
        analysis = analyse(reps.rows, reps.plans, reps.cleared_targets, args.rumour_threshold)
        cell_rows = [{"plan": v.label, "values": c.values}
                     for v, c in zip(variants, cells, strict=True)]
        grid_values = [(k, list(dict.fromkeys(c.values[k] for c in cells))) for k, _ in grid]
        with _status(console, args, "writing_one"):
            written = write_sweep(reps, analysis, grid_values, cell_rows, args.metric, plan_ref,
                                  folder, args.lang)
    if args.quiet:
        print(out)
    else:
        from reports.comparison import sweep_table

        print_sweep(sweep_table(analysis, cell_rows, args.metric), [k for k, _ in grid],
                    args.metric, console, args.lang, variants[0].inputs.plan)
        console.print(_written(args.lang, len(written), out, _runs(
            args.lang, len(reps.rows), reps.elapsed_s, reps.backend, reps.workers)))
    return _report_failures(reps.failures, reps.reps * len(reps.variants), out, args.lang)


def cmd_sensitivity(args, console: Console) -> int:
    from reports.sensitivity import print_sensitivity, write_sensitivity
    from sim.core.files import output_folder
    from sim.montecarlo.sensitivity import (
        DEFAULT_REPS,
        DEFAULT_SAMPLES,
        check_samples,
        prepare,
    )
    from sim.montecarlo.sensitivity_run import run_sensitivity

    _check_backend(args)
    samples = args.samples if args.samples is not None else DEFAULT_SAMPLES[args.method]
    check_samples(args.method, samples)
    inputs, factors = prepare(args.scenario, args.plan, args.sets, args.factors, args.only)
    only = f"-{args.only}" if args.only else ""
    out = args.out or _default_out(f"sensitivity-{inputs.scenario.name}-"
                                   f"{variant_label(inputs.plan_label, args.sets)}-"
                                   f"{args.method}{only}", args.seed)
    with output_folder(out) as folder:
        s = run_sensitivity(inputs, factors, args.method, samples, args.reps or DEFAULT_REPS,
                            args.seed, jobs=args.jobs, backend=args.backend,
                            scheduler=args.scheduler, show_progress=not args.quiet, progress_words=_progress_words(args.lang),
                            scenario_ref=args.scenario, plan_ref=args.plan, sets=args.sets)
        with _status(console, args, "writing_one"):
            written = write_sensitivity(s, folder, args.lang)
    if args.quiet:
        print(out)
    else:
        print_sensitivity(s, console, args.lang)
        what = (f"{len(factors)}个因素，{s.n_points}个设计点×{s.reps_per_point}次重复推演，"
                if args.lang == "zh" else
                f"{len(factors)} factors, {s.n_points} points × {s.reps_per_point} replications, ")
        console.print(_written(args.lang, len(written), out, what + _runs(
            args.lang, None, s.replications.elapsed_s, s.replications.backend,
            s.replications.workers)))
    return _report_failures(s.failures, s.n_points * s.reps_per_point, out, args.lang,
                            "failed_point")


def cmd_room(args, console: Console) -> int:
    import socket

    import uvicorn

    from reports.room_text import t
    from room.control import Room
    from room.server import create_app, needs_token
    from sim.core.files import check_target
    from sim.core.loading import load_drill

    if not args.host.strip():
        raise InputError([Problem("--host", "", None, "an empty address would listen on every "
                                  "interface; name one (127.0.0.1 for this machine only, "
                                  "0.0.0.0 for every network)")])
    inputs = load_drill(args.scenario, args.plan, args.sets)
    out = args.out or _default_out(f"{inputs.scenario.name}-{inputs.plan_label}-room", args.seed)
    check_target(Path(os.path.abspath(out)))   # refused now, not after the drill is played
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((args.host, args.port))
    except OSError as exc:
        raise InputError([Problem("--port", "", None, f"cannot listen on {args.host} port "
                                  f"{args.port}: {exc.strerror or exc}")]) from None
    room = Room(inputs, args.seed, out, args.lang, args.formats, args.pause_every)
    token = secrets.token_urlsafe(18)
    app = create_app(room, args.host, token, args.speed)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{shown}:{args.port}"
    guarded = needs_token(args.host)
    console_url = f"{base}/console" + (f"?token={token}" if guarded else "")
    print(t("room_start", args.lang, projector=f"{base}/", console=console_url, out=out),
          flush=True)
    if guarded:
        print(t("room_token", args.lang, token=token), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    if room.state == "written":
        print(t("room_written", args.lang, n=len(room.written), out=out))
        return EXIT_OK
    if room.state == "failed":
        print(_said("error", args, text=room.error), file=sys.stderr)
        if room.session.decisions or room.session.notes:
            path = room.save_partial(beside=True)
            print(t("room_unwritten", args.lang, n=len(room.session.decisions),
                    m=len(room.session.notes), path=path), file=sys.stderr)
        return EXIT_INPUT if room.bad_input else EXIT_INTERNAL
    if room.session.decisions or room.session.notes:
        path = room.save_partial()
        print(t("room_unfinished", args.lang, n=len(room.session.decisions),
                m=len(room.session.notes), path=path), file=sys.stderr)
    return EXIT_OK


def cmd_replay(args, console: Console) -> int:
    from reports.replay import write_replay
    from sim.core.loading import load_drill, parse_plan_ref

    folder = args.folder
    for name in ("events.csv", "timeseries.csv"):
        if not (folder / name).is_file():
            raise InputError([Problem(str(folder / name), "", None,
                                      "not found: give a run's output folder")])
        if not _ends_whole(folder / name):
            _warn(args.lang, "csv_cut", path=folder / name)
    record = _run_record(folder, args.lang)
    start = _recorded_clock(record)
    plan = scenario = None
    files = [record.get("scenario_file"), record.get("plan_file")]
    try:
        if all(isinstance(f, str) and f for f in files):
            # the files the run was read from, with the variant's overrides (a bundled file by
            # its name, as the run named it)
            ref = [_bundled_name(str(f)) or str(f) for f in files]
            inline = parse_plan_ref(str(record.get("plan", "")))[1] if record.get("plan") else []
            inputs = load_drill(ref[0], ref[1], inline)
            if inputs.plan_label != record.get("plan"):
                _warn(args.lang, "plan_changed", path=files[1], now=inputs.plan_label,
                      recorded=record.get("plan"))
        else:   # a folder written before its files were recorded: found by name
            inputs = load_drill(str(record["scenario"]), str(record["plan"]))
        plan, scenario = inputs.plan, inputs.scenario
    except (OSError, ValueError, KeyError, TypeError, InputError):
        from reports.cli_text import say

        where = ", ".join(str(f) for f in files if f) or say("not_recorded", args.lang)
        print(say("note", args.lang, text=say("inputs_unread", args.lang, folder=folder,
                                               where=where)
                  + ("" if start else say("clock_unknown", args.lang))), file=sys.stderr)
    try:
        path = write_replay(folder, args.lang, plan, scenario, start_clock=start)
    except KeyError as exc:
        raise InputError([Problem(str(folder), "", None,
                                  f"cannot read the run's CSV files: a column is missing "
                                  f"({exc.args[0]})")]) from None
    except ValueError as exc:
        raise InputError([Problem(str(folder), "", None,
                                  f"cannot read the run's CSV files: {exc}")]) from None
    from reports.cli_text import say

    console.print(say("written_one", args.lang, path=escape(str(path))))
    return EXIT_OK


def _bundled_name(path: str) -> str | None:
    """The name of a bundled plan or scenario file (None for a user's file)."""
    from sim.core.bundle import DRILLS_DIR, PLANS_DIR

    found = Path(path)
    if found.suffix == ".yaml" and found.parent.resolve() in (PLANS_DIR.resolve(),
                                                              DRILLS_DIR.resolve()):
        return found.stem
    return None


def _ends_whole(path: Path) -> bool:
    """Whether ``path`` is empty or ends with a line break (a file cut short does not)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            if f.tell() == 0:
                return True
            f.seek(-1, 2)
            return f.read(1) in (b"\n", b"\r")
    except OSError:
        return True   # told when it is read


def _run_record(folder: Path, lang: str) -> dict[str, Any]:
    """What a run's folder records of its inputs: ``evaluation.json`` (the files, the clock),
    else ``metrics.json`` (names only); empty, with a note, when neither can be read."""
    import json

    for name in ("evaluation.json", "metrics.json"):
        try:
            record = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            return record
    _warn(lang, "no_record", "note", folder=folder)
    return {}


def _recorded_clock(record: dict[str, Any]) -> str | None:
    """The run's own start clock (``HH:MM``) when it is recorded and valid."""
    try:
        return _clock(str(record["start_clock"]))
    except (KeyError, argparse.ArgumentTypeError):
        return None


def cmd_validate(args, console: Console) -> int:
    from sim.core.loading import is_plan_file, validate_file

    # scenarios given with plans are checked against each of those plans
    plans = [name for name in args.files if is_plan_file(name)]
    found = {name: validate_file(name, plans or None) for name in dict.fromkeys(args.files)}
    # a scenario cannot be checked against a plan that does not load
    broken = [name for name in plans if found[name]]
    bad = 0
    for name in args.files:
        problems = found[name]
        if problems:
            bad += 1
            for p in problems:
                print(_printable(str(p)), file=sys.stderr)
        elif name not in plans and broken:
            console.print(f"[green]ok[/] {escape(name)} [yellow](not checked against "
                          f"{escape(', '.join(broken))}: "
                          f"{'its' if len(broken) == 1 else 'their'} problems are listed)[/]")
        else:
            console.print(f"[green]ok[/] {escape(name)}")
    return EXIT_INPUT if bad else EXIT_OK


def cmd_list(args, console: Console) -> int:
    import yaml
    from rich.table import Table

    from sim.core.bundle import bundled

    # the bundled files are the project's own and valid: read with libyaml when it is there,
    # without the line tracking and checks a user's file gets (sim.core.yamlio)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    for kind, title in (("plans", "Plans"), ("drills", "Scenarios")):
        table = Table(title=title, show_header=True)
        table.add_column("name")
        table.add_column("title")
        table.add_column("plan" if kind == "drills" else "release policy")
        for path in bundled(kind):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
            t = data.get("title", {})
            text = f"{t.get('en', '')} / {t.get('zh', '')}" if isinstance(t, dict) else str(t)
            extra = data.get("plan", "") if kind == "drills" else \
                data.get("publicity", {}).get("release_policy", "")
            table.add_row(path.stem, text, extra)
        console.print(table)
    return EXIT_OK


MAX_PLANS = 50
"""Most plans in one comparison."""


def _printable(text: str) -> str:
    """A message safe for any terminal: control characters (but line breaks) and unpaired
    surrogates shown as escapes."""
    return "".join(c if c == "\n" or (c.isprintable() and not "\ud800" <= c <= "\udfff")
                   else repr(c)[1:-1] for c in text)


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "sweep": cmd_sweep, "validate": cmd_validate,
            "list": cmd_list, "sensitivity": cmd_sensitivity, "room": cmd_room,
            "replay": cmd_replay}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console()
    try:
        return COMMANDS[args.command](args, console)
    except InputError as exc:
        lang = getattr(args, "lang", "en")
        if lang == "zh":   # some problems are worded in English only
            print(_said("input_problems", args, n=len(exc.problems)), file=sys.stderr)
        for p in exc.problems:
            print(_printable(p.text(lang)), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(_said("interrupted", args), file=sys.stderr)
        return 130
    except OSError as exc:  # the disk is full, a folder became unwritable...
        where = f" ({exc.filename})" if exc.filename else ""
        print(_said("cannot_write", args, why=exc.strerror or exc, where=where), file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # an internal error: say so plainly, keep the trace for a bug report
        print(_said("internal", args, exc=repr(exc)), file=sys.stderr)
        traceback.print_exc()
        return EXIT_INTERNAL


def _said(key: str, args, **fmt) -> str:
    """A last word of the command line, in the command's language (English for a command
    without --lang)."""
    from reports.cli_text import say

    return say(key, getattr(args, "lang", "en"), **fmt)




if __name__ == "__main__":
    sys.exit(main())
