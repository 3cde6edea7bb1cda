"""`make bench` ends in tables: every target row is written, whatever the figures, and a run's
raw figures (kept as JSON before the tables) give the same tables again (`--table-from`)."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import Measure, _read_raw, _write_raw, table


def _measure(name: str, wall: float, cpu: float, rss: int = 100_000) -> Measure:
    measure = Measure(name)
    measure.seconds = [wall, wall * 1.1, wall * 0.9]
    measure.cpu = [cpu, cpu * 1.1, cpu * 0.9]
    measure.rss = [rss, rss, rss]
    return measure


def _raw() -> tuple[object, ...]:
    floor = {
        "yaml": _measure("yaml", 1.7, 1.7),
        "markdown": _measure("markdown", 0.6, 0.6),
        "jinja": _measure("jinja", 2.9, 2.9),
        "weasyprint": _measure("weasyprint", 40.0, 40.0),
    }
    names = {
        "build --no-pdf": (9.0, 15.0),
        "mkdocs build": (12.0, 12.0),
        "lint": (2.0, 2.5),
        "no-op rebuild": (0.3, 0.3),
        "one plan changed": (1.0, 1.5),
        "build --no-pdf (PDF sample)": (0.7, 0.7),
        "build with PDFs -j 1 (PDF sample)": (45.0, 45.0),
        "build with PDFs -j auto (PDF sample)": (25.0, 48.0),
    }
    cmd = {name: _measure(name, wall, cpu) for name, (wall, cpu) in names.items()}
    history = {
        "lint, history": _measure("lint, history", 2.4, 2.6),
        "lint, no history": _measure("lint, no history", 2.2, 2.4),
    }
    flat = [(250, 4.0, 5.0, 150_000), (1000, 9.0, 15.0, 290_000), (4000, 40.0, 60.0, 400_000)]
    return (1000, 3, 20, floor, cmd, flat, 0.12, history)


def test_every_target_row_is_written_with_its_figure() -> None:
    text = table(*_raw())  # type: ignore[arg-type]
    targets = text.split("| target | measured | goal | met |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in targets.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 9
    assert (
        "| peak RSS of `build --no-pdf` at 250 / 1,000 / 4,000 plans | 146 / 283 / 391 MiB |"
        in (targets)
    )
    assert "<= 300 MiB each (flat) | NO |" in targets
    assert "| a chart's share of its scorecard's WeasyPrint CPU time | 12.0% | <= 15% | yes |" in (
        targets
    )
    assert "| one plan changed / full build (wall) | 11.1% | <= 5% | NO |" in targets


def test_raw_figures_give_the_same_tables_again(tmp_path: Path) -> None:
    raw = _raw()
    _write_raw(tmp_path / "raw.json", raw)
    assert table(*_read_raw(tmp_path / "raw.json")) == table(*raw)  # type: ignore[arg-type]
