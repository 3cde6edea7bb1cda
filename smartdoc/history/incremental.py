"""Work out an older version of a plan from a newer one, parsing only the goals that differ.

Most commits change one goal of one plan (a check-in added, a target edited). Parsing every
old version in full would cost as much as loading every plan again, so an older version B
is read against a newer version R whose goals and their line spans are known:

1. the lines B and R share at the start and at the end are the same text; the lines between
   (the hunk) are what the commit changed;
2. if the hunk lies inside R's `goals:` list, only the goals whose lines it touches are
   parsed, from B's text (`load_yaml`: the same safe, size-limited loader), and the other
   goals are R's; if the front-matter is identical, B's facts are R's;
3. anything else (a change outside the goals, a flow-style list, goals without unique ids, a
   snippet that does not parse as a list of goals) falls back to a full `read_document`.

The result is the same facts a full parse gives (tests/test_history_incremental.py checks it
on random edits), at a fraction of the cost.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from smartdoc.history.facts import GoalFacts, PlanFacts, facts_from_front_matter
from smartdoc.load import LoadedPlan
from smartdoc.source import Location, Marks, decode, load_yaml, read_document, split

#: Problems that mean a snippet was not read (the full parse reports them its own way).
_UNREAD = frozenset({"E101", "E102", "E103", "E104", "E108"})
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Reference:
    """A version an older one can be worked out from: its front-matter lines and goal spans."""

    #: The file's lines up to and including the closing `---`.
    lines: tuple[str, ...]
    facts: PlanFacts
    #: Per goal, in `facts.goals` order: its first and last line (1-based, inclusive).
    spans: tuple[Span, ...]


def _front_lines(raw: bytes, rel: str) -> tuple[str, ...] | None:
    text, _ = decode(raw, rel)
    if text is None:
        return None
    yaml_text, _, _, body_line, _ = split(text, rel)
    if yaml_text is None:
        return None
    return tuple(text.split("\n")[: body_line - 1])


def _line(point: Any) -> int:
    return point.line if isinstance(point, Location) else int(point[0])


def _spans(marks: Marks, count: int, last_line: int) -> tuple[Span, ...] | None:
    """Return each goal's lines, from the marks of `goals[i]` to the next goal or key."""
    starts = [marks.line_of(("goals", index)) for index in range(count)]
    if not starts or any(start is None for start in starts):
        return None
    lines = [start for start in starts if start is not None]
    if any(later <= earlier for earlier, later in itertools.pairwise(lines)):
        return None
    following = [
        _line(point)
        for path, point in marks.keys.items()
        if len(path) == 1 and _line(point) > lines[-1]
    ]
    end = min(following) - 1 if following else last_line
    ends = [start - 1 for start in lines[1:]] + [end]
    return tuple(zip(lines, ends, strict=True))


def _has_plain_goals(items: Any, facts: PlanFacts) -> bool:
    """Return True when every goal is a mapping with a unique id, as in `facts`."""
    if not isinstance(items, list) or len(items) != len(facts.goals):
        return False
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    return all(isinstance(i, str) for i in ids) and [
        i.strip() for i in ids if isinstance(i, str)
    ] == list(facts.goals)


def parse_version(raw: bytes, rel: str) -> tuple[PlanFacts | None, Reference | None]:
    """Parse a version in full; return its facts (None: unreadable) and a reference."""
    document = read_document(raw, rel)
    if not isinstance(document.front_matter, dict):
        return None, None
    facts = facts_from_front_matter(document.front_matter)
    lines = _front_lines(raw, rel)
    if lines is None or not _has_plain_goals(document.front_matter.get("goals"), facts):
        return facts, None
    spans = _spans(document.marks, len(facts.goals), len(lines) - 1)
    return facts, None if spans is None else Reference(lines, facts, spans)


def reference_from_loaded(loaded: LoadedPlan, raw: bytes, facts: PlanFacts) -> Reference | None:
    """Return the plan on disk (as loaded, `raw` its bytes) as a reference, if it can be one."""
    plan = loaded.plan
    if plan is None or any(len(bad) <= 2 and bad[:1] == ("goals",) for bad in loaded.invalid_paths):
        return None
    ids = [goal.id for goal in plan.goals]
    if any(i is None for i in ids) or ids != list(facts.goals):
        return None
    lines = _front_lines(raw, loaded.rel_path)
    if lines is None:
        return None
    spans = _spans(loaded.marks, len(ids), len(lines) - 1)
    return None if spans is None else Reference(lines, facts, spans)


def parse_from(
    reference: Reference | None, raw: bytes, rel: str
) -> tuple[PlanFacts | None, Reference | None]:
    """Return the facts of `raw` (an older version) and a reference, worked out from a newer one."""
    lines = _front_lines(raw, rel) if reference is not None else None
    if reference is None or lines is None:
        return parse_version(raw, rel)
    worked_out = _work_out(reference, lines, rel)
    return worked_out if worked_out is not None else parse_version(raw, rel)


def _hunk(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    """Return (lines shared at the start, lines shared at the end) of two line lists."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, end


def _affected(spans: tuple[Span, ...], low: int, high: int) -> list[int] | None:
    """Return the goals whose lines meet the hunk low..high (empty hunk: the insertion point)."""
    first, last = spans[0][0], spans[-1][1]
    if low < first or max(high, low - 1) > last:
        return None  # the change is outside the goals list
    touched = [i for i, (a, b) in enumerate(spans) if a <= high and b >= low]
    if touched:
        return touched
    before = low - 1  # an insertion after this line
    return [next((i for i, (a, b) in enumerate(spans) if a <= before <= b), 0)]


def _work_out(
    reference: Reference, lines: tuple[str, ...], rel: str
) -> tuple[PlanFacts, Reference | None] | None:
    if lines == reference.lines:
        return reference.facts, reference
    shared_start, shared_end = _hunk(reference.lines, lines)
    affected = _affected(reference.spans, shared_start + 1, len(reference.lines) - shared_end)
    if affected is None:
        return None
    delta = len(lines) - len(reference.lines)
    low, high = reference.spans[affected[0]][0], reference.spans[affected[-1]][1] + delta
    if high < low - 1:
        return None
    snippet = "\n".join(lines[low - 1 : high]) + "\n"
    items, marks, problems = load_yaml(snippet, low, rel)
    if any(problem.code in _UNREAD for problem in problems):
        return None
    items = [] if items is None else items
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in items
    ):
        return None
    parsed = list(facts_from_front_matter({"goals": items}).goals.values())
    kept = list(reference.facts.goals.values())
    merged: list[GoalFacts] = [*kept[: affected[0]], *parsed, *kept[affected[-1] + 1 :]]
    if len(parsed) != len(items) or len({goal.id for goal in merged}) != len(merged):
        return None  # duplicate ids: the full parse decides which goal wins
    starts = [marks.line_of((index,)) for index in range(len(items))]
    if any(start is None for start in starts):
        return None
    snippet_starts = [low] + [start for start in starts[1:] if start is not None]
    snippet_ends = [start - 1 for start in snippet_starts[1:]] + [high]
    spans = (
        *reference.spans[: affected[0]],
        *(zip(snippet_starts, snippet_ends, strict=True) if items else ()),
        *((a + delta, b + delta) for a, b in reference.spans[affected[-1] + 1 :]),
    )
    facts = PlanFacts(reference.facts.period_start, {goal.id: goal for goal in merged})
    return facts, Reference(lines, facts, tuple(spans)) if spans else None
