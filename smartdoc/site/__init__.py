"""The site stage: plan narratives, charts and pages rendered from the model."""
