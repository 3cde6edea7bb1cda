"""`smartdoc.yml`: found by walking up from the working folder, read into a frozen, typed Config.

Every key is declared once here, with its documentation beside it; `smartdoc schema --config`
prints the JSON Schema made from these declarations. A bad value is one `ConfigError` (exit 2)
with the position of the problem: `smartdoc.yml:3:1: unknown key 'lnit'; did you mean 'lint'?`.

The file is read by the same guarded loader as plans (`smartdoc.source.load_yaml`): size,
nesting and alias limits before the parser runs, so a committed config cannot crash or stall
a build any more than a plan can.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from smartdoc.errors import ConfigError
from smartdoc.source import Marks, Problem, decode, load_yaml

CONFIG_NAME = "smartdoc.yml"
CONFIG_NAMES = ("smartdoc.yml", "smartdoc.yaml")
#: Largest config file read, in bytes (the one of `smartdoc init` is 2 KiB).
MAX_CONFIG_BYTES = 1024 * 1024
#: Fields of Config that are set by the loader, never by the file.
_INTERNAL_FIELDS = ("root", "file")

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


def _known_code(value: str) -> str:
    """Refuse a rule code or prefix no rule has: a typo would silently turn checks off."""
    # the rules know their codes; config does not (imported here: the registry loads them)
    from smartdoc.lint.registry import all_rules, unknown_code

    why = unknown_code(value, all_rules())
    if why is not None:
        raise ValueError(why)
    return value


#: A rule code (M101) or a prefix of codes (M, M1), or ALL; checked against the registry.
RuleCode = Annotated[str, AfterValidator(_known_code)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LintConfig(_Section):
    """Which rules run and their thresholds (`lint:` in smartdoc.yml)."""

    select: tuple[RuleCode, ...] = Field(
        ("ALL",), description="Rule codes or prefixes to run (e.g. [S, M101]); ALL for every rule."
    )
    ignore: tuple[RuleCode, ...] = Field((), description="Rule codes or prefixes never reported.")
    severity: dict[RuleCode, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Severity overrides: {M101: warning}."
    )
    per_file_ignores: dict[str, tuple[RuleCode, ...]] = Field(
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
    baseline_grace: float = Field(
        0.10,
        ge=0,
        le=1,
        description=(
            "T105: how long after the period starts a baseline may be dated, as a share of "
            "the period (0.1 = the first tenth: 36 days of a year, 18 months of 15 years)."
        ),
    )
    tolerance: float = Field(
        0.10,
        ge=0,
        le=1,
        description=(
            "Deprecated: use status.tolerance (read for one release; status.tolerance wins "
            "when both are set)."
        ),
    )


class StatusConfig(_Section):
    """How a goal's status is decided (`status:` in smartdoc.yml)."""

    tolerance: float = Field(
        0.10,
        ge=0,
        le=1,
        description=(
            "on-track while progress >= expected - tolerance; at-risk within 2 x tolerance; "
            "off-track below."
        ),
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
    exclude: tuple[str, ...] = Field(
        ("README.md",),
        description=(
            "Globs of files in the plans folder that are not plans: a pattern without '/' "
            "matches a file name in any folder, one with '/' the path inside the plans folder."
        ),
    )
    lint: LintConfig = Field(default_factory=LintConfig)
    status: StatusConfig = Field(default_factory=StatusConfig)
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

    @property
    def status_tolerance(self) -> float:
        """Return the status tolerance: `status.tolerance`, else the deprecated `lint.tolerance`."""
        if "tolerance" in self.status.model_fields_set:
            return self.status.tolerance
        if "tolerance" in self.lint.model_fields_set:
            return self.lint.tolerance
        return self.status.tolerance

    @property
    def deprecations(self) -> tuple[str, ...]:
        """Return one notice per deprecated key this config sets, for the command to print."""
        if "tolerance" not in self.lint.model_fields_set:
            return ()
        where = self.file.name if self.file else "config"
        if "tolerance" in self.status.model_fields_set:
            return (f"{where}: lint.tolerance is deprecated and ignored: status.tolerance is set",)
        return (f"{where}: lint.tolerance is deprecated; move it to status.tolerance",)


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
    shown = file.name  # the config sits at the project root: its project-relative path
    try:
        size = file.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{shown}: file is {size:,} bytes, over the limit of "
                f"{MAX_CONFIG_BYTES // 1024:,} KiB for a config"
            )
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read config: {exc.strerror or exc}") from None
    data, marks = _read_yaml(raw, shown)
    try:
        return Config.model_validate({**data, "root": file.parent.resolve(), "file": file})
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc, marks, shown)) from None


