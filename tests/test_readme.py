"""The README's tutorial, run word for word, its output compared line for line.

How: every fenced block in the README that follows a `<!-- readme-test -->` comment is a
```console block; its `$ command` lines run in order in one temporary folder (a `cd` line
changes the folder for the next ones), with SOURCE_DATE_EPOCH pinned to 2026-11-23 so dated
output is stable. Each command must exit 0, or 1 where the line ends in `# exits 1`.

What the README shows under a command is compared with what the command prints (stdout and
stderr, in the order written), line for line, after normalising only what must vary from run
to run: durations (`0.42 s` -> `<time>`), sizes (`162.4 KiB` -> `<size>`) and the temporary
folder (`<tmp>`). A line `…` alone stands for any number of lines the README leaves out;
nothing else may be left out or differ.

`<!-- readme-test: run-only -->` marks a block whose commands run (exit codes checked) but
whose output is not compared yet: the output of those commands is being reshaped (say so in
the README before the block; remove the marker once the README shows the new output).
A block after `<!-- readme-test: write PATH -->` is the tutorial's "edit" step: its text is
written to PATH. `smartdoc serve`, which runs until Ctrl-C, is started with `-a
127.0.0.1:0` added (a free port instead of 8000), asked for its front page, and stopped with
SIGINT. The shell-completion lines are checked on their own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shlex
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
EPOCH = str(int(dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc).timestamp()))
MARK = re.compile(
    r"<!-- readme-test(?::\s*(?:write\s+(\S+)|(run-only)))?\s*-->\s*\n```(\w+)\n(.*?)\n```", re.S
)
#: A README output line that stands for any number of lines left out.
ELLIPSIS = "…"


@dataclass
class Step:
    command: str = ""
    expected_exit: int = 0
    shown: list[str] = field(default_factory=list)
    compare: bool = True
    write: tuple[str, str] | None = None


def tutorial_steps(text: str) -> list[Step]:
    steps: list[Step] = []
    for match in MARK.finditer(text):
        target, run_only, language, body = match.groups()
        if target:
            steps.append(Step(write=(target, body + "\n")))
            continue
        assert language == "console", f"a readme-test block must be console, not {language}"
        for line in body.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                code = re.search(r"#\s*exits\s+(\d+)\s*$", command)
                steps.append(
                    Step(
                        command=command,
                        expected_exit=int(code.group(1)) if code else 0,
                        compare=not run_only,
                    )
                )
            else:
                steps[-1].shown.append(line)
    return steps


#: The README writes the user's home folder as this; the test runs with HOME in its folder.
README_HOME = "/home/you"


def normalise(text: str, folder: Path) -> list[str]:
    """Return the lines of `text` with what varies between runs replaced by placeholders."""
    text = text.replace(str(folder / "home"), README_HOME).replace(str(folder), "<tmp>")
    # a project's cache folder is named by a hash of the project's path
    text = re.sub(r"(/\.cache/smartdoc/projects/)[0-9a-f]{24}/", r"\1<hash>/", text)
    text = re.sub(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b", "<time>", text)
    text = re.sub(r"\b\d+(?:\.\d+)?\s?(?:B|KiB|MiB|GiB|kB|MB|GB)\b", "<size>", text)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(shown: list[str], printed: list[str]) -> bool:
    """Return whether `printed` is `shown`, where a line `…` stands for any number of lines."""
    if not shown:
        return not printed
    head, rest = shown[0], shown[1:]
    if head == ELLIPSIS:
        return any(matches(rest, printed[skip:]) for skip in range(len(printed) + 1))
    return bool(printed) and printed[0] == head and matches(rest, printed[1:])


def env(home: Path | None = None) -> dict[str, str]:
    values = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1", "COLUMNS": "200"}
    if home is not None:  # the build cache goes to ~/.cache/smartdoc, as the README says
        values["HOME"] = str(home)
        for moved in ("XDG_CACHE_HOME", "SMARTDOC_CACHE_DIR"):
            values.pop(moved, None)
    values["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleave as on a terminal
    values["PATH"] = str(Path(sys.executable).parent) + os.pathsep + values.get("PATH", "")
    values.pop("GITHUB_ACTIONS", None)
    return values


def test_every_tutorial_console_block_is_tested() -> None:
    text = README.read_text(encoding="utf-8")
    tutorial = text.split("## Tutorial", 1)[1].split("\n## ", 1)[0]
    blocks = len(re.findall(r"^```console$", tutorial, re.M))
    marked = len(re.findall(r"<!-- readme-test(?:: run-only)? -->\s*\n```console", tutorial))
    assert blocks == marked > 0
    commands = [s.command.split()[:2] for s in tutorial_steps(text) if s.command]
    for verb in ("init", "lint", "serve", "build", "new"):
        assert ["smartdoc", verb] in commands, verb


def _serve(command: str, cwd: Path) -> None:
    process = subprocess.Popen(
        [*shlex.split(command), "-a", "127.0.0.1:0"],
        cwd=cwd,
        env=env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url, "serve did not start"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            assert b"smartdoc-live-reload" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        if process.stderr is not None:
            process.stderr.close()


def test_tutorial_word_for_word(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cwd = tmp_path
    steps = tutorial_steps(README.read_text(encoding="utf-8"))
    assert steps
    for step in steps:
        if step.write:
            path, text = step.write
            (cwd / path).write_text(text, encoding="utf-8")
            continue
        words = shlex.split(step.command, comments=True)
        if words[0] == "cd":
            cwd = cwd / words[1]
            assert cwd.is_dir(), step.command
            continue
        if words[:2] == ["smartdoc", "serve"]:
            _serve(" ".join(shlex.quote(w) for w in words), cwd)
            continue
        result = subprocess.run(
            words,
            cwd=cwd,
            env=env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
            check=False,
        )
        output = result.stdout
        assert result.returncode == step.expected_exit, f"$ {step.command}\n{output}"
        if not step.compare:
            continue
        shown = normalise("\n".join(step.shown), tmp_path)
        printed = normalise(output, tmp_path)
        diff = "\n".join(difflib.unified_diff(shown, printed, "README", "printed", lineterm=""))
        assert matches(shown, printed), f"$ {step.command}: the README differs\n{diff}"
    assert (cwd / "site" / "webshop-growth-2027.html").is_file()
    assert (cwd / "site" / "schema.json").is_file()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_lines(shell: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert f"_SMARTDOC_COMPLETE={shell}_source smartdoc" in text
    result = subprocess.run(
        ["smartdoc"],
        env={**env(), "_SMARTDOC_COMPLETE": f"{shell}_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "_SMARTDOC_COMPLETE" in result.stdout


@pytest.mark.parametrize(
    ("shown", "printed", "same"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "…", "z"], ["a", "b", "c", "z"], True),
        (["a", "…", "z"], ["a", "z"], True),
        (["a", "z"], ["a", "b", "z"], False),  # a line left out without `…`
        (["a"], ["a", "b"], False),  # output the README does not show
        (["a", "b"], ["a"], False),
        ([], [], True),
    ],
)
def test_shown_output_must_match_printed_output(
    shown: list[str], printed: list[str], same: bool
) -> None:
    assert matches(shown, printed) is same


def test_only_what_varies_is_normalised(tmp_path: Path) -> None:
    text = f"Built in 0.42 s into {tmp_path}/site (162.4 KiB, 3 files)\nplan 2 of 5\n\n"
    assert normalise(text, tmp_path) == [
        "Built in <time> into <tmp>/site (<size>, 3 files)",
        "plan 2 of 5",
    ]
