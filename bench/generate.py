"""Generate N realistic plans for benchmarks: 10 goals each, 12 check-ins per goal,
a two-page narrative and some CSV data. Deterministic for a given N and seed.

    python -m bench.generate OUT_DIR [-n 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

CHANNELS = ("Instagram", "LinkedIn", "TikTok", "YouTube", "newsletter", "blog", "podcast")
METRICS = (
    ("followers", "followers", "increase"),
    ("referral visits", "visits", "increase"),
    ("online sales", "EUR", "increase"),
    ("qualified leads", "leads", "increase"),
    ("cost per click", "EUR", "decrease"),
    ("churn rate", "%", "decrease"),
    ("search position", "position", "decrease"),
)
PARAGRAPH = (
    "Our audience of 20-49 year olds discovers products on {channel}, where short video "
    "and honest reviews carry more weight than polished adverts. We will publish three times "
    "a week, answer every comment within a day, and test one new format each month. "
    "Results are reviewed in the monthly marketing meeting; tactics that do not move the "
    "indicator within two months are replaced. The budget favours content over paid reach, "
    "with paid reach reserved for launches and seasonal campaigns such as the summer menu."
)


def narrative(rng: random.Random, index: int) -> str:
    """Return about two pages of Markdown."""
    parts = [f"# Why plan {index} matters\n"]
    for section in ("Context", "Audiences", "Channels", "Tactics", "Risks", "Review"):
        parts.append(f"## {section}\n")
        for _ in range(3):
            parts.append(PARAGRAPH.format(channel=rng.choice(CHANNELS)) + "\n")
    parts.append("| Channel | Posts a week | Owner |\n|---|---|---|\n")
    for channel in CHANNELS[:4]:
        parts.append(f"| {channel} | {rng.randint(1, 7)} | Team {rng.randint(1, 9)} |\n")
    return "\n".join(parts)


def goal_yaml(rng: random.Random, plan_index: int, goal_index: int, csv_name: str | None) -> str:
    """Return one goal as YAML text, with 12 monthly check-ins."""
    metric, unit, direction = METRICS[goal_index % len(METRICS)]
    kind = "qualitative" if goal_index % 5 == 4 else "quantitative"
    serves = "revenue" if goal_index % 2 else "brand"
    base = rng.randint(40, 60) if unit == "%" else rng.randint(1000, 50000)
    if direction == "increase":
        target = round(base * rng.uniform(1.1, 1.5)) if unit != "%" else min(95, base + 15)
    else:
        target = round(base * rng.uniform(0.6, 0.9))
    lines = [
        f"  - id: goal-{goal_index + 1}",
        f"    title: Move {metric} from {base:,} to {target:,} {unit} by 30 November 2026",
        f"    kind: {kind}",
        # revenue goals are financial, brand goals communication (the objectives' areas)
        f"    area: {'financial' if serves == 'revenue' else 'communication'}",
        f"    serves: {serves}",
        "    owner: Maria Lopez",
        f"    budget: {rng.randint(500, 3000)}",
        "    frequency: monthly",
        f"    direction: {direction}",
        "    deadline: 2026-11-30",
        f"    baseline: {{date: 2025-12-31, value: {base}}}",
        f"    target: {target}",
        f'    unit: "{unit}"',
    ]
    if kind == "qualitative":
        lines += [
            "    objective: Be seen as a young, fresh brand",
            f"    indicator: Share of positive mentions of {metric}",
            "    method: Monthly social-listening report",
        ]
    else:
        lines += [f"    metric: {metric.capitalize()}", "    source: Analytics export"]
    if csv_name:
        lines.append(f"    measurements: data/{csv_name}")
    else:
        lines.append("    measurements:")
        for month in range(1, 12):
            value = round(base + (target - base) * month / 12 * rng.uniform(0.7, 1.2), 1)
            lines.append(f"      - {{date: 2026-{month:02d}-01, value: {value}}}")
    return "\n".join(lines)


def csv_text(rng: random.Random) -> str:
    """Return 11 monthly check-ins as CSV."""
    rows = ["date,value,note"]
    value = 100.0
    for month in range(1, 12):
        value = round(value * rng.uniform(1.0, 1.05), 1)
        rows.append(f"2026-{month:02d}-01,{value},")
    return "\n".join(rows) + "\n"


def generate(out: Path, count: int, seed: int = 1) -> list[Path]:
    """Write `count` plans (and their CSV files) into `out/plans`; return the plan paths."""
    rng = random.Random(seed)
    plans_dir = out / "plans"
    (plans_dir / "data").mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        csv_name = f"plan-{index:05d}.csv" if index % 4 == 0 else None
        if csv_name:
            (plans_dir / "data" / csv_name).write_text(csv_text(rng), encoding="utf-8")
        goals = [goal_yaml(rng, index, g, csv_name if g == 0 else None) for g in range(10)]
        text = "\n".join(
            [
                "---",
                f"title: Plan {index:05d} for the social media team",
                "owner: Maria Lopez",
                "period: {start: 2026-01-01, end: 2026-12-31}",
                "strategy:",
                "  revenue: {title: Increase online revenue by 3% a year, area: financial, "
                "horizon: 2028}",
                "  brand: {title: 'Be seen as a young, fresh brand by 20-49 year olds', "
                "area: communication, horizon: 2029}",
                "budget: {total: 40000, currency: EUR}",
                "goals:",
                *goals,
                "---",
                narrative(rng, index),
            ]
        )
        path = plans_dir / f"plan-{index:05d}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.count, args.seed)
    print(f"wrote {args.count} plans to {args.out / 'plans'} ({dt.date.today()})")


if __name__ == "__main__":
    main()
