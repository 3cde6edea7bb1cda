"""Hypothesis profiles for `make fuzz`, loaded as a pytest plugin (`-p hypothesis_profiles`).

`long` runs many examples without a deadline. tests/conftest.py may register its own `long`
(it loads later and wins); this keeps `make fuzz` working before it does.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "long",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
