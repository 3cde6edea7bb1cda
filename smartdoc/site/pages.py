"""The pages of the site: a plan's page and summary, the index, the rules, plans.json.

`SiteRenderer` holds what every page of one build shares (the Jinja environment, the `site`
variable, the rule table, the narrative renderer) and renders one output at a time, so the
pipeline can write each page as soon as it is made and keep only small summaries:

- `render_plan` -> `RenderedPlan`: the page, the plan's template data (for its scorecard),
  the narrative's findings (E120), the images to publish, and a `PlanSummary`;
- `PlanSummary`: all the index, `plans.json` and the portfolio roll-up need of a plan, as
  JSON, so an unchanged plan is summarised from the memo without parsing it again;
- `render_index`, `get_plans_json`, `render_rules_page`, `get_schema_json`, `get_asset_files`.

The site: `index.html` (portfolio), `<slug>.html` per plan (subfolders as in the plans folder),
`rules.html`, `plans.json`, `schema.json`, `assets/` (the theme's stylesheet) and `media/`
(narrative images from inside the project).
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from smartdoc import __version__, scoring
from smartdoc.config import Config
from smartdoc.errors import TemplateError
from smartdoc.lint.engine import is_selected
from smartdoc.lint.finding import Finding
from smartdoc.lint.letters import get_checked_letters, get_plan_letters
from smartdoc.lint.registry import Rule, all_rules
from smartdoc.lint.rules.format import E120 as NARRATIVE_RULE
from smartdoc.load import LoadedPlan, resolve_inside
from smartdoc.model import Objective, Plan
from smartdoc.site import context, goal_card, plans_json
from smartdoc.site.goalposts import PlanHistory, original_goal
from smartdoc.site.render import make_environment, render_template, theme_files
from smartdoc.theme import theme_dir

#: Largest narrative image copied into the site.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Image types a narrative may publish (no SVG: it can carry script when opened directly).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
#: Templates a site page renders from (their closures key the pages in the memo).
PAGE_TEMPLATES = ("index.html", "plan.html", "rules.html")


@dataclass(frozen=True, slots=True)
class RollupGoal:
    """A goal as the portfolio roll-up reads it (`smartdoc.scoring.RollupGoal`)."""

    id: str | None
    title: str | None
    kind: str | None
    serves: str | None
    weight: float
    status: str
    progress: float | None
    #: What the goal adds to roll-ups, 0..1 (`smartdoc.scoring.GoalScore.attainment`).
    attainment: float | None
    smart: Mapping[str, bool | None]
    area: str | None


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What the index, plans.json and the roll-ups need of one plan, kept between builds."""

    slug: str
    #: The plan's card on the index: its template data without goal details or narrative.
    card: Mapping[str, Any]
    #: Strategic objectives the plan declares: key -> description.
    strategy: Mapping[str, str]
    #: The same objectives with their area and horizon.
    objectives: Mapping[str, Objective]
    goals: tuple[RollupGoal, ...]
    #: The plan's object of plans.json, already encoded.
    plan_json: str

    def to_json(self) -> dict[str, Any]:
        """Return the summary as a JSON value (`from_json` reads it back)."""
        return {
            "slug": self.slug,
            "card": self.card,
            "strategy": dict(self.strategy),
            "objectives": {key: [o.title, o.area, o.horizon] for key, o in self.objectives.items()},
            "goals": [
                [
                    g.id,
                    g.title,
                    g.kind,
                    g.serves,
                    g.weight,
                    g.status,
                    g.progress,
                    g.attainment,
                    dict(g.smart),
                    g.area,
                ]
                for g in self.goals
            ],
            "plan_json": self.plan_json,
        }

    @classmethod
    def from_json(cls, value: Any) -> PlanSummary:
        """Return a summary from a JSON value; ValueError when anything is not as written."""
        if not isinstance(value, dict):
            raise ValueError("a summary is a mapping")
        slug, card, strategy = value.get("slug"), value.get("card"), value.get("strategy")
        goals, plan_json = value.get("goals"), value.get("plan_json")
        if not (isinstance(slug, str) and isinstance(card, dict) and isinstance(plan_json, str)):
            raise ValueError("summary fields of the wrong type")
        if not isinstance(strategy, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in strategy.items()
        ):
            raise ValueError("summary strategy is not text -> text")
        if not isinstance(goals, list):
            raise ValueError("summary goals are not a list")
        objectives = value.get("objectives")
        if not isinstance(objectives, dict):
            raise ValueError("summary objectives are not a mapping")
        return cls(
            slug,
            card,
            strategy,
            {key: _objective(key, item) for key, item in objectives.items()},
            tuple(_rollup_goal(item) for item in goals),
            plan_json,
        )


