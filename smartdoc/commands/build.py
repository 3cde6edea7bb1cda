"""`smartdoc build`: lint, score, render the site, and publish it atomically.

Stages, in order (nothing is written until everything is known):

1. Check the output folder (`publish.check_output_dir`): refusing it is exit 2, before
   anything is read, written or deleted.
2. Lint every plan. Error findings (and warnings under `--strict`) refuse the build: the
   findings are printed, the exit code is 1 and the last good site stays as it was.
   Findings of draft plans left out of the build do not refuse it.
3. Score the published plans and render every page in memory. Narrative problems (a link
   to a missing plan, a missing or refused image) are warnings with `file:line`
   (`E120/narrative-reference`), so `--strict` refuses them too.
4. Write the whole tree into a temporary folder beside the output and swap it in.

The site: `index.html` (portfolio), `<slug>.html` per plan (subfolders as in `plans/`),
`rules.html`, `plans.json` (DESIGN §8), `schema.json` (the plan front-matter schema),
`assets/` (the theme's stylesheet) and `media/` (narrative images from inside the project).
"""

from __future__ import annotations

import json
import os
import posixpath
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from smartdoc import __version__
from smartdoc.config import Config
from smartdoc.errors import UsageError
from smartdoc.lint.engine import is_selected
from smartdoc.lint.finding import Finding
from smartdoc.lint.registry import Rule, all_rules
from smartdoc.lint.rules.format import E120 as NARRATIVE_RULE
from smartdoc.load import LoadedPlan, resolve_inside

#: Largest narrative image copied into the site.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Image types a narrative may publish (no SVG: it can carry script when opened directly).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
#: Top-level names the site uses itself; a plan may not take them as its page name.
RESERVED_SLUGS = frozenset({"index", "rules", "404"})
RESERVED_FOLDERS = frozenset({"assets", "media"})
#: For tests only: seconds to sleep after writing each file, so a test can kill a build
#: halfway through writing (tests/test_publish.py).
TEST_WRITE_DELAY_ENV = "SMARTDOC_TEST_WRITE_DELAY"



@dataclass(slots=True)
class SiteFiles:
    """The output tree, in memory: relative path -> bytes, and files copied as they are."""

    pages: dict[str, bytes] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)
    #: What the PDF stage reuses: the Jinja environment, `site` and the plan contexts.
    env: Any = None
    site: dict[str, Any] = field(default_factory=dict)
    plan_contexts: list[dict[str, Any]] = field(default_factory=list)

    def add_text(self, rel_path: str, text: str) -> None:
        """Add a UTF-8 text file."""
        self.pages[rel_path] = text.encode("utf-8")


def run(config: Config, options: Any, *, site_dir: Path | None = None, strict: bool = False,
        pdf: bool | None = None, drafts: bool = False, jobs: str = "auto",
        base_url: str | None = None) -> int:
    """Build the site; return the exit code (0 built, 1 refused by findings)."""
    from smartdoc.project import lint_project
    from smartdoc.site import publish
    from smartdoc.theme import theme_dir

    output = publish.check_output_dir(
        site_dir if site_dir is not None else config.site_path,
        root=config.root,
        sources=[
            ("the plans folder", config.plans_path),
            ("the templates folder", config.root / config.templates_dir),
            ("the built-in theme", theme_dir()),
        ],
    )
    project = lint_project(config, (), options.today)
    published, left_out = select_plans(project.plans, drafts)
    left_out_slugs = {loaded.slug for loaded in left_out}
    findings = [f for f in project.findings if f.plan not in left_out_slugs]

    files = SiteFiles()
    wanted = config.pdf.enabled if pdf is None else pdf
    if not _fails(findings, strict):
        findings = sorted(findings + render_site(
            config, project.today, published, findings, files,
            base_url=base_url or config.site_url, drafts=drafts, with_pdf=wanted,
        ))
        if wanted and not _fails(findings, strict) and files.plan_contexts:
            render_pdfs(config, files.env, files.site, files.plan_contexts, files,
                        base_url=base_url or config.site_url, jobs=jobs, strict=strict)
    _print_findings(config, options, findings, project.today, published, strict)
    if _fails(findings, strict):
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        why = f"{errors} error{'s' if errors != 1 else ''}"
        if strict and warnings:
            why += f" and {warnings} warning{'s' if warnings != 1 else ''} (--strict)"
        click.echo(f"smartdoc: build refused: {why}; {_shown(output)} left unchanged", err=True)
        return 1

    delay = float(os.environ.get(TEST_WRITE_DELAY_ENV, "0") or 0)
    with publish.SiteWriter(output) as writer:
        for rel_path, data in sorted(files.pages.items()):
            writer.write_bytes(rel_path, data)
            if delay:
                time.sleep(delay)
        for rel_path, source in sorted(files.copies.items()):
            writer.copy_file(rel_path, source)
        writer.commit()
    if not options.quiet:
        count = len(published)
        click.echo(f"Built {count} plan{'s' if count != 1 else ''} into {_shown(output)} "
                   f"({len(files.pages) + len(files.copies)} files).", err=True)
    return 0


