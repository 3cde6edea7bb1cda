"""S: Specific. Each goal says exactly what result, for whom, with one owner and a stable id.

The title heuristics (figures, vague and weasel words, "and") are written down in
the docstrings of S102 and S103, which are the rule pages users read.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from smartdoc.lint.registry import Hit, rule
from smartdoc.lint.rules._text import goal_label, quoted
from smartdoc.model import Goal

if TYPE_CHECKING:
    from smartdoc.lint.engine import GoalContext

#: Hedges that stay vague even beside a figure ("grow sales significantly, by 5%").
WEASEL_WORDS: tuple[str, ...] = (
    "as much as possible",
    "as soon as possible",
    "asap",
    "where possible",
    "if possible",
    "world-class",
    "best-in-class",
    "significantly",
    "significant",
    "substantially",
    "substantial",
    "considerably",
    "various",
    "several",
    "some",
    "many",
    "try to",
    "aim to",
    "strive to",
    "hopefully",
    "etc",
)

#: Verbs that open a second result after "and" ("... and cut churn to 5%"). Words that are
#: also common metric nouns (reach, lift, open, close, share, sign-ups, views) are left out.
ACTION_VERBS: frozenset[str] = frozenset(
    {
        "achieve",
        "acquire",
        "add",
        "attain",
        "attract",
        "boost",
        "build",
        "convert",
        "create",
        "cut",
        "decrease",
        "deliver",
        "double",
        "drive",
        "earn",
        "enhance",
        "expand",
        "gain",
        "generate",
        "get",
        "grow",
        "halve",
        "hire",
        "hit",
        "improve",
        "increase",
        "keep",
        "launch",
        "lower",
        "maintain",
        "maximise",
        "maximize",
        "minimise",
        "minimize",
        "optimise",
        "optimize",
        "publish",
        "raise",
        "recruit",
        "reduce",
        "retain",
        "sell",
        "strengthen",
        "triple",
        "win",
    }
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
#: Dates, quarters and years: digits that say *when*, not *how much*.
_NOT_FIGURES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    rf"|\b{_ORDINAL}\s+(?:of\s+)?{_MONTH}(?![a-z])"
    rf"|\b{_MONTH}\s+{_ORDINAL}\b"
    r"|\b[QH][1-4]\b|\bFY\s?\d{2,4}\b"
    # a year, unless a unit or % follows it ("sell 2025 mugs" is a figure)
    r"|\b(?:19|20)\d{2}\b(?!\s*%|\s+(?!and\b|or\b|to\b|through\b|for\b|in\b|on\b|at\b|end\b)[a-z])",
    re.IGNORECASE,
)
#: A number standing on its own ("12,000", "55%", "10k", "3x"), not part of a name like
#: "B2B" or "5G".
_FIGURE = re.compile(
    r"(?<![a-z])\d[\d.,]*(?:k|m|bn|x)?(?![a-z])"
    r"|\b(?:double|triple|treble|quadruple|halve|twice|zero)\b",
    re.I,
)
_AND = re.compile(r"\s+(?:and|&|as well as)\s+", re.I)
_BETWEEN = re.compile(r"\bbetween\b.*?\band\b", re.I)
_WORD = re.compile(r"[a-z][a-z'-]+", re.I)
_FILLER = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "to",
        "by",
        "in",
        "on",
        "at",
        "for",
        "from",
        "per",
        "with",
        "than",
        "over",
        "under",
        "within",
        "each",
        "every",
        "end",
        "percent",
        "points",
        "pts",
        "and",
        "or",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
    }
)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SUFFIXES = r"(?:e|es|ed|d|s|ing|ly|th|er|ers|ement|ements|ment|ments|ion|tion|ation|ations)?"


def has_figure(text: str) -> bool:
    """Return True when text holds a figure: a number that is not a date, year or quarter."""
    return bool(_FIGURE.search(_NOT_FIGURES.sub(" ", text)))


@functools.lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    """Match a word with its inflections (improve, improves, improving, improvement)."""
    if " " in word:
        return re.compile(r"\b" + r"\s+".join(map(re.escape, word.split())) + r"\b", re.I)
    stem = word[:-1] if word.endswith("e") and len(word) > 3 else word
    return re.compile(rf"\b{re.escape(stem)}{_SUFFIXES}\b", re.I)


def words_in(text: str, words: tuple[str, ...] | frozenset[str]) -> list[str]:
    """Return the listed words as written in text (inflections included), in list order."""
    found: list[str] = []
    for word in words:
        match = _word_pattern(word).search(text)
        if match and match.group().lower() not in found:
            found.append(match.group().lower())
    return found


def _plural(items: list[str], noun: str) -> str:
    return noun if len(items) == 1 else f"{noun}s"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z%]+", " ", text.lower()).split())


@rule("S101", "title-missing", "error")
def title_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal has no title.

    ## What it checks
    Every goal has a non-empty `title`.

    ## Why
    The title is the goal in one sentence: it heads the goal card, the scorecard row and
    every finding. A goal without one cannot be discussed or reviewed.

    ## Fails
    ```yaml
    goals:
      - id: ig-followers
        metric: Instagram followers
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
        metric: Instagram followers
    ```
    """
    if goal.title:
        return
    label = goal_label(goal, ctx.index)
    yield Hit(("title",), f"{label}: title is missing; state the goal in one sentence")


