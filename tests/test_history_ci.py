"""The CI recipes `smartdoc init` writes: full history, and a scorecard diff per change request.

GitHub: every checkout has `fetch-depth: 0`; a `diff` job on pull requests runs `smartdoc
diff` against the base branch, comments, and fails on new error findings. GitLab: `GIT_DEPTH:
"0"`; a merge-request job does the same, and its comment script (shipped code) is run here
against a local stand-in for the GitLab API: it posts a note, then updates that note.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from smartdoc.cache import cache_base, choose_cache_base
from smartdoc.commands.init import scaffold

FILES = scaffold(dt.date(2027, 1, 1))
GITHUB = yaml.safe_load(FILES[".github/workflows/smartdoc.yml"])
GITLAB = yaml.safe_load(FILES[".gitlab-ci.yml"])


def test_every_github_checkout_fetches_full_history() -> None:
    checkouts = [
        step
        for job in GITHUB["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("actions/checkout")
    ]
    assert len(checkouts) == 3
    assert all(step.get("with", {}).get("fetch-depth") == 0 for step in checkouts)


def test_github_diff_job_comments_on_pull_requests_and_fails_on_new_errors() -> None:
    job = GITHUB["jobs"]["diff"]
    assert job["if"] == "${{ github.event_name == 'pull_request' }}"
    assert job["permissions"]["pull-requests"] == "write"
    runs = {step.get("name", ""): step for step in job["steps"]}
    diff = runs["Diff the scorecard against the base branch"]
    assert 'smartdoc diff "origin/$BASE_REF" --format markdown > smartdoc-diff.md' in diff["run"]
    assert diff["env"]["BASE_REF"] == "${{ github.base_ref }}"  # never expanded into the script
    comment = runs["Comment on the pull request"]
    assert "!github.event.pull_request.head.repo.fork" in comment["if"]
    assert 'gh pr comment "$PR" --body-file smartdoc-diff.md' in comment["run"]
    fail = runs["Fail when the change introduces error findings"]
    assert fail["if"] == "${{ steps.diff.outputs.status != '0' }}"
    for step in job["steps"]:
        if "run" in step:
            done = subprocess.run(["bash", "-n"], input=step["run"], text=True, check=False)
            assert done.returncode == 0, step["run"]


def test_gitlab_fetches_full_history_and_diffs_merge_requests() -> None:
    assert GITLAB["variables"]["GIT_DEPTH"] == "0"
    job = GITLAB["smartdoc-diff"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    script = "\n".join(job["script"])
    assert 'smartdoc diff "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --format markdown' in script
    assert job["script"][-1] == "exit $status"
    assert subprocess.run(["bash", "-n"], input=script, text=True, check=False).returncode == 0


def test_both_recipes_keep_the_folder_smartdoc_caches_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI build reuses the last run's pages: the folder the recipe keeps is the one
    smartdoc picks under that CI's environment (and a project folder there is accepted)."""
    home = tmp_path / "home" / "runner"
    monkeypatch.setenv("HOME", str(home))
    steps = GITHUB["jobs"]["build"]["steps"]
    cached = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache"))
    assert steps.index(cached) < next(
        i for i, s in enumerate(steps) if s.get("name") == "Build the site"
    )
    github_folder = Path(cached["with"]["path"].replace("~", str(home)))
    assert cache_base({"HOME": str(home)}) == github_folder

    project = tmp_path / "builds" / "group" / "plans"
    project.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)  # CI clones the project
    variables = {
        k: v.replace("$CI_PROJECT_DIR", str(project)) for k, v in GITLAB["variables"].items()
    }
    gitlab_folder, refused = choose_cache_base(project, {"HOME": str(home), **variables})
    assert refused is None
    assert any(gitlab_folder == project / kept for kept in GITLAB["default"]["cache"]["paths"])


class _GitLabStandIn(BaseHTTPRequestHandler):
    notes: list[dict[str, Any]]
    requests: list[tuple[str, str, str]]

    def _reply(self, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self.requests.append((self.command, self.path, self.headers.get("PRIVATE-TOKEN", "")))
        return body

    def do_GET(self) -> None:
        self._record()
        self._reply(self.notes)

    def do_POST(self) -> None:
        body = self._record()
        self.notes.append({"id": 7, "body": _form_body(body)})
        self._reply(self.notes[-1])

    def do_PUT(self) -> None:
        body = self._record()
        self.notes[0]["body"] = _form_body(body)
        self._reply(self.notes[0])

    def log_message(self, *args: object) -> None:
        pass


def _form_body(body: str) -> str:
    from urllib.parse import parse_qs

    return parse_qs(body)["body"][0]


@pytest.fixture
def gitlab_api() -> Iterator[tuple[str, type[_GitLabStandIn]]]:
    handler = type("Handler", (_GitLabStandIn,), {"notes": [], "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v4", handler
    finally:
        server.shutdown()
        server.server_close()


def _comment_script() -> str:
    block = next(line for line in GITLAB["smartdoc-diff"]["script"] if "python - <<'PY'" in line)
    match = re.search(r"<<'PY'\n(.*?)\nPY\n", block, re.S)
    assert match is not None
    return match.group(1)


def test_gitlab_comment_script_posts_then_updates_one_note(
    tmp_path: Path, gitlab_api: tuple[str, type[_GitLabStandIn]]
) -> None:
    url, handler = gitlab_api
    env = {
        **os.environ,
        "CI_API_V4_URL": url,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "5",
        "SMARTDOC_COMMENT_TOKEN": "glpat-test",
    }
    for text in (
        "### smartdoc scorecard: a → b\n\nfirst\n",
        "### smartdoc scorecard: a → b\n\nsecond\n",
    ):
        (tmp_path / "smartdoc-diff.md").write_text(text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", _comment_script()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert [(method, path.split("?")[0]) for method, path, _ in handler.requests] == [
        ("GET", "/api/v4/projects/42/merge_requests/5/notes"),
        ("POST", "/api/v4/projects/42/merge_requests/5/notes"),
        ("GET", "/api/v4/projects/42/merge_requests/5/notes"),
        ("PUT", "/api/v4/projects/42/merge_requests/5/notes/7"),
    ]
    assert {token for _, _, token in handler.requests} == {"glpat-test"}
    assert handler.notes == [{"id": 7, "body": "### smartdoc scorecard: a → b\n\nsecond\n"}]