def _objective(key: Any, item: Any) -> Objective:
    if not isinstance(key, str) or not isinstance(item, list) or len(item) != 3:
        raise ValueError("a summary objective is a list of 3 values")
    title, area, horizon = item
    try:  # the model's own validation: the same types as in a plan
        return Objective.model_validate({"title": title, "area": area, "horizon": horizon})
    except PydanticValidationError:
        raise ValueError("summary objective values of the wrong type") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _rollup_goal(item: Any) -> RollupGoal:
    if not isinstance(item, list) or len(item) != 10:
        raise ValueError("a summary goal is a list of 10 values")
    goal_id, title, kind, serves, weight, status, progress, attainment, smart, area = item
    texts = (goal_id, title, kind, serves, area)
    texts_ok = all(v is None or isinstance(v, str) for v in texts)
    numbers_ok = _is_number(weight) and all(
        v is None or _is_number(v) for v in (progress, attainment)
    )
    smart_ok = (
        isinstance(smart, dict)
        and all(isinstance(k, str) for k in smart)
        and all(v in (True, False, None) for v in smart.values())
    )
    if not (texts_ok and numbers_ok and smart_ok and status in scoring.STATUSES):
        raise ValueError("summary goal values of the wrong type")
    return RollupGoal(
        goal_id, title, kind, serves, float(weight), status, progress, attainment, smart, area
    )


@dataclass(frozen=True, slots=True)
class RenderedPlan:
    """One plan, rendered: its page, its data for the scorecard, and its summary."""

    slug: str
    page_path: str
    page_html: str
    #: The template data of the plan (plan.html, the scorecard, the handout).
    context: Mapping[str, Any]
    summary: PlanSummary
    #: Findings the narrative raised (E120), positioned in the plan file.
    findings: tuple[Finding, ...]
    #: Site path -> project file of each narrative image published.
    copies: Mapping[str, Path] = field(default_factory=dict)


def _dump_json(document: Any) -> str:
    # one line: json's C encoder only runs without `indent`, ~10x faster on 1,000 plans
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


