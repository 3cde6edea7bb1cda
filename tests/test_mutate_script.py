"""scripts/mutate.py (`make mutate`): its mutants are valid Python and its draw is stable."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import mutate  # noqa: E402

SOURCE = '''\
def pace(day: int, end: int = 10) -> float | None:
    """Return the share."""
    if day >= end and end > 0:
        return 1.0
    return f"{day}" if day < 0 else None
'''


def test_each_kind_of_mutant_is_found_and_replaces_only_its_span() -> None:
    mutated: dict[str, list[str]] = {}
    for mutant in mutate.find_mutants(SOURCE):
        mutated.setdefault(mutant.description, []).append(mutate.apply(SOURCE, mutant))

    def made(description: str, line: str) -> bool:
        return any(line in text for text in mutated[description])

    assert made("GtE -> Gt", "    if (day > end) and end > 0:\n")
    assert made("and -> or", "    if (day >= end or end > 0):\n")
    assert made("return X -> return None", "        return None\n")
    assert made("return X -> return None", "    return None\n")
    assert made("condition negated", "    if (not (day >= end and end > 0)):\n")
    assert made("condition negated", 'return f"{day}" if (not day < 0) else None')
    assert made("10 -> 11", "def pace(day: int, end: int = (11)) -> float | None:")
    assert all('"""Return the share."""' in t for texts in mutated.values() for t in texts)
    # f-strings are never mutated inside: intact, or their whole statement returns None
    assert all(
        'f"{day}"' in t or t.endswith("    return None\n")
        for texts in mutated.values()
        for t in texts
    )


@pytest.mark.parametrize(
    "module",
    ["smartdoc/scoring/goal.py", "smartdoc/source.py", "smartdoc/lint/rules/measurable.py"],
)
def test_every_mutant_of_a_mapped_module_parses(module: str) -> None:
    source = (REPO / module).read_text(encoding="utf-8")
    mutants = mutate.find_mutants(source)
    assert len(mutants) > 50
    for mutant in mutants:
        mutated = mutate.apply(source, mutant)
        assert mutated != source
        ast.parse(mutated)


def test_the_draw_survives_an_edit_elsewhere_in_the_file() -> None:
    source = (REPO / "smartdoc" / "scoring" / "goal.py").read_text(encoding="utf-8")
    edited = "# a new first line\n" + source.replace("low: float = 0.0", "low: float = 0.5")
    before = mutate.draw(source, mutate.find_mutants(source), 60, seed=17)
    after = mutate.draw(edited, mutate.find_mutants(edited), 60, seed=17)
    moved = {(m.line + 1, m.description) for m in before}
    assert len(moved & {(m.line, m.description) for m in after}) >= 55
    assert mutate.draw(source, mutate.find_mutants(source), 60, seed=18) != before


def test_every_mapped_test_file_that_exists_is_a_test_file() -> None:
    for module, tests in mutate.TESTS.items():
        assert (REPO / module).is_file(), module
        assert any((REPO / test).is_file() for test in tests), module


def test_the_scratch_copy_keeps_every_module_and_leaves_output_out() -> None:
    """`site` is output at the top and code under smartdoc/: only the output is left out."""
    assert mutate._ignored(str(REPO), ["site", "smartdoc", "bench", ".venv"]) == {"site", ".venv"}
    assert mutate._ignored(str(REPO / "smartdoc"), ["site", "scoring", "__pycache__"]) == {
        "__pycache__"
    }
    assert mutate._ignored(str(REPO / "bench"), ["out", "generate.py"]) == {"out"}
    for module in mutate.TESTS:
        assert not mutate._ignored(str((REPO / module).parent), [Path(module).name]), module
