"""`smartdoc serve`: live rebuilds, the last good pages during a broken edit, and refusals.

The server runs in a subprocess on a free loopback port (`-a 127.0.0.1:0`; it prints the
port it got). Requests are sent with http.client so paths and Host headers go out exactly
as written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from serve_helpers import Served, init_project

from smartdoc.commands.serve import parse_dev_addr
from smartdoc.errors import UsageError
from smartdoc.serve_http import Snapshot, allowed_hosts, inject, is_allowed_host, site_path


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = init_project(tmp_path / "project")
    server = Served(project)
    yield project, server
    server.stop()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edit_rebuilds_broken_edit_keeps_last_good_pages(served) -> None:  # type: ignore[no-untyped-def]
    project, server = served
    plan = project / "plans" / "example.md"
    page = server.text("/example.html")
    assert "Example Coffee online plan 2026" in page
    assert 'id="smartdoc-live-reload"' in page
    assert "smartdoc-overlay" not in page
    build = server.state()["build"]

    # an edit shows within a few seconds
    _edit(plan, "title: Example Coffee online plan 2026", "title: Example Coffee web plan 2026")
    state = server.wait_build_after(build)
    assert state["ok"] is True
    assert "Example Coffee web plan 2026" in server.text("/example.html")

    # a broken edit: the last good page stays, with the findings in an overlay
    _edit(plan, "value: 2000}   # before", "value: 2000   # before")
    state = server.wait_build_after(state["build"])  # type: ignore[arg-type]
    assert state["ok"] is False
    broken = server.text("/example.html")
    assert "Example Coffee web plan 2026" in broken
    assert 'id="smartdoc-overlay"' in broken
    overlay = broken[broken.index('id="smartdoc-overlay"') :]
    assert re.search(r"plans/example\.md:\d+:\d+: E104 YAML syntax error", overlay), overlay
    assert "&#x27;" in overlay or "'" not in overlay.split("<pre", 1)[1].split("</pre>")[0]
    assert any("does not build" in line for line in server.lines)
    # other pages are still served too, with the overlay
    assert 'id="smartdoc-overlay"' in server.text("/")

    # fixing it clears the overlay
    _edit(plan, "value: 2000   # before", "value: 2000}   # before")
    state = server.wait_build_after(state["build"])  # type: ignore[arg-type]
    assert state["ok"] is True
    assert "smartdoc-overlay" not in server.text("/example.html")


def test_csv_config_and_new_plans_rebuild(served) -> None:  # type: ignore[no-untyped-def]
    project, server = served
    build = server.state()["build"]
    csv = project / "plans" / "data" / "customer-satisfaction.csv"
    csv.write_text(csv.read_text() + "2026-11-15,97.5,Survey record\n")
    state = server.wait_build_after(build)
    assert state["ok"] is True
    assert "97.5" in server.text("/example.html")

    _edit(project / "smartdoc.yml", "site_name: Example Coffee plans", "site_name: Roastery HQ")
    state = server.wait_build_after(state["build"])  # type: ignore[arg-type]
    assert "Roastery HQ" in server.text("/")

    status, _, _ = server.request("/second.html")
    assert status == 404
    text = (project / "plans" / "example.md").read_text().replace("Example Coffee online", "Second")
    (project / "plans" / "second.md").write_text(text)
    server.wait_build_after(state["build"])  # type: ignore[arg-type]
    assert "Second plan 2026" in server.text("/second.html")


def test_refusals(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, server = served
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    # a symlink in the built output folder: serve never serves site/ at all
    (project / "site").mkdir()
    os.symlink(secret, project / "site" / "leak.txt")
    os.symlink("/etc", project / "site" / "etc")
    for path in (
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/secret.txt",
        "/..%2f..%2fetc/passwd",
        "/assets/..%5c..%5cetc/passwd",
        "/%252e%252e/x",
        "/leak.txt",
        "/site/leak.txt",
        "/etc/passwd",
        "/plans/example.md",
        "/smartdoc.yml",
        "/%ff",
        "/%00",
        "//etc/passwd",
        "/assets/",
    ):
        status, _, body = server.request(path)
        assert status == 404, (path, status)
        assert b"TOP SECRET" not in body and b"root:" not in body
    for host in (
        "evil.example",
        "evil.example:80",
        f"evil.example:{server.port}",
        "127.0.0.1",
        f"127.0.0.1:{server.port + 1}",
        "localhost.evil.example",
    ):
        status, _, _ = server.request("/", host=host)
        assert status == 400, host
    for host in (
        f"localhost:{server.port}",
        f"127.0.0.1:{server.port}",
        f"[::1]:{server.port}",
        f"LOCALHOST:{server.port}",
    ):
        assert server.request("/", host=host)[0] == 200, host
    assert server.request("http://evil.example/")[0] == 400  # absolute-form target
    assert server.request("/", method="POST")[0] == 501
    status, headers, body = server.request("/example.html", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_narrative_image_symlinked_outside_is_not_served(tmp_path: Path) -> None:
    project = init_project(tmp_path / "project")
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\nSECRET")
    os.symlink(outside, project / "plans" / "leak.png")
    plan = project / "plans" / "example.md"
    plan.write_text(plan.read_text() + "\n![leak](leak.png)\n")
    server = Served(project)
    try:
        assert server.state()["ok"] is True
        for path in ("/media/plans/leak.png", "/leak.png", "/plans/leak.png"):
            status, _, body = server.request(path)
            assert status == 404 and b"SECRET" not in body
    finally:
        assert server.stop() == 0


def test_sigint_stops_cleanly(tmp_path: Path) -> None:
    project = init_project(tmp_path / "project")
    before = sorted(p.name for p in project.iterdir())
    server = Served(project)
    assert server.request("/")[0] == 200
    # an open event stream must not keep the server alive
    import http.client

    stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    stream.request("GET", "/__smartdoc/events")
    response = stream.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.readline() == b"retry: 1000\n"
    assert server.stop() == 0  # a clean exit, not the kill that ends a hung server
    assert any("stopped" in line for line in server.lines), server.lines
    assert not any("Traceback" in line for line in server.lines), server.lines
    assert sorted(p.name for p in project.iterdir()) == before  # nothing written, no temp folder
    stream.close()


def test_non_loopback_address_warns(tmp_path: Path) -> None:
    project = init_project(tmp_path / "project")
    import subprocess
    import sys

    from serve_helpers import env, wait_for

    process = subprocess.Popen(
        [sys.executable, "-m", "smartdoc.cli", "serve", "-a", "0.0.0.0:0"],
        cwd=project,
        env=env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "serving http" in line:
                break
        assert any("WARNING" in line and "other machines" in line for line in lines), lines
    finally:
        process.send_signal(2)
        assert process.wait(timeout=15) == 0
        assert process.stderr is not None
        process.stderr.close()
    del wait_for


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("localhost:0", ("localhost", 0)),
        ("[::1]:8080", ("::1", 8080)),
        (":9000", ("127.0.0.1", 9000)),
        ("8001", ("127.0.0.1", 8001)),
    ],
)
def test_parse_dev_addr(text: str, expected: tuple[str, int]) -> None:
    assert parse_dev_addr(text) == expected


@pytest.mark.parametrize("text", ["::1:8000", "host:port", "127.0.0.1:70000", "127.0.0.1"])
def test_parse_dev_addr_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        parse_dev_addr(text)


def test_site_path_and_hosts() -> None:
    assert site_path("/") == "index.html"
    assert site_path("/a/") == "a/index.html"
    assert site_path("/caf%C3%A9.html") == "café.html"
    for bad in ("/../x", "/%2e%2e/x", "/a/./b", "/a\\b", "/%ff", "x", "/a//b"):
        assert site_path(bad) is None, bad
    allowed = allowed_hosts("127.0.0.1", 8000)
    assert is_allowed_host("localhost:8000", allowed, "127.0.0.1")
    assert not is_allowed_host("10.0.0.1:8000", allowed, "127.0.0.1")
    assert not is_allowed_host(None, allowed, "127.0.0.1")
    wildcard = allowed_hosts("0.0.0.0", 8000)
    assert is_allowed_host("10.0.0.1:8000", wildcard, "0.0.0.0")
    assert not is_allowed_host("evil.example:8000", wildcard, "0.0.0.0")


def test_overlay_is_escaped() -> None:
    page = b"<html><body><p>x</p></body></html>"
    out = inject(
        page,
        Snapshot(
            build=3,
            files={},
            ok=False,
            problems=("plans/a.md:2:1: E104 <script>alert(1)</script>",),
        ),
    )
    assert b"<script>alert(1)" not in out
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert out.endswith(b"</body></html>")
