"""Rule families, one module each; `RULE_MODULES` is the list the registry reads."""

from smartdoc.lint.rules import (
    achievable,
    format,
    history,
    measurable,
    phases,
    relevant,
    specific,
    split,
    timely,
)

RULE_MODULES = (specific, measurable, achievable, relevant, timely, phases, split, history, format)
