"""The PDF jail: only `data:` URLs and regular files inside the project (or the theme) load.

Each refused URL is a warning naming the PDF, the plan and the URL; the PDF still renders;
nothing is embedded as an attachment; a loopback HTTP server receives no request; and
WeasyPrint's log does not reach stderr. `strict=True` makes the refusals one error.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pypdf = pytest.importorskip("pypdf")

from smartdoc import pdf  # noqa: E402

# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
EPOCH = 1700000000


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]  # set per server by the fixture

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server in a thread; yields (port, paths it was asked for)."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with an image inside, and a secret, an image and a link target outside."""
    root = tmp_path / "project"
    (root / "images").mkdir(parents=True)
    (root / "images" / "ok.png").write_bytes(PNG)
    (root / "inside.txt").write_text("inside the project\n", encoding="utf-8")
    (tmp_path / "outside.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("secret\n", encoding="utf-8")
    (root / "images" / "evil.png").symlink_to(tmp_path / "outside.png")
    return root


def job(root: Path, body: str, head: str = "") -> pdf.PdfJob:
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Jail</title>"
        f"<meta name='dcterms.created' content='2023-11-14T22:13:20Z'>{head}</head>"
        f"<body><h1>Jail test ø é ü</h1>{body}</body></html>"
    )
    return pdf.PdfJob("pdf/jail.pdf", "jail-plan", html, str(root) + "/", EPOCH)


def render(root: Path, one: pdf.PdfJob, **options: Any) -> pdf.PdfResult:
    options.setdefault("progress", False)
    return pdf.render_pdfs([one], root=root, cache_dir=root / ".cache", workers=1, **options)


def test_refused_resources_are_warnings_and_the_pdf_still_renders(
    project: Path, server: tuple[int, list[str]], capfd: pytest.CaptureFixture[str]
) -> None:
    port, requests = server
    loopback = f"http://127.0.0.1:{port}"
    head = (
        f"<link rel='stylesheet' href='{loopback}/style.css'>"
        f"<style>@import url({loopback}/imported.css);</style>"
        "<link rel='attachment' href='../secret.txt' title='secret'>"
        "<link rel='attachment' href='inside.txt'>"
    )
    body = (
        "<img src='file:///etc/hostname' alt='a'>"
        "<img src='../outside.png' alt='b'>"
        "<img src='images/evil.png' alt='c'>"
        f"<img src='{loopback}/pixel.png' alt='d'>"
        "<a rel='attachment' href='../secret.txt'>the secret</a>"
        "<img src='images/ok.png' alt='allowed'>"
        f"<img src='data:image/png;base64,{base64.b64encode(PNG).decode()}' alt='data'>"
    )
    result = render(project, job(project, body, head))

    data = result.written["pdf/jail.pdf"]
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert "Jail test ø é ü" in reader.pages[0].extract_text()
    warnings = "\n".join(result.warnings)
    for url in (
        "file:///etc/hostname",
        "../outside.png",
        "images/evil.png",
        f"{loopback}/pixel.png",
        f"{loopback}/style.css",
        f"{loopback}/imported.css",
        "../secret.txt",
        "inside.txt",
    ):
        assert f"refused {url}:" in warnings, url
    assert all(w.startswith("pdf/jail.pdf (plan jail-plan): refused ") for w in result.warnings)
    assert "images/evil.png: links outside the project" in warnings
    assert "attachments are not embedded" in warnings
    assert "ok.png" not in warnings
    # nothing embedded, no request made, nothing printed by WeasyPrint
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert b"secret" not in data and b"/FileAttachment" not in data
    assert requests == []
    captured = capfd.readouterr()
    assert captured.err == ""
    # the allowed images (inside the project, data:) are drawn: two image XObjects
    images = [name for page in reader.pages for name in page.images]
    assert len(images) == 2


def test_strict_turns_refusals_into_one_error_naming_each_url(project: Path) -> None:
    body = "<img src='../outside.png' alt='b'><img src='file:///etc/hostname' alt='a'>"
    with pytest.raises(pdf.PdfRefused) as caught:
        render(project, job(project, body), strict=True)
    assert caught.value.exit_code == 1
    assert "../outside.png" in str(caught.value)
    assert "file:///etc/hostname" in str(caught.value)


