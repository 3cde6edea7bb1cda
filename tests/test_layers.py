"""The layers of the package, each stated in one sentence, and a test that keeps them.

- `cli` parses flags into `Options` and calls one command; nothing imports it.
- `commands/*` each run one verb (options -> pipeline -> report); only `cli` imports them.
- `pipeline/*` is the only loop over plans; it never imports a command or the cli.
- `site/*` and `pdf*` render pages and PDFs; they never import the pipeline, a command or
  the cli.
- `lint/*` runs the rules over the model; it never imports scoring, the site, PDFs or the
  pipeline.
- `scoring` is arithmetic of the model; it imports no other smartdoc layer but the model and
  the check-in cadence (`cadence`, which P101 reads too).
- The foundation (`errors`, `options`, `config`, `source`, `load`, `model`, `cadence`,
  `discover`, `cache`, `theme`) imports none of the layers above it.

Imports are read from the source (`ast`), function-level (lazy) imports included; a cycle is
looked for among module-level imports, the ones that run when a module is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "smartdoc"

#: (who, what it may never import), by module-name prefix; "smartdoc.pdf" covers pdf_worker.
FORBIDDEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("smartdoc.commands", ("smartdoc.cli",)),
    ("smartdoc.pipeline", ("smartdoc.cli", "smartdoc.commands")),
    ("smartdoc.site", ("smartdoc.cli", "smartdoc.commands", "smartdoc.pipeline")),
    ("smartdoc.pdf", ("smartdoc.cli", "smartdoc.commands", "smartdoc.pipeline")),
    (
        "smartdoc.lint",
        (
            "smartdoc.cli",
            "smartdoc.commands",
            "smartdoc.pipeline",
            "smartdoc.scoring",
            "smartdoc.site",
            "smartdoc.pdf",
        ),
    ),
    (
        "smartdoc.scoring",
        (
            "smartdoc.cli",
            "smartdoc.commands",
            "smartdoc.pipeline",
            "smartdoc.lint",
            "smartdoc.site",
            "smartdoc.pdf",
            "smartdoc.load",
            "smartdoc.config",
        ),
    ),
)
FOUNDATION = (
    "smartdoc.errors",
    "smartdoc.options",
    "smartdoc.config",
    "smartdoc.source",
    "smartdoc.load",
    "smartdoc.model",
    "smartdoc.cadence",
    "smartdoc.discover",
    "smartdoc.cache",
    "smartdoc.theme",
)
ABOVE_FOUNDATION = (
    "smartdoc.cli",
    "smartdoc.commands",
    "smartdoc.pipeline",
    "smartdoc.site",
    "smartdoc.pdf",
    "smartdoc.scoring",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """Return (every smartdoc module imported, those imported at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    every: set[str] = set()
    top: set[str] = set()
    top_nodes = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1]
                    + ([node.module] if node.module else [])
                )
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        names = [n for n in names if n == "smartdoc" or n.startswith("smartdoc.")]
        every.update(names)
        if id(node) in top_nodes:
            top.update(names)
    return every, top


def package_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    every, top = {}, {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        every[name], top[name] = imports_of(path)
    return every, top


def is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".") or name.startswith(prefix + "_")


def broken_contracts(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Return one line per import that breaks a layer contract."""
    found = []
    for module, imported in graph.items():
        for who, never in FORBIDDEN:
            if is_under(module, who):
                found += [
                    f"{module} imports {i}"
                    for i in imported
                    if any(is_under(i, bad) for bad in never)
                ]
        if any(is_under(module, base) for base in FOUNDATION):
            found += [
                f"{module} imports {i}"
                for i in imported
                if any(is_under(i, above) for above in ABOVE_FOUNDATION)
            ]
        if not is_under(module, "smartdoc.cli") and not is_under(module, "smartdoc.commands"):
            found += [f"{module} imports {i}" for i in imported if is_under(i, "smartdoc.commands")]
    return sorted(set(found))


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one import cycle among the modules of `graph`, or None."""
    modules = set(graph)
    edges = {m: sorted({i for i in graph[m] if i in modules and i != m}) for m in graph}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(edges):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_every_layer_keeps_its_contract() -> None:
    every, _ = package_graph()
    assert broken_contracts(every) == []


def test_no_import_cycle_among_module_level_imports() -> None:
    _, top = package_graph()
    assert find_cycle(top) is None


@pytest.mark.parametrize(
    ("graph", "broken"),
    [
        (
            {"smartdoc.commands.lint": {"smartdoc.cli"}},
            "smartdoc.commands.lint imports smartdoc.cli",
        ),
        ({"smartdoc.site.pages": {"smartdoc.pipeline.site"}}, "smartdoc.site.pages imports"),
        ({"smartdoc.pdf_worker": {"smartdoc.commands.build"}}, "smartdoc.pdf_worker imports"),
        ({"smartdoc.scoring": {"smartdoc.lint.registry"}}, "smartdoc.scoring imports"),
        ({"smartdoc.lint.engine": {"smartdoc.scoring"}}, "smartdoc.lint.engine imports"),
        ({"smartdoc.load": {"smartdoc.site.render"}}, "smartdoc.load imports"),
    ],
)
def test_the_contract_check_catches_a_broken_layer(graph: dict[str, set[str]], broken: str) -> None:
    assert any(line.startswith(broken) for line in broken_contracts(graph))


def test_the_cycle_check_catches_a_cycle() -> None:
    graph = {
        "smartdoc.cli": {"smartdoc.commands.build"},
        "smartdoc.commands.build": {"smartdoc.cli"},
    }
    assert find_cycle(graph) == ["smartdoc.cli", "smartdoc.commands.build", "smartdoc.cli"]