def _read_yaml(raw: bytes, shown: str) -> tuple[dict[str, Any], Marks]:
    """Return the config's mapping and marks, or raise ConfigError at the first problem."""
    text, problems = decode(raw, shown)
    if text is None:
        raise ConfigError(_problem_line(problems[0]))
    data, marks, problems = load_yaml(text, 1, shown, where=shown)
    # E107 (a bare yes/no) is a plan warning; here the typed value decides (`enabled: yes`)
    errors = [problem for problem in problems if problem.code != "E107"]
    if errors:
        raise ConfigError(_problem_line(min(errors, key=_position)))
    if data is None:
        return {}, marks
    if not isinstance(data, dict):
        raise ConfigError(
            f"{shown}:1:1: config must be a mapping of keys (site_name: ..., lint: ...)"
        )
    for key in _INTERNAL_FIELDS:
        if key in data:
            raise ConfigError(_unknown_key_line((key,), marks, shown))
    return data, marks


def _position(problem: Problem) -> tuple[int, int]:
    return problem.location.line, problem.location.column


def _problem_line(problem: Problem) -> str:
    where = problem.location
    return f"{where.file}:{where.line}:{where.column}: {problem.message}"


def _section_model(path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """Return the model of the mapping at `path` (Config for the top), if it is one."""
    model: type[BaseModel] = Config
    for part in path:
        field = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _known_keys(path: tuple[str | int, ...]) -> list[str]:
    model = _section_model(path)
    if model is None:
        return []
    return [
        field.alias or name
        for name, field in model.model_fields.items()
        if not (model is Config and name in _INTERNAL_FIELDS)
    ]


def _dotted(path: tuple[str | int, ...]) -> str:
    """Return `lint.select[1]` for ("lint", "select", 1)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _at(marks: Marks, path: tuple[str | int, ...], shown: str, *, key: bool) -> str:
    found = marks.of(path, prefer_key=key)
    return f"{shown}:{found.line}:{found.column}" if found else f"{shown}:1:1"


def _unknown_key_line(path: tuple[str | int, ...], marks: Marks, shown: str) -> str:
    """Return `smartdoc.yml:L:C: unknown key 'lint.selekt'; did you mean 'lint.select'?`."""
    parent, key = path[:-1], str(path[-1])
    close = difflib.get_close_matches(key, _known_keys(parent), n=1, cutoff=0.6)
    hint = f"; did you mean '{_dotted((*parent, close[0]))}'?" if close else ""
    return f"{_at(marks, path, shown, key=True)}: unknown key '{_dotted(path)}'{hint}"


def _validation_message(exc: ValidationError, marks: Marks, shown: str) -> str:
    """Return the first validation error (in file order) as one positioned line."""

    def path_of(error: Any) -> tuple[Any, ...]:
        # a mapping's key that failed is reported at the key itself (pydantic adds "[key]")
        return tuple(part for part in error["loc"] if part != "[key]")

    def where(error: Any) -> tuple[int, int]:
        found = marks.of(path_of(error))
        return (found.line, found.column) if found else (0, 0)

    error = min(exc.errors(), key=where)
    path = path_of(error)
    if error["type"] == "extra_forbidden":
        return _unknown_key_line(path, marks, shown)
    message = str(error["msg"]).removeprefix("Value error, ")
    at_key = "[key]" in error["loc"]
    return f"{_at(marks, path, shown, key=at_key)}: {_dotted(path)}: {message}"


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
