"""Run Monte Carlo replications of one scenario under several plan variants.

Seeds (common random numbers). Replication ``k`` of every plan runs with the seed
:func:`replication_seed` ``(base_seed, k) = base_seed * 1_000_003 + k``: it depends on the
base seed and ``k`` only, never on the plan, so every plan meets the same crowd, the same
weather draws and the same message delays, and differences between plans are the plans'.
``drill run SCENARIO --plan P --seed <that seed>`` replays one replication exactly.

Backends. ``local`` runs the replications in this process (``jobs=1``) or in a pool of
``jobs`` processes; ``dask`` runs them on a Dask distributed cluster (a ``LocalCluster``
bound to 127.0.0.1 when no scheduler address is given). Either way the replications are
cut into chunks of several replications (all plans of a replication in the same chunk), so
the cost of a task (about 1.6 ms with Dask) is small beside the work in it. Results do not
depend on the backend, the number of jobs or the chunking: each replication is a pure
function of its inputs and its seed, and rows are put back in (plan, replication) order.

Failures. A replication that raises is caught where it runs and comes back as a
:class:`Failure` with its plan, replication, seed and traceback; it is counted and written
out, never dropped silently.

This module imports the engine (and so SimPy) only inside the functions that simulate, so
that reading the dataclasses below costs nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import logging
import math
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sim.core.errors import InputError, Problem
from sim.core.loading import (
    DrillInputs,
    base_changes,
    load_drill,
    parse_assignment,
    parse_plan_ref,
)
from sim.engine import simulate_metrics
from sim.engine.batch import BATCH_SIZE, batch_size, simulate_metrics_batch
from sim.montecarlo.stats import replication_row

SEED_STRIDE = 1_000_003
"""Replication ``k`` of base seed ``s`` runs with seed ``s * SEED_STRIDE + k``."""

MAX_REPS = 1_000_000
"""More replications than this would let two base seeds share a seed."""

MAX_CHUNK_RUNS = 64
"""At most this many simulations (replications times plans) in one task (the replications
of a plan in a task are stepped as one batch, so tasks are larger than a task's own cost
would need)."""

BACKENDS = ("local", "dask")

Progress = Callable[[int], None]
"""Called with the number of simulations just finished."""


def replication_seed(base_seed: int, k: int) -> int:
    """The seed of replication ``k`` (0-based) for ``base_seed``; the same for every plan."""
    if not 0 <= k < SEED_STRIDE:
        raise ValueError(f"replication index {k} out of range")
    return base_seed * SEED_STRIDE + k


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def capped_jobs(jobs: int | None) -> int:
    """``jobs`` worker processes, at most the cores this process may use (more would only
    share the same cores and cost memory); every core when None."""
    cores = default_jobs()
    return cores if jobs is None else max(1, min(jobs, cores))


# --------------------------------------------------------------------------- variants


@dataclass(frozen=True)
class Variant:
    """A plan as the comparison runs it.

    Attributes:
        label: its unique name in every output (the plan's name with its inline overrides;
            ``#2``, ``#3``... appended when the same variant is given twice).
        ref: the plan as given (``linxiang[teams.dialogue.size=8]``), for ``run --plan``.
        overrides: the inline overrides, then the ``--set`` ones, as ``KEY=VALUE``.
        inputs: the validated scenario, plan and parameters.
        base: for a plan file that extends another, the base it names and the fields it
            sets otherwise (``KEY=VALUE``); None otherwise.
    """

    label: str
    ref: str
    overrides: tuple[str, ...]
    inputs: DrillInputs
    base: tuple[str, tuple[str, ...]] | None = None

    @property
    def cleared_target(self) -> float | None:
        return self.inputs.plan.targets.cleared_min


def prepare(scenario_ref: str, plan_refs: Sequence[str], sets: Sequence[str] = ()) -> list[Variant]:
    """Load and check the scenario under every plan; collect every problem before raising."""
    if not plan_refs:
        raise InputError([Problem("--plans", "", None, "name at least one plan")])
    problems: list[Problem] = []
    variants: list[Variant] = []
    seen: dict[str, int] = {}
    for ref in plan_refs:
        try:
            inputs = load_drill(scenario_ref, ref, list(sets))
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
            continue
        label = inputs.plan_label
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}#{seen[label]}"
        inline = parse_plan_ref(ref)[1]
        found = base_changes(inputs.plan_path)
        base = (found[0], tuple(found[1])) if found else None
        variants.append(Variant(label, ref, (*inline, *sets), inputs, base))
    if problems:
        raise InputError(problems)
    return variants


# --------------------------------------------------------------------------- sweeps


MAX_CELLS = 400
"""The most combinations a sweep may have."""

_KEY = re.compile(r"[\w-]+(\.[\w-]+)*")


def parse_grid(text: str) -> tuple[str, list[str]]:
    """``"teams.dialogue.size=4,6,8"`` -> ``("teams.dialogue.size", ["4", "6", "8"])``."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    values = [v.strip() for v in raw.split(",")]
    if not sep or not _KEY.fullmatch(key) or not raw.strip() or any(not v for v in values):
        raise InputError([Problem("--grid", key if _KEY.fullmatch(key) else "", None,
                                  f"expected KEY=V1,V2,... with a dotted key and no empty value, "
                                  f"got {text!r}")])
    # the same value written twice, or two ways ("0.5" and ".5")
    parsed = [json.dumps(parse_assignment(f"{key}={v}", "--grid")[1], sort_keys=True,
                         default=str) for v in values]
    dupes = sorted({v for v, p in zip(values, parsed, strict=True) if parsed.count(p) > 1})
    if dupes:
        raise InputError([Problem("--grid", key, None,
                                  f"value {', '.join(dupes)} given twice in {text!r} "
                                  "(the same value)")])
    return key, values


@dataclass(frozen=True)
class Cell:
    """One combination of a sweep: its plan reference and the values of the swept fields."""

    ref: str
    values: dict[str, Any]


def grid_cells(plan_ref: str, grid: Sequence[tuple[str, list[str]]],
               sets: Sequence[str] = ()) -> list[Cell]:
    """Every combination of the grid, as inline variants of ``plan_ref`` (first key slowest)."""
    base, inline = parse_plan_ref(plan_ref)
    keys = [k for k, _ in grid]
    problems = []
    if len(set(keys)) != len(keys):
        problems.append(Problem("--grid", "", None, "a key is swept twice: "
                                + ", ".join(sorted({k for k in keys if keys.count(k) > 1}))))
    fixed = {a.partition("=")[0].strip(): where for where, items in
             ((plan_ref, inline), ("--set", list(sets))) for a in items}
    for k in keys:
        if k in fixed:
            problems.append(Problem("--grid", k, None, f"is also set in {fixed[k]}; "
                                                       "sweep it or fix it, not both"))
    n = math.prod(len(vs) for _, vs in grid)
    if n > MAX_CELLS:
        problems.append(Problem("--grid", "", None,
                                f"{n} combinations; at most {MAX_CELLS} in one sweep"))
    if problems:
        raise InputError(problems)
    cells = []
    for combo in itertools.product(*(vs for _, vs in grid)):
        assigns = [f"{k}={v}" for k, v in zip(keys, combo, strict=True)]
        values = dict(parse_assignment(a, "--grid") for a in assigns)
        cells.append(Cell(f"{base}[{','.join([*inline, *assigns])}]", values))
    return cells


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Failure:
    """A replication that raised: where, with which seed, and the traceback."""

    plan: str
    rep: int
    seed: int
    error: str
    traceback: str


@dataclass
class Replications:
    """What a batch of replications produced.

    ``rows`` holds one flat row per successful replication and plan (see
    :func:`sim.montecarlo.stats.replication_row`); ``failures`` the others.
    """

    scenario: str
    scenario_ref: str
    variants: list[Variant]
    sets: list[str]
    reps: int
    base_seed: int
    backend: str
    workers: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    elapsed_s: float = 0.0
    compute_s: float = 0.0
    chunks: int = 0
    batch: int = BATCH_SIZE

    @property
    def plans(self) -> list[str]:
        return [v.label for v in self.variants]

    @property
    def cleared_targets(self) -> dict[str, float | None]:
        return {v.label: v.cleared_target for v in self.variants}

    def seed(self, k: int) -> int:
        return replication_seed(self.base_seed, k)

    def reproduce_command(self, plan: str, k: int) -> str:
        """The ``run`` command that replays replication ``k`` of ``plan`` exactly."""
        v = next(v for v in self.variants if v.label == plan)
        sets = "".join(f' --set "{s}"' for s in self.sets)
        return (f'python run_drill.py run {self.scenario_ref} --plan "{v.ref}"{sets} '
                f"--seed {self.seed(k)}")

    def settings(self) -> dict[str, Any]:
        """The settings of the batch, for ``run.json`` and the report."""
        return {
            "scenario": self.scenario, "scenario_ref": self.scenario_ref,
            "plans": [{"label": v.label, "ref": v.ref, "plan": v.inputs.plan.name,
                       "overrides": list(v.overrides), "cleared_target_min": v.cleared_target}
                      for v in self.variants],
            "set": list(self.sets), "reps": self.reps, "base_seed": self.base_seed,
            "seed_rule": f"seed of replication k = base_seed * {SEED_STRIDE} + k",
            "backend": self.backend, "workers": self.workers, "chunks": self.chunks,
            "batch": self.batch, "simulations": self.reps * len(self.variants),
            "failed": len(self.failures),
            "elapsed_s": round(self.elapsed_s, 3), "compute_s": round(self.compute_s, 3),
        }


# --------------------------------------------------------------------------- the work


Payload = list[tuple[str, DrillInputs]]
Chunk = tuple[int, ...]
"""Replications ``[start, stop)`` of every plan, or ``(start, stop, first, last)``: of the
plans ``payload[first:last]`` only (see ``split_plans`` in :func:`chunks_for`)."""
ChunkResult = tuple[list[dict[str, Any]], list[Failure], float]


def run_chunk(payload: Payload, chunk: Chunk, base_seed: int,
              progress: Progress | None = None, batch: int = BATCH_SIZE) -> ChunkResult:
    """Every plan of replications ``chunk``; failures caught one by one.

    ``batch``: replications of a plan whose crowds are stepped together
    (``sim.engine.batch``; 1: one drill at a time). The rows do not depend on it."""
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    failures: list[Failure] = []
    reps = range(chunk[0], chunk[1])
    for label, inputs in _chunk_plans(payload, chunk):
        size = batch_size(inputs, batch)
        for a in range(0, len(reps), size):
            ks = reps[a:a + size]
            seeds = [replication_seed(base_seed, k) for k in ks]
            for k, seed, outcome in zip(ks, seeds, _simulate(inputs, seeds, progress), strict=True):
                if isinstance(outcome, BaseException):  # reported with its seed, never dropped
                    tb = "".join(traceback.format_exception(outcome))
                    failures.append(Failure(label, k, seed, repr(outcome), tb))
                else:
                    rows.append(replication_row(label, k, seed, outcome))
    return rows, failures, time.perf_counter() - t0


def _simulate(inputs: DrillInputs, seeds: list[int],
              progress: Progress | None) -> list[dict[str, Any] | BaseException]:
    """The metrics of a drill per seed: one at a time for a single seed, else as a batch."""
    def done(_i: int, _outcome: object) -> None:
        if progress is not None:
            progress(1)

    if len(seeds) > 1:
        return simulate_metrics_batch(inputs, seeds, done)
    try:
        outcome: dict[str, Any] | BaseException = simulate_metrics(inputs, seeds[0])
    except Exception as exc:
        outcome = exc
    done(0, outcome)
    return [outcome]


def _chunk_plans(payload: Payload, chunk: Chunk) -> Payload:
    return payload[chunk[2]:chunk[3]] if len(chunk) > 2 else payload


def _chunk_runs(payload: Payload, chunk: Chunk) -> int:
    return (chunk[1] - chunk[0]) * len(_chunk_plans(payload, chunk))


def chunks_for(reps: int, n_plans: int, workers: int, split_plans: bool = False) -> list[Chunk]:
    """Cut ``reps`` replications into tasks, guided self-scheduling: each task takes about an
    eighth of what is left per worker, at most :data:`MAX_CHUNK_RUNS` simulations, so tasks
    are large while much is left and shrink to one replication at the end, where a large
    task would keep one worker busy while the others wait.

    ``split_plans``: a task may also take a slice of the plans of one replication, for
    batches of many plans and few replications (the design points of a sensitivity
    analysis), which would otherwise give fewer tasks than workers."""
    if split_plans:
        return _plan_chunks(reps, n_plans, workers)
    most = max(1, MAX_CHUNK_RUNS // max(1, n_plans))
    chunks: list[Chunk] = []
    a = 0
    while a < reps:
        size = max(1, min(most, math.ceil((reps - a) / (4 * max(1, workers)))))
        chunks.append((a, min(a + size, reps)))
        a += size
    return chunks


def _plan_chunks(reps: int, n_plans: int, workers: int) -> list[Chunk]:
    """Guided chunks of ``(k, k + 1, first, last)``: slices of the plans of replication k."""
    chunks: list[Chunk] = []
    left = reps * n_plans
    for k in range(reps):
        a = 0
        while a < n_plans:
            size = max(1, min(MAX_CHUNK_RUNS, n_plans - a, math.ceil(left / (4 * max(1, workers)))))
            chunks.append((k, k + 1, a, a + size))
            a += size
            left -= size
    return chunks


def _chunk_failed(payload: Payload, chunk: Chunk, base_seed: int, exc: BaseException) -> ChunkResult:
    """A chunk whose task died as a whole (a worker lost): every replication failed."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    fails = [Failure(label, k, replication_seed(base_seed, k), repr(exc), tb)
             for k in range(chunk[0], chunk[1]) for label, _ in _chunk_plans(payload, chunk)]
    return [], fails, 0.0


_WORKER_PAYLOAD: Payload = []


def _init_worker(payload: Payload, parent: int | None = None) -> None:
    global _WORKER_PAYLOAD
    _WORKER_PAYLOAD = payload
    # Ctrl-C reaches every process of the terminal's group: the parent alone decides, and
    # ends the workers (_stop_pool); a worker that took it would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        _die_with(parent)


def _die_with(parent: int) -> None:
    """End this worker process when the process that started the pool is gone (killed, even
    by SIGKILL), instead of running on alone: the kernel's parent-death signal where there
    is one (Linux), and a thread that checks every second everywhere."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass
            if os.getppid() == 1 and parent != 1:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _pool_chunk(chunk: Chunk, base_seed: int, batch: int) -> ChunkResult:
    return run_chunk(_WORKER_PAYLOAD, chunk, base_seed, batch=batch)


def _dask_chunk(chunk: Chunk, base_seed: int, payload: Payload, batch: int) -> ChunkResult:
    return run_chunk(payload, chunk, base_seed, batch=batch)


def _mp_context():
    """``fork`` when it is safe (this process has a single thread), else ``forkserver``
    (or ``spawn``): forking a process with threads (a Jupyter kernel) can deadlock."""
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.montecarlo.replicate", "sim.engine"])
        return ctx
    return mp.get_context("spawn")


class _Ticker:
    """Forwards progress to a callback set once the progress bar is open."""

    def __init__(self) -> None:
        self.fn: Progress | None = None

    def __call__(self, n: int) -> None:
        if self.fn is not None:
            self.fn(n)


def _start_local(payload: Payload, chunks: list[Chunk], base_seed: int, jobs: int,
                 tick: _Ticker, batch: int) -> Iterator[ChunkResult]:
    """Start the work now (so that the pool forks before any progress thread exists) and
    return the results as they come."""
    if jobs == 1:
        return (run_chunk(payload, chunk, base_seed, tick, batch) for chunk in chunks)
    from concurrent.futures import ProcessPoolExecutor

    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(),
                             initializer=_init_worker, initargs=(payload, os.getpid()))
    futures = {ex.submit(_pool_chunk, c, base_seed, batch): c for c in chunks}
    return _gather_local(ex, futures, payload, base_seed, tick)


def _gather_local(ex, futures, payload: Payload, base_seed: int,
                  tick: _Ticker) -> Iterator[ChunkResult]:
    from concurrent.futures import as_completed

    try:
        for fut in as_completed(futures):
            chunk = futures[fut]
            exc = fut.exception()
            res = _chunk_failed(payload, chunk, base_seed, exc) if exc else fut.result()
            tick(_chunk_runs(payload, chunk))
            yield res
    except BaseException:
        _stop_pool(ex)
        raise
    ex.shutdown(wait=True)


def _stop_pool(ex) -> None:
    """Stop a pool at once (an interrupt, an error): queued tasks cancelled and the workers
    ended, rather than waiting for the tasks they have started (up to MAX_CHUNK_RUNS drills)."""
    workers = list((getattr(ex, "_processes", None) or {}).values())  # before shutdown drops them
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        with contextlib.suppress(Exception):
            proc.terminate()


SCHEDULER_TIMEOUT_S = 10.0
"""How long to wait for a Dask scheduler to connect and say who it is."""

MAX_HANDSHAKE_BYTES = 1 << 20
"""Largest first message a Dask scheduler sends (its handshake is a few hundred bytes)."""


def check_scheduler(address: str) -> tuple[str, int]:
    """``tcp://HOST:PORT`` -> ``(HOST, PORT)``; an ``InputError`` naming ``--scheduler`` for
    anything else."""
    from urllib.parse import urlsplit

    def refuse(message: str) -> InputError:
        return InputError([Problem("--scheduler", "", None, message)])

    shown = address if len(address) <= 80 else address[:77] + "..."
    if "://" not in address:
        raise refuse(f"expected an address tcp://HOST:PORT, got {shown!r}")
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError as exc:
        raise refuse(f"expected an address tcp://HOST:PORT, got {shown!r} ({exc})") from None
    if parts.scheme != "tcp":
        raise refuse(f"the address must start with tcp:// (a Dask scheduler), got "
                     f"{parts.scheme + '://'!r}")
    if not parts.hostname or port is None or parts.path not in ("", "/") or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise refuse(f"expected an address tcp://HOST:PORT, got {shown!r}")
    return parts.hostname, port


def probe_scheduler(host: str, port: int, timeout: float | None = None) -> None:
    """Connect to ``host:port`` and read the first frame header a Dask scheduler sends:
    a refused connection is told at once, a service that stays silent or sends something
    else (a banner, a huge length) within ``timeout`` seconds is refused with a message,
    before Dask reads anything from it."""
    timeout = SCHEDULER_TIMEOUT_S if timeout is None else timeout
    where = f"{host}:{port}"

    def refuse(message: str) -> InputError:
        return InputError([Problem("--scheduler", "", None, message)])

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        raise refuse(f"connection refused by {where}: no Dask scheduler listens there") from None
    except socket.gaierror as exc:
        raise refuse(f"cannot resolve the host {host!r}: {exc.strerror or exc}") from None
    except TimeoutError:
        raise refuse(f"no connection to {where} within {timeout:g} s") from None
    except OSError as exc:
        raise refuse(f"cannot connect to {where}: {exc.strerror or exc}") from None
    with sock:
        head = b""
        deadline = time.monotonic() + timeout
        try:
            while len(head) < 8:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                got = sock.recv(8 - len(head))
                if not got:
                    raise refuse(f"{where} closed the connection: not a Dask scheduler")
                head += got
        except TimeoutError:
            raise refuse(f"{where} accepted the connection but sent nothing within "
                         f"{timeout:g} s: not a Dask scheduler") from None
        except OSError as exc:
            raise refuse(f"connection to {where} failed: {exc.strerror or exc}") from None
    (length,) = struct.unpack("<Q", head)
    if not 0 < length <= MAX_HANDSHAKE_BYTES:
        raise refuse(f"{where} does not speak Dask's protocol (it sent "
                     f"{head!r}...): not a Dask scheduler")


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None,
                processes: bool = True):
    """A Dask client: to ``scheduler`` when given, else to a ``LocalCluster`` of ``workers``
    single-threaded worker processes bound to 127.0.0.1 (no dashboard), closed on exit.
    ``processes=False`` makes the workers threads of this process (slower here: the drills
    are Python code and hold the GIL). Without Dask installed: an :class:`InputError` naming
    the extra to install. A scheduler address is checked, and the scheduler probed, before
    Dask connects (:func:`check_scheduler`, :func:`probe_scheduler`): a bad address, a
    refused connection, a silent or foreign service are input errors with a message."""
    if scheduler:
        host, port = check_scheduler(scheduler)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError([Problem("--backend", "", None,
                                  "the dask backend needs Dask, which is not installed: "
                                  "pip install 'petition-drill[cluster]'")]) from None

    if scheduler:
        probe_scheduler(host, port)
        try:
            client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S:g}s")
        except Exception as exc:  # any failure to connect is the address's, not ours
            raise InputError([Problem("--scheduler", "", None,
                                      f"cannot connect to the Dask scheduler at {scheduler}: "
                                      f"{type(exc).__name__}: {str(exc)[:200]}")]) from None
        try:
            yield client
        finally:
            client.close()
        return
    # worker processes talk over TCP on the loopback only; threads in this process use
    # Dask's in-process transport, which opens no socket at all
    where = {"host": "127.0.0.1"} if processes else {}
    # the workers start with Ctrl-C ignored (they inherit it): an interrupt is this
    # process's to handle, and it closes the cluster; a worker that took it would print
    # pages of tracebacks. Dask's own errors of a closing cluster are not the user's either.
    with _sigint_ignored():
        cluster = LocalCluster(n_workers=capped_jobs(workers), threads_per_worker=1,
                               processes=processes, dashboard_address=None,
                               silence_logs=logging.CRITICAL, **where)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl-C ignored while processes are started (they keep ignoring it); as it was after.
    Only the main thread may change signal handlers: elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def dask_workers(client) -> int:
    """The number of worker threads of a Dask cluster (at least 1)."""
    return max(1, sum(client.nthreads().values()))


