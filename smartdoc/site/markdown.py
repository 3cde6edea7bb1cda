"""Render a plan's Markdown narrative to safe HTML, with headings for a contents list.

Markdown flavour: CommonMark, plus tables, strikethrough and footnotes (mdit-py-plugins);
every heading gets a stable `id` (GitHub-style slug, `-1`, `-2`... for repeats). Heading ids
never take an id the page itself uses (`reserved_ids`, by default the built-in theme's
`PAGE_IDS`) or one of the footnotes' (`fn-<doc>-1`, `fnref-<doc>-1`), and are made in
linear time however many headings repeat (a counter per slug, not a scan from `-1`).

Safety (plan content is untrusted; docs/plan-format.md#the-narrative):

- Raw HTML is shown escaped, as text, unless `allow_html` (config `markdown.allow_html`).
  With it, HTML passes through unfiltered: only turn it on for trusted plans.
- Links may use `http:`, `https:`, `mailto:` and `tel:`, or be relative. Any other scheme
  (`javascript:`, `vbscript:`, `file:`, `data:`...) makes markdown-it leave the link as
  literal text. The scheme is checked after undoing character references (`&#106;`),
  percent-encoding, letter case, whitespace and control characters, which browsers ignore.
- Images may only be relative paths (the resolver decides whether the file exists and may be
  published) or `data:image/{png,gif,jpeg,webp}`. A refused image is rendered as its alt
  text and reported as a warning.
- External links get `rel="noopener"`.
- `doc_id` (the footnote id prefix, made from a plan's file name) is reduced to letters,
  digits, `-` and `_` before it reaches an attribute: a file named `x"><img onerror=…>.md`
  cannot write markup.

Links between plans: a relative link to a `.md` file (`other-plan.md`, `../team/x.md#goals`)
is rewritten to the built page (`other-plan.html`); a link to a plan that does not exist is
reported and rendered as plain text. See `make_plan_resolver`.

Headings are demoted so the page's `<h1>` stays the plan title: the narrative's top level
becomes `base_level` (default `<h2>`) and deeper headings nest one level per step *relative
to their parent*, so `# A` then `### B` gives h2, h3 (never a skipped level), a narrative
that starts at `###` starts at h2, and anything deeper than h6 stays h6.

Warnings are `(line, message)`; line 1 is the first line of the text given (the body), so
the caller adds the body's first file line minus one.
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

LinkKind = Literal["link", "image"]

SAFE_LINK_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})
"""Schemes a narrative link may use; anything else is left as literal text."""

EXTERNAL_SCHEMES: frozenset[str] = frozenset({"http", "https"})

# Browsers drop ASCII whitespace and C0/C1 controls inside a scheme; so do we before judging it.
_IGNORED_IN_SCHEME = re.compile(
    "[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(?:png|gif|jpeg|webp)[;,]")
_BREAKS = frozenset({"softbreak", "hardbreak"})
_ENV_KEY = "smartdoc"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

PAGE_IDS: frozenset[str] = frozenset(
    {"main", "overview-title", "strategy-title", "goals-title", "review-title"}
)
"""Ids the built-in theme's plan page uses outside the narrative; no heading takes one."""


class MarkdownWarning(NamedTuple):
    """A problem in the narrative: line 1 is the first line of the rendered text."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Heading:
    """One narrative heading, for a table of contents."""

    level: int
    """The level in the page (after demotion): 2 for the narrative's top level."""
    id: str
    """The `id` attribute, unique within the narrative."""
    text: str
    """The heading's plain text."""
    line: int
    """Line of the heading, 1 = first line of the text."""


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """The HTML of a narrative, its headings and the problems found on the way."""

    html: str
    headings: list[Heading]
    warnings: list[MarkdownWarning]


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """A relative link or image the resolver must decide on."""

    kind: LinkKind
    url: str
    """The destination as markdown-it normalised it (percent-encoded)."""
    path: str
    """The path part, percent-decoded, without query or fragment ('' for `?q` or `#x`)."""
    query: str
    """The query without '?', still encoded ('' if none)."""
    fragment: str
    """The fragment without '#', still encoded ('' if none)."""
    line: int


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The resolver's answer: the URL to write, or None to drop it, and an optional warning."""

    href: str | None
    warning: str | None = None