class SiteRenderer:
    """What every page of one build shares; renders pages one at a time."""

    def __init__(
        self,
        config: Config,
        today: dt.date,
        *,
        base_url: str | None,
        with_pdf: bool,
        slugs: Sequence[str],
    ) -> None:
        self.config = config
        self.today = today
        self.base_url = base_url
        self.env = make_environment(config.root / config.templates_dir, config.root)
        self.site = context.get_site(config, today, __version__, base_url, with_pdf=with_pdf)
        #: Whether the plans' scorecards are made too (their charts are rendered for print).
        self.with_pdf = with_pdf
        self.rules: dict[str, Rule] = all_rules()
        self.checked_letters = get_checked_letters(self.rules, config.lint)
        self.slugs = frozenset(slugs)
        self._markdown: Any = None

    def _narrative_renderer(self) -> Any:
        if self._markdown is None:
            from smartdoc.site.markdown import make_renderer

            self._markdown = make_renderer(self.config.markdown.allow_html)
        return self._markdown

    # --- one plan --------------------------------------------------------------------------

    def render_plan(
        self,
        loaded: LoadedPlan,
        findings: Sequence[Finding],
        history: PlanHistory | None = None,
    ) -> RenderedPlan:
        """Return a plan's page, template data, narrative findings, images and summary.

        `history` (None outside git) adds moved goalposts and dropped goals to the page and
        to the plan's object in plans.json.
        """
        from smartdoc.site.markdown import make_plan_resolver, render

        plan = loaded.plan
        assert plan is not None, "only readable plans are rendered"
        letters = get_plan_letters(loaded, findings, self.checked_letters)
        score = scoring.score_plan(
            plan,
            self.today,
            self.config.status_tolerance,
            slug=loaded.slug,
            smart=letters,
            staleness_days=self.config.lint.staleness_days,
        )
        originals = self._score_originals(plan, history)
        copies: dict[str, Path] = {}
        resolver = make_plan_resolver(
            loaded.slug, self.slugs, resolve_image=self._image_resolver(loaded, copies)
        )
        narrative = render(
            self._narrative_renderer(),
            loaded.body,
            resolve_link=resolver,
            doc_id=loaded.slug.replace("/", "-"),
        )
        narrative_findings = tuple(
            finding
            for warning in narrative.warnings
            if (finding := self._narrative_finding(loaded, warning.line, warning.message))
        )
        plan_context = context.get_plan_context(
            loaded,
            score,
            sorted([*findings, *narrative_findings]),
            narrative_html=narrative.html if loaded.body.strip() else None,
            reserved_ids={h.id for h in narrative.headings},
            print_charts=self.with_pdf,
            history=history,
            originals=originals,
        )
        page_path = f"{loaded.slug}.html"
        page = context.get_page(
            plan_context["title"],
            page_path,
            "plan",
            base_url=self.base_url,
            description=plan_context["summary"],
        )
        page_html = render_template(
            self.env, "plan.html", site=self.site, page=page, plan=plan_context
        )
        return RenderedPlan(
            slug=loaded.slug,
            page_path=page_path,
            page_html=page_html,
            context=plan_context,
            summary=get_summary(plan_context, score, history),
            findings=narrative_findings,
            copies=copies,
        )

    def _score_originals(
        self, plan: Plan, history: PlanHistory | None
    ) -> dict[str, scoring.GoalScore]:
        """Score each goal whose goalposts moved against the ones it started with."""
        if history is None:
            return {}
        originals = {}
        for goal in plan.goals:
            original = original_goal(goal, history.goals.get(goal.id or ""))
            if original is not None and goal.id is not None:
                originals[goal.id] = scoring.score_goal(
                    original,
                    self.today,
                    self.config.status_tolerance,
                    period=plan.period,
                    staleness_days=self.config.lint.staleness_days,
                )
        return originals

    def _narrative_finding(self, loaded: LoadedPlan, line: int, message: str) -> Finding | None:
        config = self.config.lint
        if not is_selected(NARRATIVE_RULE.code, config):
            return None
        return Finding(
            file=loaded.rel_path,
            line=loaded.body_line + line - 1,
            column=1,
            code=NARRATIVE_RULE.code,
            name=NARRATIVE_RULE.name,
            severity=config.severity.get(NARRATIVE_RULE.code, NARRATIVE_RULE.severity),
            message=message,
            plan=loaded.slug,
            goal=None,
        )

    def _image_resolver(self, loaded: LoadedPlan, copies: dict[str, Path]) -> Callable[[Any], Any]:
        """Return a resolver that publishes images from inside the project under `media/`."""
        from smartdoc.site.markdown import LinkResult

        root = self.config.root.resolve()
        plan_dir = (self.config.root / loaded.rel_path).parent
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
            copies[site_rel] = file
            href = posixpath.relpath(site_rel, page_folder)
            return LinkResult(urllib.parse.quote(href, safe="/"))

        return resolve

    def render_problems_page(self, slug: str, rel_path: str, findings: Sequence[Finding]) -> str:
        """Return the page `smartdoc serve` shows for a plan that cannot be read."""
        path = f"{slug}.html"
        plan = {
            "slug": slug,
            "url": context.page_url(slug),
            "file": rel_path,
            "title": rel_path,
            "findings": [goal_card.finding_data(f) for f in findings],
        }
        page = context.get_page(rel_path, path, "plan", base_url=None)
        return render_template(self.env, "problems.html", site=self.site, page=page, plan=plan)

    # --- the whole site --------------------------------------------------------------------

    def get_portfolio(self, summaries: Sequence[PlanSummary]) -> dict[str, Any]:
        """Return the portfolio's template data: the index's `portfolio`, and the handout's."""
        return context.get_portfolio_context(
            [s.card for s in summaries],
            [g for s in summaries for g in s.goals],
            scoring.score_portfolio(summaries),
        )

    def render_index(self, summaries: Sequence[PlanSummary]) -> str:
        """Return the HTML of the portfolio page."""
        portfolio = self.get_portfolio(summaries)
        site_name = self.config.site_name
        index_page = context.get_page(
            site_name,
            "index.html",
            "index",
            base_url=self.base_url,
            description=f"Strategy plans and SMART goals: {site_name}",
        )
        return render_template(
            self.env, "index.html", site=self.site, page=index_page, portfolio=portfolio
        )

    def render_rules_page(self) -> str:
        """Return the HTML of the rule catalogue."""
        from smartdoc.site.markdown import make_renderer, render

        rules_renderer = make_renderer(False)
        rules_renderer.disable("anchor")  # ids like "what-it-checks" would repeat on one page
        families = context.get_rule_families(
            self.rules, lambda text: render(rules_renderer, text, base_level=4).html
        )
        rules_page = context.get_page(
            "Rule catalogue",
            "rules.html",
            "rules",
            base_url=self.base_url,
            description="Every rule smartdoc checks, with examples.",
        )
        return render_template(
            self.env, "rules.html", site=self.site, page=rules_page, families=families
        )

    def get_plans_json(self, summaries: Sequence[PlanSummary]) -> str:
        """Return plans.json (version 1, docs/commands.md), from each plan's encoded object."""
        objectives = plans_json.portfolio_to_json(scoring.score_portfolio(summaries))
        areas = plans_json.areas_to_json(scoring.score_areas(summaries))
        # the same bytes as one json.dumps(sort_keys=True) of the whole document
        return (
            f'{{"areas": {_dump_json(areas)}, "objectives": {_dump_json(objectives)}, '
            f'"plans": [{", ".join(s.plan_json for s in summaries)}], '
            f'"today": {_dump_json(self.today.isoformat())}, "version": 1}}\n'
        )


