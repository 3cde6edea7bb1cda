"""The Jinja environment of the site (and the PDFs): loaders, escaping and display filters.

One `Environment` per build, made by `make_environment`:

- **Autoescape on** for every template, and `StrictUndefined`, so a typo in a template is an
  error, not an empty string. Plan content never becomes template source: a title of
  `{{ 7*7 }}` is data and prints as written.
- **Loaders**, first match wins: the project's own `templates_dir` (any file overrides the
  built-in file of the same name), then the built-in theme (`smartdoc.theme.theme_dir()`).
  The name prefix `!theme/` always reaches the built-in theme, so an override can extend the
  file it replaces: `{% extends "!theme/base.html" %}`.
- A project template whose real path is outside the project (a symlink out) is refused.

Display filters (all print an em dash for a missing value, and never depend on the locale):

| filter | example | output |
|---|---|---|
| `number` | `12000 \\| number`, `0.456 \\| number(2)` | `12,000`, `0.46` |
| `signed` | `-300 \\| signed` | `−300` (`+` for a rise) |
| `quantity` | `41 \\| quantity("%")`, `1200 \\| quantity("followers")` | `41%`, `1,200 followers` |
| `currency` | `40000 \\| currency("EUR")` | `€40,000` |
| `percent` | `0.655 \\| percent` | `66%` (a ratio, not clamped: `-0.2` gives `−20%`) |
| `date` | `d \\| date`, `d \\| date("short")` | `30 June 2027`, `30 Jun 2027` |
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2.loaders import split_template_path

from smartdoc.errors import SmartdocError
from smartdoc.theme import theme_dir

#: Template names starting with this prefix and "/" always load from the built-in theme.
THEME_PREFIX = "!theme"
#: Printed for a value that is missing.
MISSING = "—"
MINUS = "−"

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


class TemplateRefused(SmartdocError):
    """A project template may not be used (it resolves outside the project)."""


class _JailedLoader(FileSystemLoader):
    """A FileSystemLoader that refuses files whose real path is outside `jail`."""

    def __init__(self, folder: Path, jail: Path, label: str) -> None:
        super().__init__(str(folder), followlinks=False)
        self._jail = jail.resolve()
        self._folder = folder
        self._label = label

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # judge the file before the base loader opens it: a symlink out is never read (issue 7)
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.is_symlink() or candidate.exists():
                self._check(candidate, template)
                break
        source, filename, uptodate = super().get_source(environment, template)
        self._check(Path(filename), template)
        return source, filename, uptodate

    def _check(self, path: Path, template: str) -> None:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            real = self._jail.parent
        if not real.is_relative_to(self._jail) or not real.is_file():
            raise TemplateRefused(
                    f"{self._label}/{template}: template links outside the project; refused"
                )


def make_loader(project_templates: Path | None,
                project_root: Path | None = None) -> jinja2.BaseLoader:
    """Return the loader: project templates, then the theme; `!theme/` reaches the theme."""
    theme = theme_dir()
    theme_loader = FileSystemLoader(str(theme))
    loaders: list[jinja2.BaseLoader] = [PrefixLoader({THEME_PREFIX: theme_loader}, delimiter="/")]
    if project_templates is not None and project_templates.is_dir():
        same_as_theme = project_templates.resolve() == theme.resolve()
        if not same_as_theme:
            jail = (project_root or project_templates).resolve()
            label = project_templates.name
            if project_root is not None and project_templates.resolve().is_relative_to(jail):
                label = project_templates.resolve().relative_to(jail).as_posix()
            loaders.append(_JailedLoader(project_templates, jail, label))
    loaders.append(theme_loader)
    return ChoiceLoader(loaders)


def make_environment(project_templates: Path | None = None,
                     project_root: Path | None = None) -> Environment:
    """Return the one Jinja environment of a build."""
    env = Environment(
        loader=make_loader(project_templates, project_root),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        number=format_number,
        signed=format_signed,
        quantity=format_quantity,
        currency=format_currency,
        percent=format_percent,
        date=format_date,
    )
    return env


def template_exists(env: Environment, name: str) -> bool:
    """Return whether `name` can be loaded."""
    try:
        env.get_template(name)
    except TemplateNotFound:
        return False
    return True


# --- filters ----------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: Any, digits: int | None = None) -> str:
    """Return `value` with thousands separators; up to 2 decimals unless `digits` is given."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if digits is None:
        rounded = round(float(value), 2)
        if rounded == int(rounded):
            text = f"{int(rounded):,}"
        else:
            text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{float(value):,.{digits}f}"
    if text.startswith("-"):
        stripped = text[1:]
        return MINUS + stripped if stripped.strip("0.,") else stripped
    return text


def format_signed(value: Any, digits: int | None = None) -> str:
    """Return `value` with thousands separators and an explicit sign (+, −)."""
    text = format_number(value, digits)
    if text == MISSING or text.startswith(MINUS) or not text.strip("0.,"):
        return text
    return "+" + text


def format_quantity(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """Return `value` with its unit: `41%`, `1,200 followers`."""
    text = format_number(value, digits)
    if text == MISSING or not unit:
        return text
    if unit.strip() == "%":
        return text + "%"
    return f"{text} {unit}"


def format_currency(value: Any, code: str | None = "EUR", digits: int | None = None) -> str:
    """Return an amount with its currency: `€40,000`, `CHF 1,500`."""
    text = format_number(value, digits)
    if text == MISSING:
        return text
    code = (code or "").strip().upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    sign = ""
    if text.startswith(MINUS):
        sign, text = MINUS, text[1:]
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{code}\u00a0{text}" if code else sign + text


def format_percent(value: Any, digits: int = 0) -> str:
    """Return a ratio as a percentage (`0.655` -> `66%`); not clamped."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    # round half away from zero, so 0.655 prints 66% on every platform
    scaled = float(value) * 100
    factor = 10**digits
    rounded = math.floor(abs(scaled) * factor + 0.5) / factor
    rounded = math.copysign(rounded, scaled)
    return format_number(rounded, digits) + "%"


def format_date(value: Any, style: str = "long") -> str:
    """Return a date as `30 June 2027` (long), `30 Jun 2027` (short) or `2027-06-30` (iso)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    if style == "iso":
        return value.isoformat()
    month = _MONTHS[value.month - 1]
    if style == "short":
        month = month[:3]
    return f"{value.day} {month} {value.year}"


def theme_files(folder: Path | None = None) -> list[str]:
    """Return the theme's files relative to its folder, sorted (for copying assets)."""
    base = folder or theme_dir()
    found = []
    for current, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            found.append(Path(current, name).relative_to(base).as_posix())
    return found