def _shown(output: Path) -> str:
    try:
        shown = os.path.relpath(output)
    except ValueError:
        shown = str(output)
    return (str(output) if shown.startswith("..") else shown) + os.sep


def select_plans(plans: Sequence[LoadedPlan], drafts: bool
                  ) -> tuple[list[LoadedPlan], list[LoadedPlan]]:
    """Return (plans to publish, draft plans left out); unreadable plans are in neither."""
    published, left_out = [], []
    for loaded in plans:
        if loaded.plan is None:
            continue
        if loaded.plan.draft and not drafts:
            left_out.append(loaded)
        else:
            published.append(loaded)
    return sorted(published, key=lambda p: p.slug), left_out


def _fails(findings: Sequence[Finding], strict: bool) -> bool:
    failing = {"error", "warning"} if strict else {"error"}
    return any(f.severity in failing for f in findings)


def _print_findings(config: Config, options: Any, findings: Sequence[Finding], today: Any,
                    plans: Sequence[LoadedPlan], strict: bool) -> None:
    """Print errors and warnings as `smartdoc lint` would (full on a terminal, else concise)."""
    shown = [f for f in findings if f.severity != "info" or getattr(options, "verbose", False)]
    if not shown:
        return
    from smartdoc import report
    from smartdoc.cli import use_color

    if os.environ.get("GITHUB_ACTIONS") == "true":
        output_format = "github"
    elif sys.stdout.isatty():
        output_format = "full"
    else:
        output_format = "concise"
    files = sorted({p.rel_path for p in plans} | {f.file for f in shown})
    lint_report = report.LintReport(
        findings=shown, today=today, plans=[p.slug for p in plans], files=files, root=config.root,
    )
    text = report.render(output_format, lint_report, color=use_color(options.color))
    click.echo(text.rstrip("\n"))


# --- rendering -----------------------------------------------------------------------------


def _check_slug(loaded: LoadedPlan) -> None:
    first = loaded.slug.split("/", 1)[0]
    if loaded.slug in RESERVED_SLUGS or ("/" in loaded.slug and first in RESERVED_FOLDERS):
        raise UsageError(
            f"{loaded.rel_path}: the page name '{loaded.slug}.html' is used by the site itself; "
            "rename the plan file"
        )


def _narrative_finding(loaded: LoadedPlan, line: int, message: str, config: Config
                       ) -> Finding | None:
    if not is_selected(NARRATIVE_RULE.code, config.lint):
        return None
    return Finding(
        file=loaded.rel_path,
        line=loaded.body_line + line - 1,
        column=1,
        code=NARRATIVE_RULE.code,
        name=NARRATIVE_RULE.name,
        severity=config.lint.severity.get(NARRATIVE_RULE.code, NARRATIVE_RULE.severity),
        message=message,
        plan=loaded.slug,
        goal=None,
    )


