"""Compare JSON trees with their types: `12000` is not `12000.0`, `1` is not `true`.

`==` in Python says `12000 == 12000.0` and `1 == True`, so a plain comparison cannot see a
figure written as a float where the user wrote a whole number. `assert_json_equal` walks
both trees and fails at the first node whose type or value differs, naming its path.
"""

from __future__ import annotations

import json
from typing import Any


def as_read(document: Any) -> Any:
    """Return the document as a JSON reader gets it: dumped, then parsed."""
    return json.loads(json.dumps(document, allow_nan=False))


def json_differences(got: Any, want: Any, path: str = "$") -> list[str]:
    """Return where two JSON trees differ in type, keys, length or value (empty: equal)."""
    if type(got) is not type(want):
        return [f"{path}: {type(got).__name__} {got!r} is not {type(want).__name__} {want!r}"]
    if isinstance(got, dict):
        if list(got) != list(want):
            return [f"{path}: keys {list(got)} are not {list(want)}"]
        return [d for key in got for d in json_differences(got[key], want[key], f"{path}.{key}")]
    if isinstance(got, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items, not {len(want)}"]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in json_differences(g, w, f"{path}[{i}]")
        ]
    return [] if got == want else [f"{path}: {got!r} is not {want!r}"]


def assert_json_equal(got: Any, want: Any) -> None:
    """Assert two JSON trees are equal node by node, types and key order included."""
    differences = json_differences(got, want)
    assert not differences, "JSON trees differ:\n  " + "\n  ".join(differences)
