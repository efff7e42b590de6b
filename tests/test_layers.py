"""The code's layers, checked on the import graph (every import, at any depth in a module,
except those only for type checkers):

    sim.core        the kernel: inputs, vocabulary, the world's state, the record, the result
    agents          the actors; import only the kernel
    sim.engine      builds the world, starts every process, runs a drill; imports agents
    sim.montecarlo  replications, statistics, calibration, sensitivity; imports the engine
    reports         turn results into documents; import the kernel and statistics, never the
                    engine, the agents or SimPy
    room            the drill room's web server, an application beside the command line: drives
                    an engine session live and shows it with the reports' words; nothing
                    imports it but the command line (``sim`` never imports ``reports``)

and no cycle between any two modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "agents", "reports", "room")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """Module name to the project modules it imports."""
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        skip = _type_checking_lines(tree)
        deps: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for t in targets:
                if t in modules:
                    deps.add(t)
                elif t.split(".")[0] in ("simpy",):
                    deps.add(t.split(".")[0])
        deps.discard(name)
        graph[name] = deps
    return graph


def _layer(module: str) -> str:
    for prefix in ("sim.core", "sim.engine", "sim.montecarlo", "room", "agents", "reports"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return module


ALLOWED = {
    "sim.core": {"sim.core", "simpy"},
    "agents": {"sim.core", "agents", "simpy"},
    "sim.engine": {"sim.core", "agents", "sim.engine", "simpy"},
    "sim.montecarlo": {"sim.core", "agents", "sim.engine", "sim.montecarlo"},
    "reports": {"sim.core", "sim.montecarlo", "reports"},
    "room": {"sim.core", "sim.engine", "room", "reports"},
}


def test_every_module_is_in_a_layer():
    for module in import_graph():
        if module in ("sim", "agents", "reports", "room"):
            continue
        assert _layer(module) in ALLOWED, f"{module} is in no layer"


def test_layers_import_only_what_lies_below_them():
    wrong = []
    for module, deps in import_graph().items():
        layer = _layer(module)
        if layer not in ALLOWED:
            continue
        for dep in deps:
            if _layer(dep) not in ALLOWED[layer]:
                wrong.append(f"{module} imports {dep}")
    assert not wrong, "\n".join(sorted(wrong))


def test_reports_never_reach_simpy_or_the_engine_even_indirectly():
    graph = import_graph()
    for module in (m for m in graph if _layer(m) == "reports"):
        seen, stack = set(), [module]
        while stack:
            m = stack.pop()
            for dep in graph.get(m, ()):
                assert dep != "simpy" and _layer(dep) not in ("sim.engine", "agents"), \
                    f"{module} reaches {dep} through {m}"
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)


def test_no_import_cycle_between_modules():
    graph = import_graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for dep in graph.get(m, ()):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[m] = 2

    for module in graph:
        if module not in state:
            visit(module)
