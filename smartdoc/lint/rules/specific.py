"""Placeholder: rules of this family are written next."""

RULES = ()