def make_image_resolver(loaded: LoadedPlan, config: Config, files: SiteFiles
                        ) -> Callable[[Any], Any]:
    """Return a resolver that publishes images from inside the project under `media/`."""
    from smartdoc.site.markdown import LinkResult

    root = config.root.resolve()
    plan_dir = (config.root / loaded.rel_path).parent
    page_folder = posixpath.dirname(loaded.slug) or "."

    def resolve(request: Any) -> Any:
        path = request.path
        if not path:
            return LinkResult(None, "image without a file name")
        file, why = resolve_inside(path, plan_dir, root)
        if file is None:
            return LinkResult(None, f"image from outside the project refused: {path} ({why})")
        if not file.exists():
            return LinkResult(None, f"missing image: {path}")
        if not file.is_file():
            return LinkResult(None, f"image is not a regular file: {path}")
        if file.suffix.lower() not in IMAGE_SUFFIXES:
            kinds = ", ".join(sorted(IMAGE_SUFFIXES))
            return LinkResult(None, f"image type not published: {path} (use one of {kinds})")
        if file.stat().st_size > MAX_IMAGE_BYTES:
            return LinkResult(None, f"image over {MAX_IMAGE_BYTES // 2**20} MiB: {path}")
        site_rel = "media/" + file.relative_to(root).as_posix()
        files.copies[site_rel] = file
        href = posixpath.relpath(site_rel, page_folder)
        return LinkResult(urllib.parse.quote(href, safe="/"))

    return resolve


def render_site(config: Config, today: Any, published: Sequence[LoadedPlan],
                findings: Sequence[Finding], files: SiteFiles, *, base_url: str | None,
                drafts: bool = False, with_pdf: bool = False) -> list[Finding]:
    """Render every page into `files`; return the narrative findings found on the way."""
    from smartdoc import scoring
    from smartdoc.model import plan_schema
    from smartdoc.site import context
    from smartdoc.site.markdown import make_plan_resolver, make_renderer, render
    from smartdoc.site.render import make_environment

    for loaded in published:
        _check_slug(loaded)
    env = make_environment(config.root / config.templates_dir, config.root)
    site = context.get_site(config, today, __version__, base_url, with_pdf=with_pdf)
    rules = all_rules()
    checked = context.get_checked_letters(rules, config.lint)
    renderer = make_renderer(config.markdown.allow_html)
    slugs = [loaded.slug for loaded in published]
    new_findings: list[Finding] = []

    scores: list[scoring.PlanScore] = []
    plan_pages: list[tuple[LoadedPlan, dict[str, Any]]] = []
    for loaded in published:
        plan = loaded.plan
        assert plan is not None
        letters = context.get_plan_letters(loaded, findings, checked)
        score = scoring.score_plan(plan, today, config.lint.tolerance, slug=loaded.slug,
                                   smart=letters)
        resolver = make_plan_resolver(
            loaded.slug, slugs, resolve_image=make_image_resolver(loaded, config, files)
        )
        rendered = render(renderer, loaded.body, resolve_link=resolver,
                          doc_id=loaded.slug.replace("/", "-"))
        for warning in rendered.warnings:
            finding = _narrative_finding(loaded, warning.line, warning.message, config)
            if finding is not None:
                new_findings.append(finding)
        plan_findings = [f for f in [*findings, *new_findings] if f.plan == loaded.slug]
        narrative = rendered.html if loaded.body.strip() else None
        plan_context = context.get_plan_context(
            loaded, score, sorted(plan_findings), narrative_html=narrative,
            reserved_ids={h.id for h in rendered.headings},
        )
        scores.append(score)
        plan_pages.append((loaded, plan_context))

    objectives = scoring.score_portfolio(scores)
    portfolio = context.get_portfolio_context([c for _, c in plan_pages], scores, objectives)

    index_page = context.get_page(config.site_name, "index.html", "index", base_url=base_url,
                                  description=f"Strategy plans and SMART goals: {config.site_name}")
    files.add_text("index.html", render_template(
        env, "index.html", site=site, page=index_page, portfolio=portfolio))

    for loaded, plan_context in plan_pages:
        path = f"{loaded.slug}.html"
        page = context.get_page(plan_context["title"], path, "plan", base_url=base_url,
                                description=plan_context["summary"])
        files.add_text(path, render_template(env, "plan.html", site=site, page=page,
                                             plan=plan_context))

    rules_renderer = make_renderer(False)
    rules_renderer.disable("anchor")  # ids like "what-it-checks" would repeat on one page
    families = context.get_rule_families(
        rules,
        lambda text: render(rules_renderer, text, base_level=4).html,
    )
    rules_page = context.get_page("Rule catalogue", "rules.html", "rules", base_url=base_url,
                                  description="Every rule smartdoc checks, with examples.")
    files.add_text("rules.html", render_template(
        env, "rules.html", site=site, page=rules_page, families=families))

    document = scoring.plans_json(scores, today)
    document["objectives"] = scoring.portfolio_to_json(objectives)
    files.add_text("plans.json", _dump_json(document))
    files.add_text("schema.json", _dump_json(plan_schema()))
    _add_assets(config, files)
    files.env, files.site = env, site
    files.plan_contexts = [c for _, c in plan_pages]
    return new_findings