def _start_dask(payload: Payload, chunks: list[Chunk], base_seed: int, client, batch: int,
                tick: _Ticker) -> Iterator[ChunkResult]:
    """Send the inputs to every worker once, submit one task per chunk, return the results
    as they come."""
    [data] = client.scatter([payload], broadcast=True)
    futures = client.map(_dask_chunk, chunks, base_seed=base_seed, payload=data, batch=batch,
                         pure=False)
    return _gather_dask(client, futures, chunks, payload, base_seed, tick)


def _gather_dask(client, futures, chunks: list[Chunk], payload: Payload, base_seed: int,
                 tick: _Ticker) -> Iterator[ChunkResult]:
    from dask.distributed import as_completed

    where = {f.key: c for f, c in zip(futures, chunks, strict=True)}
    try:
        for fut in as_completed(futures):
            chunk = where[fut.key]
            if fut.status == "finished":
                res = fut.result()
            else:
                res = _chunk_failed(payload, chunk, base_seed, fut.exception())
            tick(_chunk_runs(payload, chunk))
            yield res
    finally:
        client.cancel(futures)


def run_replications(variants: Sequence[Variant], reps: int, base_seed: int = 1, *,
                     jobs: int | None = None, backend: str = "local",
                     scheduler: str | None = None, client=None,
                     show_progress: bool = False, progress: Progress | None = None,
                     scenario_ref: str | None = None, sets: Sequence[str] = (),
                     split_plans: bool = False, batch: int = BATCH_SIZE,
                     progress_words: ProgressWords | None = None) -> Replications:
    """Run replications ``0..reps-1`` of every variant and gather the rows.

    ``jobs``: processes of the local pool (1: in this process), or workers of the Dask
    ``LocalCluster`` (default: every core). ``client``: an already-connected Dask client to
    use and leave open. ``show_progress`` draws a progress bar on stderr (in
    ``progress_words``, default English); ``progress`` is
    called with the number of simulations as they finish. ``split_plans``: tasks may take part
    of the plans of a replication (many plans, few replications; see :func:`chunks_for`).
    ``batch``: replications of a plan whose crowds are stepped together in a task (1: one
    drill at a time); the rows are the same whatever it is.
    """
    if not variants:
        raise InputError([Problem("--plans", "", None, "name at least one plan")])
    if not 1 <= reps <= MAX_REPS:
        raise InputError([Problem("--reps", "", None,
                                  f"expected 1 to {MAX_REPS} replications, got {reps}")])
    if backend not in BACKENDS:
        raise InputError([Problem("--backend", "", None,
                                  f"expected one of {', '.join(BACKENDS)}, got {backend!r}")])
    if batch < 1:
        raise InputError([Problem("--batch", "", None, f"expected 1 or more, got {batch}")])
    if jobs is not None and jobs < 1:
        raise InputError([Problem("--jobs", "", None, f"expected 1 or more, got {jobs}")])
    jobs = capped_jobs(jobs)
    payload: Payload = [(v.label, v.inputs) for v in variants]
    first = variants[0].inputs
    out = Replications(first.scenario.name, scenario_ref or str(first.scenario_path),
                       list(variants), list(sets), reps, base_seed, backend, 1)
    tick = _Ticker()
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if backend == "dask":
            if client is None:
                client = stack.enter_context(dask_client(scheduler, jobs))
            workers = dask_workers(client)
            chunks = chunks_for(reps, len(payload), workers, split_plans)
            results = _start_dask(payload, chunks, base_seed, client, batch, tick)
        else:
            workers = min(jobs, reps * len(payload) if split_plans else reps)
            chunks = chunks_for(reps, len(payload), workers, split_plans)
            workers = min(workers, len(chunks))
            results = _start_local(payload, chunks, base_seed, workers, tick, batch)
        out.workers, out.chunks, out.batch = workers, len(chunks), batch
        bar = stack.enter_context(progress_bar(reps * len(payload), f"{out.scenario}",
                                               enabled=show_progress, words=progress_words))
        callbacks = [f for f in (bar, progress) if f is not None]
        def _advance(n: int) -> None:
            for f in callbacks:
                f(n)

        tick.fn = _advance if callbacks else None
        stack.callback(getattr(results, "close", lambda: None))
        for rows, failures, seconds in results:
            out.rows += rows
            out.failures += failures
            out.compute_s += seconds
    order = {label: i for i, (label, _) in enumerate(payload)}
    out.rows.sort(key=lambda r: (order[r["plan"]], r["rep"]))
    out.failures.sort(key=lambda f: (order[f.plan], f.rep))
    out.elapsed_s = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- progress bar


class ProgressWords(NamedTuple):
    """The words of a progress bar: the rate (``{rate}`` filled in) and "time left"."""

    rate: str = "{rate} runs/s"
    left: str = "left"


@contextlib.contextmanager
def progress_bar(total: int, description: str = "replications", enabled: bool = True,
                 console=None, words: ProgressWords | None = None) -> Iterator[Progress | None]:
    """A rich progress bar with the rate and the time left (on stderr); ``None`` when off."""
    words = words or ProgressWords()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    bar = RichProgress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
                       TimeElapsedColumn(), TextColumn(words.left), TimeRemainingColumn(),
                       console=console or Console(stderr=True), transient=False)
    task = bar.add_task(description, total=total, rate="")
    start = time.perf_counter()
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        rate = done / max(1e-9, time.perf_counter() - start)
        bar.update(task, advance=n, rate=words.rate.format(rate=f"{rate:,.0f}"))

    with bar:
        yield advance