def test_a_cached_pdf_reports_its_refusals_again(project: Path) -> None:
    one = job(project, "<img src='../outside.png' alt='b'>")
    first = render(project, one)
    second = render(project, one)
    assert second.rerendered == []
    assert second.warnings == first.warnings != []


def test_a_changed_image_remakes_the_pdf(project: Path) -> None:
    one = job(project, "<img src='images/ok.png' alt='ok'>")
    assert render(project, one).rerendered == ["pdf/jail.pdf"]
    assert render(project, one).rerendered == []
    (project / "images" / "ok.png").write_bytes(PNG + b"\0")
    assert render(project, one).rerendered == ["pdf/jail.pdf"]


def test_relative_links_do_not_write_machine_paths(project: Path) -> None:
    result = render(project, job(project, "<a href='other-plan.html'>other</a>"))
    assert str(project).encode() not in result.written["pdf/jail.pdf"]
    assert any("links to local files are dropped" in w for w in result.warnings)


def test_fetcher_serves_only_inside_the_roots(project: Path, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    from smartdoc.pdf_worker import JailedFetcher, Refused

    fetcher = JailedFetcher([("project", str(project))])
    response = fetcher.fetch((project / "images" / "ok.png").as_uri())
    assert response.read() == PNG
    for url in (
        (tmp_path / "outside.png").as_uri(),
        (project / "images" / "evil.png").as_uri(),
        project.as_uri() + "/../secret.txt",
        (project / "images").as_uri(),
        (project / "missing.png").as_uri(),
        "http://127.0.0.1:9/x",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "file://otherhost/etc/passwd",
    ):
        with pytest.raises(Refused):
            fetcher.fetch(url)
    assert [reason for _, reason in fetcher.refused] == [
        "outside the project",
        "links outside the project",
        "outside the project",
        "not a regular file",
        "missing",
        "http URLs are not fetched",
        "https URLs are not fetched",
        "ftp URLs are not fetched",
        "file URL on another host",
    ]
    assert fetcher.served == [("project", "images/ok.png", hashlib.sha256(PNG).hexdigest())]


def test_a_template_override_cannot_fetch_or_attach(
    tmp_path: Path, server: tuple[int, list[str]]
) -> None:
    """docs/testing.md row 7: an allowed override of the print template reaching out."""
    from test_pdf import get_jobs, make_project

    port, requests = server
    root = make_project(tmp_path / "p")
    (tmp_path / "secret.txt").write_text("secret\n", encoding="utf-8")
    override = root / "templates" / "print" / "scorecard.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "!theme/print/scorecard.html" %}{% block head %}'
        f"<style>@import url(http://127.0.0.1:{port}/x.css);</style>"
        '<link rel="attachment" href="../secret.txt">{% endblock %}',
        encoding="utf-8",
    )
    jobs, _ = get_jobs(root)
    one = next(j for j in jobs if j.name == "pdf/velo-verde-retention-fy27.pdf")
    result = render(root, one)
    assert result.warnings == [
        f"{one.name} (plan velo-verde-retention-fy27): refused "
        f"http://127.0.0.1:{port}/x.css: http URLs are not fetched",
        f"{one.name} (plan velo-verde-retention-fy27): refused ../secret.txt: "
        "attachments are not embedded",
    ]
    reader = pypdf.PdfReader(io.BytesIO(result.written[one.name]), strict=True)
    assert reader.attachments == {}
    assert requests == []


def test_a_pdf_over_its_time_limit_is_not_made(project: Path) -> None:
    result = render(project, job(project, "<p>slow</p>" * 2000), timeout=0.001)
    assert result.failed == ["pdf/jail.pdf"]
    assert result.written == {}
    assert result.warnings == [
        "pdf/jail.pdf (plan jail-plan): PDF not made: took longer than 0.001 s; not made"
    ]
    with pytest.raises(pdf.PdfRefused):
        render(project, job(project, "<p>slow</p>" * 2000), timeout=0.001, strict=True)


def test_progress_bar_only_when_asked_or_on_a_terminal(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    render(project, job(project, "<p>one</p>"), progress=True)
    assert "PDFs [" in capsys.readouterr().err
    pdf.render_pdfs(
        [job(project, "<p>two</p>")], root=project, cache_dir=project / ".cache", workers=1
    )
    assert capsys.readouterr().err == ""
