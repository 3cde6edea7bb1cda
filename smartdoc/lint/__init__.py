"""The SMART linter: findings, the rule registry and the engine that runs the rules."""