Resolver = Callable[[LinkRequest], LinkResult]


@dataclass(slots=True)
class _RenderState:
    resolve_link: Resolver | None
    base_level: int
    #: Ids a heading may not take: the page's own and the footnotes' (see `_is_taken`).
    reserved_ids: frozenset[str] = frozenset()
    doc_id: str | None = None
    warnings: list[MarkdownWarning] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)


def url_scheme(url: str) -> str | None:
    """Return the lowercase scheme a browser would see in `url`, or None for a relative URL."""
    probe = url
    for _ in range(4):  # layered encodings: `&#37;6A` -> `%6A` -> `j`
        decoded = html.unescape(urllib.parse.unquote(probe))
        if decoded == probe:
            break
        probe = decoded
    match = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", probe).lower())
    return match.group(1) if match else None


def is_safe_url(url: str, *, image: bool = False) -> bool:
    """Return whether `url` may appear as a link (or, with `image`, as an image source)."""
    scheme = url_scheme(url)
    if scheme is None or scheme in SAFE_LINK_SCHEMES:
        return True
    if scheme == "data" and image:
        cleaned = _IGNORED_IN_SCHEME.sub("", html.unescape(urllib.parse.unquote(url))).lower()
        return bool(_SAFE_DATA_IMAGE.match(cleaned))
    return False


def _validate_link(url: str) -> bool:
    # Accept every URL here so the link policy sees it and keeps only the link text:
    # refusing here would print the whole `[a](javascript:...)` source into the page.
    return True