class TemplateFailed(UsageError):
    """A template could not be rendered (syntax error, unknown variable, missing file)."""


def render_template(env: Any, name: str, **variables: Any) -> str:
    """Render one template; a template mistake is one clear line (exit 2), not a traceback."""
    import jinja2

    try:
        return str(env.get_template(name).render(**variables))
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise TemplateFailed(f"{_short(where)}:{exc.lineno}: template syntax error: "
                             f"{exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateFailed(f"{name}: template not found: {exc.name}") from None
    except jinja2.TemplateError as exc:
        raise TemplateFailed(f"{name}: template error: {exc.message}") from None


def _short(filename: str) -> str:
    """Return a template file name without the machine's folders."""
    from smartdoc.theme import theme_dir

    path = Path(filename)
    for base, label in ((theme_dir(), "theme"), (Path.cwd(), ".")):
        try:
            return f"{label}/{path.resolve().relative_to(base.resolve()).as_posix()}"
        except ValueError:
            continue
    return filename


def _dump_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _add_assets(config: Config, files: SiteFiles) -> None:
    """Copy the theme's `assets/` folder, overlaid with the project's own `assets/`."""
    from smartdoc.site.render import theme_files
    from smartdoc.theme import theme_dir

    theme = theme_dir()
    for rel in theme_files(theme):
        if rel.startswith("assets/"):
            files.copies[rel] = theme / rel
    project = config.root / config.templates_dir
    if not project.is_dir() or project.resolve() == theme.resolve():
        return
    root = config.root.resolve()
    for rel in theme_files(project):
        if not rel.startswith("assets/"):
            continue
        source = project / rel
        real = source.resolve()
        if not real.is_relative_to(root) or not real.is_file():
            raise UsageError(f"{config.templates_dir}/{rel}: links outside the project; refused")
        files.copies[rel] = real


def render_pdfs(config: Config, env: Any, site: dict[str, Any], plans: Sequence[dict[str, Any]],
                files: SiteFiles, *, base_url: str | None, jobs: str, strict: bool) -> None:
    """Render a scorecard per plan and the handout into `files` (smartdoc.pdf does the work).

    Refused resources are printed as warnings; under --strict they refuse the build (exit 1).
    """
    from smartdoc import pdf as pdf_stage

    pdf_jobs = pdf_stage.get_pdf_jobs(env, site=site, plans=plans, root=config.root,
                                      page_size=config.pdf.page_size, link_base=base_url)
    workers = None if jobs in ("auto", "", None) else _jobs(jobs)
    result = pdf_stage.render_pdfs(pdf_jobs, root=config.root, workers=workers, strict=strict)
    for warning in result.warnings:
        click.echo(f"smartdoc: warning: {warning}", err=True)
    if result.failed:
        raise UsageError("PDFs could not be made: " + ", ".join(result.failed))
    for name, data in result.written.items():
        files.pages[name] = data


def _jobs(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise UsageError(f"--jobs must be a number or 'auto', not {value!r}") from None
    if count < 1:
        raise UsageError("--jobs must be at least 1")
    return count