@rule("S102", "vague-title", "warning")
def vague_title(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal title is vague: a vague verb with no figure, or weasel words.

    ## What it checks
    Two things in `title`, case-insensitively and with inflections (`improving`,
    `improvement`):

    - a word of `lint.vague_words` (improve, increase, boost, more, better, optimize,
      grow...) when the title holds **no figure**. A figure is a number that is not a date,
      a year, a quarter (`Q3`, `H1`, `FY27`) or a day of a month; `double`, `triple`,
      `halve`, `twice` and `zero` count as figures. A four-digit year followed by a word
      other than `and`, `to`, `in`... counts as a figure (`sell 2025 mugs`).
    - weasel words, which stay vague even beside a figure: *as much as possible*,
      *as soon as possible*, *where possible*, *world-class*, *best-in-class*,
      *significantly*, *substantially*, *considerably*, *various*, *several*, *some*,
      *many*, *try to*, *aim to*, *strive to*, *hopefully*, *etc*.

    ## Why
    "Improve our Instagram presence" cannot be checked by anyone; "Grow Instagram followers
    from 12,000 to 18,000 by 30 June 2027" can. A title is what people remember of a goal.

    ## Fails
    ```yaml
    title: Improve our Instagram presence by 2027
    ```

    ## Passes
    ```yaml
    title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    ```
    """
    if not goal.title:
        return
    label = goal_label(goal, ctx.index)
    weasels = words_in(goal.title, WEASEL_WORDS)
    if weasels:
        words = f"{_plural(weasels, 'weasel word')} {quoted(weasels)}"
        yield Hit(("title",), f"{label}: title uses {words}; say exactly how much")
        return
    if has_figure(goal.title):
        return
    vague = words_in(goal.title, ctx.config.vague_words)
    if vague:
        yield Hit(
            ("title",),
            f"{label}: title is vague ({quoted(vague)} with no figure); "
            "name the figure from and to",
        )


def _opens_second_result(left: str, right: str) -> bool:
    """Return True when `right`, the words after an "and", is a result of its own."""
    first = _WORD.match(right.strip())
    if first and words_in(first.group(), ACTION_VERBS):
        return True
    content = [w for w in _WORD.findall(_NOT_FIGURES.sub(" ", right)) if w.lower() not in _FILLER]
    return has_figure(left) and has_figure(right) and bool(content)


@rule("S103", "multiple-results", "warning")
def multiple_results(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal title asks for two results joined by "and".

    ## What it checks
    The title is cut at each `and`, `&` or `as well as` (after dropping `between X and Y`).
    The part after the cut is a second result when either

    - it starts with an action verb (*grow, cut, keep, launch, win, sell, reduce...*), or
    - both parts hold their own figure and the second part names something of its own
      (`... followers to 18,000 and engagement to 4%`).

    Noun phrases such as *Sales and Marketing team*, *Instagram and TikTok* or
    *between 40 and 50* do not match. Verbs that are also common metric names (*reach*,
    *lift*, *open*, *share*) are not treated as verbs.

    ## Why
    A goal with two results has two scores: one can be met while the other is missed, and
    the status can only show one. Split it into two goals, each with its own metric.

    ## Fails
    ```yaml
    title: Grow followers to 18,000 and cut response time to 2 hours by June 2027
    ```

    ## Passes
    ```yaml
    title: Grow Instagram and TikTok followers from 12,000 to 18,000 by June 2027
    ```
    """
    if not goal.title:
        return
    title = _BETWEEN.sub("between", goal.title)
    parts = _AND.split(title)
    for left, right in itertools.pairwise(parts):
        if _opens_second_result(left, right):
            yield Hit(
                ("title",),
                f"{goal_label(goal, ctx.index)}: title asks for two results "
                f"('... and {_clip(right.strip())}'); split it into two goals",
            )
            return


@rule("S104", "title-is-metric", "warning")
def title_is_metric(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal title only repeats the metric (or indicator) name.

    ## What it checks
    `title` compared with `metric` and `indicator`, ignoring case, spaces and punctuation.

    ## Why
    "Instagram followers" names what is counted, not what should happen to it. The title
    says the change, the figure and the date.

    ## Fails
    ```yaml
    title: Instagram followers
    metric: Instagram followers
    ```

    ## Passes
    ```yaml
    title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    metric: Instagram followers
    ```
    """
    if not goal.title:
        return
    title = _normalised(goal.title)
    for field, name in (("metric", goal.metric), ("indicator", goal.indicator)):
        if name and _normalised(name) == title:
            yield Hit(
                ("title",),
                f"{goal_label(goal, ctx.index)}: title only repeats the {field} "
                f"'{name}'; say the change, the figure and the date",
            )
            return


@rule("S105", "owner-missing", "warning")
def owner_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """Nobody owns a goal: it has no `owner` and neither has the plan.

    ## What it checks
    The goal's `owner`; a goal without one belongs to the plan's `owner`, so the finding
    appears only when both are missing (or empty).

    ## Why
    A goal nobody is accountable for is a goal nobody corrects when check-ins fall behind.

    ## Fails
    ```yaml
    title: Social plan 2027
    goals:
      - id: ig-followers
        title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    ```

    ## Passes
    ```yaml
    title: Social plan 2027
    owner: Maria Lopez      # owns every goal that names no owner
    goals:
      - id: ig-followers
        title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    ```
    """
    if goal.owner or ctx.plan.owner:
        return
    label = goal_label(goal, ctx.index)
    yield Hit(
        ("owner",),
        f"{label}: owner is missing (and the plan has none); name the one person accountable",
    )


@rule("S106", "multiple-owners", "warning")
def multiple_owners(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal names more than one owner.

    ## What it checks
    `owner` given as a list of two or more people. The finding is at the second name.

    ## Why
    When two people own a goal, neither does. Name the one accountable person; list
    helpers under `resources`.

    ## Fails
    ```yaml
    owner: [Maria Lopez, Sam Lee]
    ```

    ## Passes
    ```yaml
    owner: Maria Lopez
    resources: [Sam Lee (community manager)]
    ```
    """
    if not isinstance(goal.owner, list) or len(goal.owner) < 2:
        return
    yield Hit(
        ("owner", 1),
        f"{goal_label(goal, ctx.index)}: owner names {len(goal.owner)} people "
        f"({', '.join(goal.owner)}); name the one accountable",
    )


@rule("S107", "id-missing", "error")
def id_missing(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal has no `id`.

    ## What it checks
    Every goal has a non-empty `id`.

    ## Why
    The id is the goal's stable name: findings, `plans.json`, page anchors, shared
    measurement CSVs (`goal` column) and history across edits all key on it. Titles change;
    ids do not.

    ## Fails
    ```yaml
    goals:
      - title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
    ```
    """
    if goal.id:
        return
    yield Hit(
        ("id",),
        f"{goal_label(goal, ctx.index)}: id is missing; add a lowercase-kebab id "
        "such as 'ig-followers'",
    )


@rule("S108", "id-duplicate", "error")
def id_duplicate(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """Two goals of a plan share an `id`.

    ## What it checks
    Each goal's `id` against the goals before it; the finding is on the later one and names
    the line of the first.

    ## Why
    Ids key findings, scores, anchors and CSV rows; a shared id mixes two goals' data.

    ## Fails
    ```yaml
    goals:
      - id: followers
        title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
      - id: followers
        title: Grow TikTok followers from 2,000 to 5,000 by 30 June 2027
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
        title: Grow Instagram followers from 12,000 to 18,000 by 30 June 2027
      - id: tiktok-followers
        title: Grow TikTok followers from 2,000 to 5,000 by 30 June 2027
    ```
    """
    if not goal.id:
        return
    for earlier_index, earlier in enumerate(ctx.plan.goals[: ctx.index]):
        if earlier.id == goal.id:
            line = ctx.loaded.location(("goals", earlier_index, "id")).line
            yield Hit(
                ("id",),
                f"goal '{goal.id}': id is already used by the goal on line {line}; "
                "ids must be unique in a plan",
            )
            return


@rule("S109", "id-malformed", "error")
def id_malformed(goal: Goal, ctx: GoalContext) -> Iterator[Hit]:
    """A goal `id` is not lowercase words joined by `-`.

    ## What it checks
    `id` matches `^[a-z0-9]+(-[a-z0-9]+)*$`: lowercase letters and digits, single hyphens
    between words, no spaces, underscores or accents.

    ## Why
    Ids become URL anchors, file names and JSON keys; one safe spelling keeps links stable
    and makes ids easy to type in CSV files and suppressions.

    ## Fails
    ```yaml
    id: IG Followers
    ```

    ## Passes
    ```yaml
    id: ig-followers
    ```
    """
    if not goal.id or _ID.match(goal.id):
        return
    yield Hit(
        ("id",), f"goal '{goal.id}': id must be lowercase words joined by '-' (e.g. 'ig-followers')"
    )


RULES = (
    title_missing,
    vague_title,
    multiple_results,
    title_is_metric,
    owner_missing,
    multiple_owners,
    id_missing,
    id_duplicate,
    id_malformed,
)