def slugify(text: str) -> str:
    """Return a GitHub-style anchor slug for a heading ('section' when nothing is left)."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    return slug or "section"


def safe_doc_id(doc_id: str) -> str:
    """Return `doc_id` reduced to characters safe in an id and a URL fragment (A-Z a-z 0-9 - _)."""
    return _ID_UNSAFE.sub("-", doc_id).strip("-") or "doc"


class SlugMaker:
    """Unique slugs in linear time: `a`, `a-1`, `a-2`... resuming where the last one stopped.

    Scanning from `-1` for every repeat (mdit-py-plugins' `unique_slug`) is quadratic: 16,000
    headings `# A` took 17 s. Each probe that fails here hits a distinct taken id, so all the
    probes together are at most the number of ids taken plus reserved.
    """

    def __init__(self, is_reserved: Callable[[str], bool]) -> None:
        self.is_reserved = is_reserved
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def make(self, base: str) -> str:
        """Return `base`, or `base-N` with the lowest N not taken yet, and take it."""
        suffix = self.next_suffix.get(base, 0)
        candidate = f"{base}-{suffix}" if suffix else base
        while candidate in self.taken or self.is_reserved(candidate):
            suffix += 1
            candidate = f"{base}-{suffix}"
        self.next_suffix[base] = suffix + 1
        self.taken.add(candidate)
        return candidate


def make_renderer(allow_html: bool = False, *, commonmark_only: bool = False) -> MarkdownIt:
    """Return a configured MarkdownIt; build it once and pass it to `render` for each plan.

    `commonmark_only` gives the bare CommonMark parser (no plugins, no link policy), for
    conformance tests.
    """
    md = MarkdownIt("commonmark", {"html": allow_html})
    if commonmark_only:
        return md
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # markdown-it-py's documented way to replace its link check is to assign the method
    md.validateLink = _validate_link  # type: ignore[method-assign]
    # named "anchor" as the plugin it replaces: `disable("anchor")` leaves headings without ids
    md.core.ruler.push("anchor", _anchor_headings)
    md.core.ruler.push("smartdoc_links", _apply_link_policy)
    md.core.ruler.push("smartdoc_headings", _demote_headings)
    return md


def render(
    renderer: MarkdownIt,
    text: str,
    *,
    resolve_link: Resolver | None = None,
    doc_id: str | None = None,
    base_level: int = 2,
    reserved_ids: Collection[str] = PAGE_IDS,
) -> RenderedMarkdown:
    """Render `text` with a renderer from `make_renderer`.

    `resolve_link` decides on relative links and images (see `make_plan_resolver`); without
    it relative links are kept, with `.md` rewritten to `.html`. `doc_id` prefixes footnote
    ids so several narratives can share a page (made safe with `safe_doc_id`). Headings
    never take an id in `reserved_ids` (the rest of the page's ids).
    """
    safe_id = safe_doc_id(doc_id) if doc_id is not None else None
    state = _RenderState(resolve_link, base_level, frozenset(reserved_ids), safe_id)
    env: dict[str, Any] = {_ENV_KEY: state}
    if safe_id is not None:
        env["docId"] = safe_id
    rendered_html = renderer.render(text, env)
    return RenderedMarkdown(rendered_html, state.headings, state.warnings)


def render_markdown(
    text: str,
    *,
    allow_html: bool = False,
    resolve_link: Resolver | None = None,
    doc_id: str | None = None,
) -> RenderedMarkdown:
    """Render `text` with a fresh renderer (convenient for one-offs; reuse one for many)."""
    return render(make_renderer(allow_html), text, resolve_link=resolve_link, doc_id=doc_id)


def make_plan_resolver(
    plan_slug: str,
    plan_slugs: Collection[str],
    *,
    resolve_image: Resolver | None = None,
    page_suffix: str = ".html",
) -> Resolver:
    """Return a resolver for the narrative of plan `plan_slug` (e.g. 'team/social').

    Plan pages are assumed to mirror the plans folder (`team/social.md` -> `team/social.html`
    in the site), so a link to `../x.md#goals` from `team/social` becomes `../x.html#goals`.
    A `.md` link to a slug not in `plan_slugs` is a warning and the link is dropped. Other
    relative links are kept. Images go to `resolve_image` (which must refuse paths outside
    the project); without it they are kept as written.
    """
    folder = posixpath.dirname(plan_slug)
    known = frozenset(plan_slugs)

    def resolve(request: LinkRequest) -> LinkResult:
        if request.kind == "image":
            return resolve_image(request) if resolve_image else LinkResult(request.url)
        if not request.path.lower().endswith(".md"):
            return LinkResult(request.url)
        target = posixpath.normpath(posixpath.join(folder, request.path))
        slug = target[: -len(".md")]
        if target.startswith("../") or slug not in known:
            return LinkResult(None, f"link to a missing plan: {request.path}")
        page = posixpath.relpath(slug + page_suffix, folder or ".")
        href = urllib.parse.quote(page, safe="/")
        if request.fragment:
            href += "#" + request.fragment
        return LinkResult(href)

    return resolve


def _split_url(url: str) -> tuple[str, str, str]:
    rest, _, fragment = url.partition("#")
    path, _, query = rest.partition("?")
    return urllib.parse.unquote(path), query, fragment


def _default_resolve(request: LinkRequest) -> LinkResult:
    if request.kind == "link" and request.path.lower().endswith(".md"):
        href = request.url.split("#", 1)[0].split("?", 1)[0]
        href = href[: -len(".md")] + ".html"
        if request.query:
            href += "?" + request.query
        if request.fragment:
            href += "#" + request.fragment
        return LinkResult(href)
    return LinkResult(request.url)


def _judge(url: str, kind: LinkKind, line: int, state: _RenderState) -> tuple[str | None, bool]:
    """Return (the URL to write or None to drop it, whether it is external)."""
    scheme = url_scheme(url)
    if kind == "image":
        if scheme == "data" and is_safe_url(url, image=True):
            return url, False
        if scheme is not None or url.startswith("/"):
            state.warnings.append(
                MarkdownWarning(line, f"image from outside the project refused: {url}")
            )
            return None, False
    else:
        if scheme in EXTERNAL_SCHEMES or url.startswith("//"):
            return url, True
        if scheme is not None:
            return (url, False) if scheme in SAFE_LINK_SCHEMES else (None, False)
        if url.startswith("#") or url.startswith("/"):
            return url, False
    path, query, fragment = _split_url(url)
    request = LinkRequest(kind, url, path, query, fragment, line)
    result = (state.resolve_link or _default_resolve)(request)
    if result.warning:
        state.warnings.append(MarkdownWarning(line, result.warning))
    if result.href is not None and not is_safe_url(result.href, image=kind == "image"):
        return None, False  # a resolver must not reintroduce an unsafe scheme
    return result.href, False


def _count_breaks(tokens: list[Token] | None) -> int:
    return sum(1 for token in tokens or [] if token.type in _BREAKS)


def _police_inline(children: list[Token], first_line: int, state: _RenderState) -> list[Token]:
    """Return `children` with links and images judged; `first_line` is 1-based."""
    kept: list[Token] = []
    line = first_line
    dropping_link = False
    for token in children:
        if token.type in _BREAKS:
            line += 1
        if token.type == "link_open":
            href, external = _judge(str(token.attrGet("href") or ""), "link", line, state)
            if href is None:
                dropping_link = True
                continue
            token.attrSet("href", href)
            if external:
                token.attrSet("rel", "noopener")
        elif token.type == "link_close" and dropping_link:
            dropping_link = False
            continue
        elif token.type == "image":
            src, _ = _judge(str(token.attrGet("src") or ""), "image", line, state)
            line += _count_breaks(token.children)
            if src is None:
                kept.append(Token("text", "", 0, content=token.content))
                continue
            token.attrSet("src", src)
        kept.append(token)
    return kept


def _apply_link_policy(state: StateCore) -> None:
    """Core rule: judge every link and image, rewriting, dropping and warning."""
    render_state: _RenderState = state.env[_ENV_KEY]
    last_line = 1
    for token in state.tokens:
        if token.map is not None:
            last_line = token.map[0] + 1
        if token.type == "inline" and token.children:
            token.children = _police_inline(token.children, last_line, render_state)


def _footnote_id_pattern(doc_id: str | None) -> re.Pattern[str]:
    """Return the pattern of the footnote plugin's ids (`fn-plan-1`, `fnref-plan-1`)."""
    prefix = f"-{re.escape(doc_id)}-" if doc_id is not None else ""
    return re.compile(rf"fn(?:ref)?{prefix}\d+(?::\d+)?")


def _anchor_headings(state: StateCore) -> None:
    """Core rule: give every heading a unique slug id, clear of the page's and footnotes' ids."""
    render_state: _RenderState = state.env[_ENV_KEY]
    reserved = render_state.reserved_ids
    footnote_id = _footnote_id_pattern(render_state.doc_id)
    slugs = SlugMaker(lambda slug: slug in reserved or footnote_id.fullmatch(slug) is not None)
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        title = "".join(
            child.content
            for child in inline.children or []
            if child.type in ("text", "code_inline")
        )
        token.attrSet("id", slugs.make(slugify(title)))


def _demote_headings(state: StateCore) -> None:
    """Core rule: nest narrative headings under the page title and record them."""
    render_state: _RenderState = state.env[_ENV_KEY]
    open_levels: list[tuple[int, int]] = []  # (level in the source, level in the page)
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        source_level = int(token.tag[1])
        while open_levels and open_levels[-1][0] >= source_level:
            open_levels.pop()
        page_level = open_levels[-1][1] + 1 if open_levels else render_state.base_level
        page_level = min(page_level, 6)
        open_levels.append((source_level, page_level))
        token.tag = f"h{page_level}"
        # the matching heading_close is two tokens on: heading_open, inline, heading_close
        tokens[index + 2].tag = token.tag
        inline = tokens[index + 1]
        text = "".join(
            child.content
            for child in inline.children or []
            if child.type in ("text", "code_inline")
        )
        line = token.map[0] + 1 if token.map else 1
        render_state.headings.append(
            Heading(page_level, str(token.attrGet("id") or ""), text, line)
        )
