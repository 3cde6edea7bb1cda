"""`smartdoc rule CODE` and `smartdoc rules`: the rule catalogue, from the rules' own docs."""

from __future__ import annotations

import difflib
import json

import click

from smartdoc.errors import UsageError
from smartdoc.lint.registry import FAMILIES, Rule, all_rules


def find_rule(code_or_name: str, rules: dict[str, Rule]) -> Rule:
    """Return the rule with this code (`M101`), label (`M101/x`) or name; else a usage error."""
    wanted = code_or_name.strip()
    code = wanted.split("/", 1)[0].upper()
    if code in rules:
        return rules[code]
    by_name = {rule.name: rule for rule in rules.values()}
    if wanted.lower() in by_name:
        return by_name[wanted.lower()]
    close = difflib.get_close_matches(code, list(rules), n=1, cutoff=0.5)
    close = close or difflib.get_close_matches(wanted.lower(), list(by_name), n=1, cutoff=0.6)
    if close:
        match = rules.get(close[0]) or by_name[close[0]]
        hint = f"; did you mean {match.label}?"
    else:
        hint = "; run `smartdoc rules` for the list"
    raise UsageError(f"unknown rule '{wanted}'{hint}")


def get_rule_page(rule: Rule) -> str:
    """Return a rule's documentation page: a header line, then its doc."""
    return f"{rule.label} ({rule.severity})\n\n{rule.doc.strip()}\n"


def run_rule(code: str) -> int:
    """Print the documentation of one rule."""
    click.echo(get_rule_page(find_rule(code, all_rules())), nl=False)
    return 0


def _table(rules: list[Rule]) -> str:
    rows = [("CODE", "NAME", "SEVERITY", "SUMMARY")]
    rows += [(r.code, r.name, r.severity, r.summary) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    return "\n".join(lines) + "\n"


def _markdown(rules: list[Rule]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| Code | Name | Severity | Summary |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.code} | `{r.name}` | {r.severity} | {cell(r.summary)} |" for r in rules]
    return "\n".join(lines) + "\n"


def _json(rules: list[Rule]) -> str:
    items = [
        {
            "code": r.code,
            "name": r.name,
            "family": FAMILIES.get(r.family, r.family),
            "severity": r.severity,
            "summary": r.summary,
            "doc": r.doc,
        }
        for r in rules
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def run_rules(output_format: str = "text") -> int:
    """Print every rule: code, name, default severity and summary."""
    rules = list(all_rules().values())
    render = {"text": _table, "markdown": _markdown, "json": _json}.get(output_format)
    if render is None:
        raise UsageError(f"unknown format '{output_format}'; use text, json or markdown")
    click.echo(render(rules), nl=False)
    return 0