def get_summary(
    plan_context: Mapping[str, Any],
    score: scoring.PlanScore,
    history: PlanHistory | None = None,
) -> PlanSummary:
    """Return the summary of a rendered plan."""
    card = {
        key: value
        for key, value in plan_context.items()
        if key not in ("goals", "narrative", "findings", "plan_findings", "strategy", "dropped")
    }
    card["goals"] = [
        {
            "id": g["id"],
            "anchor": g["anchor"],
            "title": g["title"],
            "progress_display": g["progress_display"],
        }
        for g in plan_context["goals"]
    ]
    goals = tuple(
        RollupGoal(
            g.id,
            g.title,
            g.kind,
            g.serves,
            g.weight,
            g.status,
            g.progress,
            g.attainment,
            dict(g.smart),
            g.area,
        )
        for g in score.goals
    )
    return PlanSummary(
        slug=score.slug,
        card=card,
        strategy=dict(score.strategy),
        objectives=dict(score.objectives),
        goals=goals,
        plan_json=_dump_json(
            plans_json.plan_to_json(
                score,
                history=None if history is None else history.goals,
                dropped=None if history is None else history.dropped,
            )
        ),
    )


def get_schema_json() -> str:
    """Return schema.json: the JSON Schema of the plan front-matter."""
    from smartdoc.model import plan_schema

    return _dump_json(plan_schema()) + "\n"


def get_asset_files(config: Config) -> dict[str, Path]:
    """Return the theme's `assets/` files, overlaid with the project's own `assets/`."""
    theme = theme_dir()
    files = {rel: theme / rel for rel in theme_files(theme) if rel.startswith("assets/")}
    project = config.root / config.templates_dir
    if project.is_symlink():  # never walk what a link points at (templates -> /usr)
        raise TemplateError(f"{config.templates_dir}: the templates folder is a symbolic link")
    if not project.is_dir() or project.resolve() == theme.resolve():
        return files
    root = config.root.resolve()
    for rel in theme_files(project):
        if not rel.startswith("assets/"):
            continue
        real = (project / rel).resolve()
        if not real.is_relative_to(root) or not real.is_file():
            raise TemplateError(f"{config.templates_dir}/{rel}: links outside the project; refused")
        files[rel] = real
    return files
