"""`smartdoc.yml`: found by walking up from the working folder, read into a frozen, typed Config.

Every key is declared once here, with its documentation beside it; `smartdoc schema --config`
prints the JSON Schema made from these declarations. A bad value is one `ConfigError` (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartdoc.errors import ConfigError

CONFIG_NAME = "smartdoc.yml"
CONFIG_NAMES = ("smartdoc.yml", "smartdoc.yaml")

DEFAULT_VAGUE_WORDS: tuple[str, ...] = (
    "improve",
    "increase",
    "boost",
    "more",
    "better",
    "optimize",
    "optimise",
    "grow",
    "enhance",
    "maximize",
    "maximise",
    "strengthen",
    "expand",
    "raise",
    "reduce",
    "lower",
    "decrease",
    "best",
    "world-class",
    "significant",
    "significantly",
    "various",
    "some",
    "many",
    "as much as possible",
    "leverage",
    "synergy",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LintConfig(_Section):
    """Which rules run and their thresholds (`lint:` in smartdoc.yml)."""

    select: tuple[str, ...] = Field(
        ("ALL",), description="Rule codes or prefixes to run (e.g. [S, M101]); ALL for every rule."
    )
    ignore: tuple[str, ...] = Field((), description="Rule codes or prefixes never reported.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Severity overrides: {M101: warning}."
    )
    per_file_ignores: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        alias="per-file-ignores",
        description="Glob (relative to the project root) -> codes ignored in matching files.",
    )
    growth_ceiling: float = Field(
        0.5,
        gt=0,
        description=(
            "A101: largest change from baseline to target, as a share of the baseline per "
            "month of time available (0.5 = +50% a month; periods under a month count as one)."
        ),
    )
    staleness_days: int = Field(
        45, gt=0, description="P101: days without a check-in when a goal has no `frequency`."
    )
    history_grace_days: int = Field(
        30,
        ge=0,
        description=(
            "H102/H103: days after the period start a goal may be first committed, and after "
            "its own date a baseline may be committed, before it is reported as late."
        ),
    )
    vague_words: tuple[str, ...] = Field(
        DEFAULT_VAGUE_WORDS, description="S102: words that make a title vague without a figure."
    )
    tolerance: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Status: on-track while progress >= expected - tolerance; at-risk within 2x.",
    )


class PdfConfig(_Section):
    """PDF scorecards (`pdf:`)."""

    enabled: bool = Field(True, description="Render PDFs in `build` (off with --no-pdf).")
    page_size: Literal["A4", "Letter"] = Field("A4", description="A4 or Letter.")


class MarkdownConfig(_Section):
    """Narrative rendering (`markdown:`)."""

    allow_html: bool = Field(
        False, description="Pass raw HTML in narratives through; off: it is shown escaped."
    )


class Config(_Section):
    """A smartdoc project: its folders, site and rule settings."""

    site_name: str = Field("Strategy plans", description="Name shown on every page.")
    site_url: str | None = Field(None, description="Public URL of the site, for absolute links.")
    plans_dir: str = Field("plans", description="Folder of plan files, relative to the root.")
    site_dir: str = Field("site", description="Build output folder, relative to the root.")
    templates_dir: str = Field(
        "templates", description="Folder whose files override the built-in theme by name."
    )
    lint: LintConfig = Field(default_factory=LintConfig)
    pdf: PdfConfig = Field(default_factory=PdfConfig)
    markdown: MarkdownConfig = Field(default_factory=MarkdownConfig)

    #: The folder holding smartdoc.yml (or the working folder when there is none).
    root: Path = Field(Path("."), exclude=True)
    #: The config file read, if any.
    file: Path | None = Field(None, exclude=True)

    @property
    def plans_path(self) -> Path:
        """Return the absolute plans folder."""
        return self.root / self.plans_dir

    @property
    def site_path(self) -> Path:
        """Return the absolute output folder."""
        return self.root / self.site_dir


def find_config(start: Path) -> Path | None:
    """Return the nearest smartdoc.yml in `start` or a parent folder."""
    current = start.resolve()
    for folder in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def load_config(config_file: Path | None = None, start: Path | None = None) -> Config:
    """Read the config named, or the nearest one; defaults when there is none."""
    file = config_file or find_config(start or Path.cwd())
    if file is None:
        return Config(root=(start or Path.cwd()).resolve())
    if not file.is_file():
        raise ConfigError(f"{file}: config file not found")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        problem = getattr(exc, "problem", None) or exc
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: config must be a mapping of keys")
    try:
        return Config.model_validate({**data, "root": file.parent.resolve(), "file": file})
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"{file}: {key}: {error['msg']}") from None


def config_schema() -> dict[str, object]:
    """Return the JSON Schema of smartdoc.yml."""
    schema = Config.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "smartdoc.yml"
    properties = schema.get("properties", {})
    assert isinstance(properties, dict)
    properties.pop("root", None)
    properties.pop("file", None)
    return schema
