"""Stage 2 for the commands that stop at scores: every readable plan of a check, scored.

`smartdoc status` prints these scores and `smartdoc diff` compares two sets of them; the site
scores each plan as it renders it (`smartdoc.site.pages`), with the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartdoc.config import Config
from smartdoc.lint.letters import get_checked_letters, get_plan_letters
from smartdoc.lint.registry import all_rules
from smartdoc.load import LoadedPlan
from smartdoc.options import Options
from smartdoc.pipeline.check import Checked, CheckedPlan
from smartdoc.scoring import PlanScore, score_plan


@dataclass(frozen=True, slots=True)
class ScoredPlan:
    """A readable plan of a check, its loaded model and its score."""

    checked: CheckedPlan
    loaded: LoadedPlan
    score: PlanScore


def score_checked(checked: Checked, config: Config, options: Options) -> list[ScoredPlan]:
    """Return the score of every plan that was loaded and could be read, in path order."""
    letters_checked = get_checked_letters(all_rules(), config.lint)
    scored = []
    for plan in checked.plans:
        loaded = plan.loaded
        if loaded is None or loaded.plan is None:
            continue
        letters = get_plan_letters(loaded, plan.findings, letters_checked)
        score = score_plan(
            loaded.plan,
            options.today,
            config.status_tolerance,
            slug=loaded.slug,
            smart=letters,
            staleness_days=config.lint.staleness_days,
        )
        scored.append(ScoredPlan(plan, loaded, score))
    return scored
