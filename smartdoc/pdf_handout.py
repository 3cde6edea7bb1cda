"""The handout: a front of its own (cover, portfolio summary, contents) and every scorecard's
pages, put together without laying any plan out again.

The scorecards are made (or reused) first. Their pages are then appended, as they are, to
the front: no plan is laid out twice, a plan that did not change is not laid out at all, and
the handout is exactly the scorecards a client also gets one by one. Each scorecard brings its
outline (plan, then goals) and its links; their anchors start with the plan's own prefix
(`p-<slug>-`, see `smartdoc.pdf.scorecard_id_prefix`), so no two plans share a destination
and no link lands in the wrong plan. The contents give each plan's first page in the handout:
the front is laid out again only if its own length was guessed wrong (at most twice).

pypdf (a test tool until now, a runtime dependency since) appends the pages: merging PDFs is
what it is for, and it writes the same bytes for the same inputs.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smartdoc import __version__

HANDOUT_NAME = "pdf/handout.pdf"
#: Lay the front out at most this many times to get its own page count right.
MAX_FRONT_LAYOUTS = 3


@dataclass(frozen=True, slots=True)
class Section:
    """One plan of the handout: its title (for the contents) and its scorecard's PDF."""

    title: str
    pdf: bytes


def page_count(data: bytes) -> int:
    """Return the number of pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def get_contents(sections: Sequence[Section], front_pages: int) -> list[dict[str, Any]]:
    """Return the contents: each plan's title and the page its section starts on."""
    contents, page = [], front_pages + 1
    for section in sections:
        contents.append({"title": section.title, "page": page})
        page += page_count(section.pdf)
    return contents


def get_front_html(
    env: Any,
    *,
    site: Mapping[str, Any],
    plans: Sequence[Mapping[str, Any]],
    portfolio: Mapping[str, Any],
    contents: Sequence[Mapping[str, Any]],
    print_context: Mapping[str, Any],
) -> str:
    """Return the HTML of the handout's front (`print/portfolio.html`)."""
    template = env.get_template("print/portfolio.html")
    return str(
        template.render(
            site=site, plans=plans, portfolio=portfolio, contents=contents, print=print_context
        )
    )


def lay_out_front(
    sections: Sequence[Section], make_front: Callable[[list[dict[str, Any]]], bytes]
) -> bytes:
    """Return the front's PDF, with the contents' page numbers counted from its own length."""
    guess = 1
    front = b""
    for _ in range(MAX_FRONT_LAYOUTS):
        front = make_front(get_contents(sections, guess))
        pages = page_count(front)
        if pages == guess:
            break
        guess = pages
    return front


def assemble(front: bytes, sections: Sequence[Section], *, epoch: int, title: str) -> bytes:
    """Return the handout: the front's pages, then each scorecard's, outlines kept."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(front), import_outline=True)
    for section in sections:
        writer.append(io.BytesIO(section.pdf), import_outline=True)
    created = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata(
        {
            "/Title": title,
            "/Producer": f"smartdoc {__version__}",
            "/CreationDate": created,
            "/ModDate": created,
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
