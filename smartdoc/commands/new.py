"""`smartdoc new TITLE`: write `plans/<slug>.md`, a plan skeleton to fill in.

The slug is the title folded to ASCII, lowercased, with hyphens between words
("Café Olé 2027!" -> `cafe-ole-2027`). The skeleton's first front-matter line is the
schema modeline editors read (`# yaml-language-server: $schema=...`): it points at the
`schema.json` the built site publishes (`site_url` when configured, else the relative path
to the local `site/`, which exists after the first `smartdoc build`).

It holds one quantitative and one qualitative goal. Whatever is left to fill in is left out
or empty (YAML null), never a text placeholder where a number belongs: `smartdoc lint` then
lists exactly what is missing (M101 baseline, M102 target, S101 title...), with no type
errors. The period is the calendar year of "today", or the next one from October on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

import click
import yaml

from smartdoc.config import Config
from smartdoc.discover import RESERVED_SLUGS
from smartdoc.errors import OutputError, UsageError
from smartdoc.options import Options

#: Page names the site uses itself (a plan cannot take them).
MAX_SLUG_CHARS = 80
#: Latin letters that Unicode does not decompose into ASCII.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
    }
)

SKELETON = """\
---
# yaml-language-server: $schema={schema}
title: {title}
owner:              # the person who answers for the plan, e.g. Maria Lopez
period: {{start: {start}, end: {end}}}
# budget: {{total: 10000, currency: EUR}}   # the plan budget; goal budgets must fit in it
strategy:           # long-term objectives it serves: key: title, or {{title, area, horizon}}
  # online-sales: Make the web shop 30% of our revenue by {later}
  # brand: {{title: Be the brand young people recommend, area: communication, horizon: {later}}}
goals:
  - id: quantitative-goal   # a short id: lowercase words joined by -
    # title: one result, with figures and a date, e.g.
    #   Grow newsletter subscribers from 2,000 to 3,200 by 31 December {year}
    title:
    kind: quantitative
    area:           # financial (revenue, sales, cost) or communication (reach, social media)
    serves:         # the key of the strategy objective this goal serves
    owner:          # one person
    budget:         # a number in the plan currency (or resources: [people, tools])
    metric:         # what is counted: Newsletter subscribers
    unit:           # subscribers, EUR, visits, %...
    source:         # where the numbers come from: Newsletter tool export
    frequency: monthly
    direction: increase     # increase | decrease | at-least | at-most | range
    deadline: {end}
    baseline:       # the figure before: {{date: {before}, value: 2000}}
    target:         # the figure to reach by the deadline: 3200
    measurements: []        # check-ins during the plan: - {{date: YYYY-MM-DD, value: N}}
  - id: qualitative-goal
    title:          # Raise positive brand mentions from 41% to 55% by December {year}
    kind: qualitative
    area:           # financial or communication
    serves:
    owner:
    budget:
    objective:      # the soft factor: Be seen as a young, fresh brand
    indicator:      # the proxy figure that measures it: Share of positive mentions
    method:         # how the proxy is measured: Monthly social-listening report
    unit: "%"
    frequency: monthly
    direction: increase
    deadline: {end}
    baseline:       # {{date: {before}, value: 41}}
    target:         # 55
    measurements: []        # or a CSV file: data/sentiment.csv (date,value[,note] columns)
---
# Why this plan

Context, audiences, channels and tactics, in Markdown.
"""


def slugify(title: str) -> str:
    """Return the file name stem for a title: ASCII, lowercase, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", title.translate(_LETTERS))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG_CHARS:
        slug = slug[:MAX_SLUG_CHARS].rsplit("-", 1)[0] or slug[:MAX_SLUG_CHARS]
    return slug


def _yaml_text(value: str) -> str:
    """Return `value` as one YAML scalar (quoted only when it must be)."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def plan_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the skeleton's period: this calendar year, or the next one from October on."""
    year = today.year + 1 if today.month >= 10 else today.year
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def schema_reference(config: Config, plan_file: Path) -> str:
    """Return where the plan's modeline points: the published or the locally built schema."""
    if config.site_url:
        return config.site_url.rstrip("/") + "/schema.json"
    target = config.site_path / "schema.json"
    return Path(os.path.relpath(target.absolute(), plan_file.parent.absolute())).as_posix()


def skeleton(config: Config, plan_file: Path, title: str, today: dt.date) -> str:
    """Return the text of a new plan file."""
    start, end = plan_period(today)
    return SKELETON.format(
        schema=schema_reference(config, plan_file),
        title=_yaml_text(title),
        start=start.isoformat(),
        end=end.isoformat(),
        before=(start - dt.timedelta(days=1)).isoformat(),
        year=start.year,
        later=start.year + 2,
    )


def run(config: Config, options: Options, *, title: str, force: bool = False) -> int:
    """Write the skeleton for `title` into the plans folder; print its path."""
    title = title.strip()
    if not title:
        raise UsageError('the title is empty; e.g. smartdoc new "Webshop growth 2027"')
    slug = slugify(title)
    if not slug:
        raise UsageError(
            f"cannot make a file name from the title {title!r}: "
            "use a title with Latin letters or digits"
        )
    if slug in RESERVED_SLUGS:
        raise UsageError(f"the site uses the page name '{slug}.html' itself: choose a longer title")
    plan_file = config.plans_path / f"{slug}.md"
    shown = _shown(plan_file, config.root)
    if (plan_file.exists() or plan_file.is_symlink()) and not force:
        raise UsageError(f"{shown}: already exists; nothing written (use --force to overwrite)")
    if plan_file.is_dir():
        raise UsageError(f"{shown}: is a folder")
    text = skeleton(config, plan_file, title, options.today)
    try:
        config.plans_path.mkdir(parents=True, exist_ok=True)
        if plan_file.is_symlink():
            plan_file.unlink()  # --force replaces the link, never the file it points to
        plan_file.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    if options.quiet:
        click.echo(shown)
    else:
        click.echo(f"Created {shown}")
        click.echo("Fill in the blanks, then `smartdoc lint` lists what is left.")
    return 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            return str(path)
