"""The Jinja environment of the site and the PDFs: loaders, escaping, filters, error mapping.

One `Environment` per build, made by `make_environment`:

- **Autoescape on** for every template, and `StrictUndefined`, so a typo in a template is an
  error, not an empty string. Plan content never becomes template source: a title of
  `{{ 7*7 }}` is data and prints as written.
- **Loaders**, first match wins: the project's own `templates_dir` (any file overrides the
  built-in file of the same name), then the built-in theme (`smartdoc.theme.theme_dir()`).
  The name prefix `!theme/` always reaches the built-in theme, so an override can extend the
  file it replaces: `{% extends "!theme/base.html" %}`.
- A project template whose real path is outside the project (a symlink out) is refused.
- The display filters are the formatters of `smartdoc.site.format`: `number`, `signed`,
  `quantity`, `currency`, `percent`, `date`.

`render_template` turns every template failure into one `TemplateError` line (exit 2).
"""

from __future__ import annotations

import os
import traceback
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
from jinja2.sandbox import SandboxedEnvironment

from smartdoc.errors import TemplateError
from smartdoc.site.format import (
    format_currency,
    format_date,
    format_number,
    format_percent,
    format_quantity,
    format_signed,
)
from smartdoc.theme import theme_dir

#: Template names starting with this prefix and "/" always load from the built-in theme.
THEME_PREFIX = "!theme"


class TemplateRefused(TemplateError):
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


def make_loader(
    project_templates: Path | None, project_root: Path | None = None
) -> jinja2.BaseLoader:
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


def has_project_templates(project_templates: Path | None) -> bool:
    """Return whether a project has templates of its own (other than the built-in theme)."""
    if project_templates is None or not project_templates.is_dir():
        return False
    return project_templates.resolve() != theme_dir().resolve()


def make_environment(
    project_templates: Path | None = None, project_root: Path | None = None
) -> Environment:
    """Return the one Jinja environment of a build.

    A project's own templates come from the plans repository, so they are as untrusted as
    its plans: with any of them the environment is Jinja's sandbox, where a template can
    read the data it is given but cannot reach Python internals (`{{ ''.__class__ }}` and
    friends fail instead of running code). The built-in theme alone renders unsandboxed.
    """
    if project_templates is not None and project_templates.is_symlink():
        raise TemplateRefused(
            f"{project_templates.name}: the templates folder is a symbolic link; "
            "templates must be files of the project"
        )
    sandboxed = has_project_templates(project_templates)
    kind = SandboxedEnvironment if sandboxed else Environment
    env = kind(
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


def render_template(env: Environment, name: str, **variables: Any) -> str:
    """Render one template; a template mistake is one TemplateError line, not a traceback."""
    try:
        return str(env.get_template(name).render(**variables))
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise TemplateError(
            f"{_short(where)}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except TemplateNotFound as exc:
        raise TemplateError(f"{name}: template not found: {exc.name}") from None
    except jinja2.TemplateError as exc:
        place = _template_line(exc, innermost_only=False) or name
        raise TemplateError(f"{place}: template error: {exc.message}") from None
    except Exception as exc:
        # `{{ 1/0 }}` or `{{ goal.title + 1 }}` fails in the template's own code: say which
        # line of which file. A failure inside smartdoc's Python stays an internal error.
        line = _template_line(exc, innermost_only=True)
        if line is None:
            raise
        raise TemplateError(f"{line}: template error: {type(exc).__name__}: {exc}") from None


def _template_line(exc: BaseException, *, innermost_only: bool) -> str | None:
    """Return "file:line" of the innermost template frame of a render failure, or None.

    Jinja rewrites the traceback of a render so that template code appears as frames whose
    file is the template and whose line is the template's line. With `innermost_only`, only
    a failure raised by the template code itself counts (its last frame is a template's).
    """
    found = None
    frames = list(traceback.walk_tb(exc.__traceback__))
    for frame, lineno in frames:
        filename = frame.f_code.co_filename
        if not filename.endswith(".py") and Path(filename).is_file():
            found = f"{_short(filename)}:{lineno}"
    if innermost_only and frames:
        last = frames[-1][0].f_code.co_filename
        if last.endswith(".py") or not Path(last).is_file():
            return None
    return found


def _short(filename: str) -> str:
    """Return a template file name without the machine's folders."""
    path = Path(filename)
    for base, label in ((theme_dir(), "theme"), (Path.cwd(), ".")):
        try:
            return f"{label}/{path.resolve().relative_to(base.resolve()).as_posix()}"
        except ValueError:
            continue
    return filename


def theme_files(folder: Path | None = None) -> list[str]:
    """Return the theme's files relative to its folder, sorted (for copying assets)."""
    base = folder or theme_dir()
    found = []
    for current, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            found.append(Path(current, name).relative_to(base).as_posix())
    return found
