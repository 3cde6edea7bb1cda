"""The plan model's own conversions."""

from smartdoc.model import Plan


def test_year_tags_are_read_as_text() -> None:
    assert Plan.model_validate({"tags": ["social media", 2026]}).tags == ["social media", "2026"]
