"""smartdoc: SMART goals in Markdown plans, linted, scored and published."""

__version__ = "0.1.0"
