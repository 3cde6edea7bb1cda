"""Mutation testing: how many small wrong changes to a module do its tests notice?

Run `make mutate` (or `.venv/bin/python scripts/mutate.py --help`). Not part of `make test`.

Each mutant is one change made with the `ast` module: a comparison flipped (`<` <-> `<=`,
`>` <-> `>=`, `==` <-> `!=`, `in` <-> `not in`, `is` <-> `is not`), a number constant moved
by +1 or -1, `and` <-> `or`, a condition negated (`if`, `while`, `... if ... else`,
comprehension filters), or a `return X` made `return None`. Only the node's own text is
replaced, so the rest of the file (comments, docstrings, layout) stays as written.

Mutants are applied one at a time to a temporary copy of the project (never to the work
tree), and only the test files mapped to that module run (`pytest -x -q`, a timeout per
mutant). A mutant is *killed* when the tests fail, *survived* when they pass, *timeout*
when they run past the limit (counted as detected in the score). Mutants in one module
are drawn with `--sample N --seed S`, so a run before and after new tests compares the
same mutants while the module is unchanged.

Why a script and not a tool: mutmut 3 skips decorated functions (every lint rule is a
`@rule(...)` function) and its trampolines are not seen by tests that start
`python -m smartdoc.cli` in a subprocess; cosmic-ray edits the module in place in the
tree it runs in and has no sampling. Fifty lines of `ast` do what we need here.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Module -> the test files that exercise it (files not present yet are skipped).
_RULE_TESTS = (
    "tests/test_rules.py",
    "tests/test_rules_sound.py",
    "tests/test_rules_sound_rtpq.py",
    "tests/test_rule_edges.py",
)
TESTS: dict[str, tuple[str, ...]] = {
    "smartdoc/scoring/goal.py": (
        "tests/test_scoring.py",
        "tests/test_scoring_edges.py",
        "tests/test_scoring_as_of.py",
        "tests/test_json_types.py",
    ),
    "smartdoc/scoring/rollup.py": (
        "tests/test_scoring.py",
        "tests/test_rollups.py",
        "tests/test_json_types.py",
    ),
    "smartdoc/scoring/results.py": (
        "tests/test_scoring.py",
        "tests/test_scoring_edges.py",
        "tests/test_rollups.py",
    ),
    "smartdoc/site/plans_json.py": (
        "tests/test_json_types.py",
        "tests/test_rollups.py",
        "tests/test_plan_page.py",
    ),
    "smartdoc/source.py": (
        "tests/test_malformed.py",
        "tests/test_bounds.py",
        "tests/test_source_edges.py",
        "tests/test_json_types.py",
    ),
    **{
        f"smartdoc/lint/rules/{path.name}": _RULE_TESTS
        for path in sorted((REPO / "smartdoc" / "lint" / "rules").glob("*.py"))
        if path.name != "__init__.py"
    },
}

_FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
#: Left out of the scratch project at any depth (venvs, caches)...
_IGNORED_ANYWHERE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "*.egg-info",
    ".*_cache",
    ".hypothesis",
    "__pycache__",
    ".smartdoc_cache",
)
#: ...and these only where they are output: the project's top folder (`smartdoc/site` is
#: code) and bench/out (generated plans).
_IGNORED_AT = {REPO: {"site", "build", "dist"}, REPO / "bench": {"out"}}


def _ignored(folder: str, names: list[str]) -> set[str]:
    """Return the names under `folder` not copied into the scratch project."""
    return set(_IGNORED_ANYWHERE(folder, names)) | (
        _IGNORED_AT.get(Path(folder), set()) & set(names)
    )


@dataclass(frozen=True, slots=True)
class Mutant:
    """One change: the text span it replaces (1-based line, 0-based byte column) and with what."""

    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str
    description: str


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Return ids of nodes not to mutate: docstrings, annotations, f-string parts."""
    skipped: set[int] = set()

    def skip(node: ast.AST | None) -> None:
        if node is not None:
            skipped.update(id(child) for child in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip(node)
        elif isinstance(node, ast.AnnAssign | ast.arg):
            skip(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip(node.returns)
    return skipped


def _expr(node: ast.expr, text: str, what: str) -> Mutant:
    return Mutant(
        node.lineno,
        node.col_offset,
        node.end_lineno or node.lineno,
        node.end_col_offset or 0,
        f"({text})",
        what,
    )


def find_mutants(source: str) -> list[Mutant]:
    """Return every mutant of a module's source, in file order."""
    tree = ast.parse(source)
    skipped = _skipped_nodes(tree)
    found: list[Mutant] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                flipped = _FLIPS.get(type(op))
                if flipped is None:
                    continue
                ops = list(node.ops)
                ops[index] = flipped()
                mutated = ast.Compare(node.left, ops, node.comparators)
                what = f"{type(op).__name__} -> {flipped.__name__}"
                found.append(_expr(node, ast.unparse(mutated), what))
        elif isinstance(node, ast.BoolOp):
            other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            mutated_op = ast.BoolOp(other, node.values)
            what = f"{type(node.op).__name__.lower()} -> {type(other).__name__.lower()}"
            found.append(_expr(node, ast.unparse(mutated_op), what))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            for step in (1, -1):
                value = node.value + step
                found.append(_expr(node, repr(value), f"{node.value!r} -> {value!r}"))
        elif isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Constant) and node.value.value is None:
                continue
            found.append(
                Mutant(
                    node.lineno,
                    node.col_offset,
                    node.end_lineno or node.lineno,
                    node.end_col_offset or 0,
                    "return None",
                    "return X -> return None",
                )
            )
        for test in _conditions(node):
            if id(test) not in skipped:
                negated = ast.unparse(ast.UnaryOp(ast.Not(), test))
                found.append(_expr(test, negated, "condition negated"))
    found.sort(key=lambda m: (m.line, m.column, m.description))
    return found


def _conditions(node: ast.AST) -> Iterator[ast.expr]:
    """Yield the conditions a node branches on."""
    if isinstance(node, ast.If | ast.While | ast.IfExp):
        yield node.test
    elif isinstance(node, ast.comprehension):
        yield from node.ifs


def stable_keys(source: str, mutants: list[Mutant]) -> list[str]:
    """Return a key per mutant that survives edits elsewhere in the file (no line numbers).

    The key is the enclosing function, the text replaced, the change, and how many equal
    keys came before it; the sample is drawn on these keys, so a run before and after an
    edit to one function compares the same mutants everywhere else.
    """
    tree = ast.parse(source)
    scopes = sorted(
        (
            (node.lineno, node.end_lineno or node.lineno, node.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ),
        key=lambda scope: scope[1] - scope[0],
    )
    lines = source.encode("utf-8").split(b"\n")
    seen: dict[str, int] = {}
    keys = []
    for mutant in mutants:
        scope = next((name for start, end, name in scopes if start <= mutant.line <= end), "")
        span = b"\n".join(lines[mutant.line - 1 : mutant.end_line])
        cut = len(lines[mutant.end_line - 1]) - mutant.end_column
        text = span[mutant.column : len(span) - cut].decode("utf-8")
        key = f"{scope}|{text}|{mutant.description}"
        seen[key] = seen.get(key, 0) + 1
        keys.append(f"{key}|{seen[key]}")
    return keys


def draw(source: str, mutants: list[Mutant], sample: int | None, seed: int) -> list[Mutant]:
    """Return `sample` mutants drawn by their stable keys (all of them without a sample)."""
    if sample is None or sample >= len(mutants):
        return mutants
    keys = stable_keys(source, mutants)
    ranked = sorted(
        range(len(mutants)),
        key=lambda i: hashlib.sha256(f"{seed}:{keys[i]}".encode()).hexdigest(),
    )
    return [mutants[i] for i in sorted(ranked[:sample])]


def apply(source: str, mutant: Mutant) -> str:
    """Return the source with the mutant's span replaced (columns are UTF-8 byte offsets)."""
    lines = source.encode("utf-8").split(b"\n")
    first, last = mutant.line - 1, mutant.end_line - 1
    head = lines[first][: mutant.column]
    tail = lines[last][mutant.end_column :]
    replaced = head + mutant.replacement.encode("utf-8") + tail
    return b"\n".join([*lines[:first], replaced, *lines[last + 1 :]]).decode("utf-8")


@dataclass(slots=True)
class Tally:
    """Outcomes of one module's mutants."""

    killed: int = 0
    survived: int = 0
    timeout: int = 0
    errors: int = 0

    def add(self, verdict: str) -> None:
        """Count one mutant's verdict: killed, survived, timeout or error."""
        if verdict == "killed":
            self.killed += 1
        elif verdict == "survived":
            self.survived += 1
        elif verdict == "timeout":
            self.timeout += 1
        else:
            self.errors += 1

    @property
    def total(self) -> int:
        return self.killed + self.survived + self.timeout + self.errors

    @property
    def score(self) -> float:
        """Return the share detected: killed or timed out."""
        return (self.killed + self.timeout) / self.total if self.total else 0.0


def run_tests(scratch: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """Run the tests in the scratch project; return (outcome, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("GITHUB_ACTIONS", None)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not slow and not browser",
        *tests,
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=scratch,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout", time.monotonic() - started
    except BaseException:  # Ctrl-C or SIGTERM: leave no test run behind in the scratch copy
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    seconds = time.monotonic() - started
    if code == 0:
        return "survived", seconds
    if code in (1, 2, 3):  # failed, interrupted (an import broke), internal error
        return "killed", seconds
    return "error", seconds  # 4 usage, 5 no tests: a harness problem, not a verdict


def mutate_module(
    module: str, scratch: Path, sample: int | None, seed: int, show: bool
) -> Tally | None:
    """Run the sampled mutants of one module and print its survivors; None if tests fail."""
    tests = [t for t in TESTS[module] if (scratch / t).exists()]
    target = scratch / module
    source = target.read_text(encoding="utf-8")
    outcome, seconds = run_tests(scratch, tests, timeout=1800)
    if outcome != "survived":
        print(f"{module}: the tests do not pass unmutated ({outcome}); skipped", flush=True)
        print(f"  rerun to see why: cd {scratch} && python -m pytest -x -q {' '.join(tests)}")
        return None
    mutants = find_mutants(source)
    chosen = draw(source, mutants, sample, seed)
    limit = max(3 * seconds, seconds + 30)
    print(
        f"{module}: {len(chosen)} of {len(mutants)} mutants, tests {' '.join(tests)} "
        f"({seconds:.1f} s clean, timeout {limit:.0f} s)",
        flush=True,
    )
    tally = Tally()
    try:
        for mutant in chosen:
            target.write_text(apply(source, mutant), encoding="utf-8")
            verdict, _ = run_tests(scratch, tests, limit)
            tally.add(verdict)
            if verdict != "killed" and show:
                print(f"  {verdict}: {module}:{mutant.line}: {mutant.description}", flush=True)
    finally:
        target.write_text(source, encoding="utf-8")
    return tally


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the modules, print a score table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--module",
        action="append",
        help="a module path or a part of one (repeatable); default: all mapped modules",
    )
    parser.add_argument("--sample", type=int, help="mutants drawn per module (default: all)")
    parser.add_argument("--seed", type=int, default=17, help="seed of the draw (default 17)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--quiet", action="store_true", help="do not list survivors")
    args = parser.parse_args(argv)
    modules = [m for m in TESTS if not args.module or any(part in m for part in args.module)]
    if not modules:
        parser.error(f"no module matches {args.module}; known: {', '.join(TESTS)}")
    if args.list:
        for module in modules:
            for mutant in find_mutants((REPO / module).read_text(encoding="utf-8")):
                print(f"{module}:{mutant.line}:{mutant.column + 1}: {mutant.description}")
        return 0
    # SIGTERM unwinds like Ctrl-C, so the scratch copy is removed and no test run is left.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory(prefix="smartdoc-mutate-") as tmp:
        scratch = Path(tmp) / "project"
        shutil.copytree(REPO, scratch, ignore=_ignored, symlinks=True)
        for module in modules:
            tally = mutate_module(module, scratch, args.sample, args.seed, not args.quiet)
            if tally is not None:
                results[module] = tally
    print()
    print(
        f"{'module':40} {'killed':>7} {'survived':>9} {'timeout':>8} {'error':>6} "
        f"{'total':>6} {'score':>7}"
    )
    for module, tally in results.items():
        print(
            f"{module:40} {tally.killed:7} {tally.survived:9} {tally.timeout:8} "
            f"{tally.errors:6} {tally.total:6} "
            + (f"{tally.score:7.1%}" if tally.total else f"{'-':>7}")  # docs only: no code
        )
    return 0 if len(results) == len(modules) else 1


if __name__ == "__main__":
    sys.exit(main())
