"""Read a plan file: decode, split the front-matter, and load YAML safely with marks.

Everything a user wrote that cannot be read becomes a `Problem` with a position; nothing
here raises on content. Limits are checked *before* the YAML parser sees the text,
because libyaml's composer recurses in C (a segfault near 30,000 levels) and the pure
loader raises RecursionError near 1,000 (see docs/testing.md, the checking tools).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.constructor import SafeConstructor

from smartdoc.source_hints import SYNTAX_FIXES, why_not_a_date

try:  # the C loader is ~7x faster; the guards below make it safe
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    # the pure-Python loader is another class with the same interface
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest front-matter accepted, in bytes of text.
MAX_FRONT_MATTER_BYTES = 1024 * 1024
#: Deepest nesting of mappings and sequences accepted (a plan needs about 5).
MAX_DEPTH = 64
#: Widest run of indentation and "- " before a line's content accepted (block nesting guard).
MAX_INDENT = 400
#: Largest magnitude of a number read (10^15: a thousand trillion). Real figures are far
#: smaller; bigger ones (`1.7e+308`, a 5,000-digit integer) would overflow the arithmetic of
#: rules, scores and charts, or hit Python's limit on integer digits.
MAX_NUMBER = 10**15
#: Smallest magnitude of a number other than 0 (10^-9): dividing by `5e-324` overflows too.
MIN_NUMBER = 1e-9
#: Longest number literal converted; longer ones are refused before Python parses them.
MAX_NUMBER_CHARS = 40

#: Where a value sits in the front-matter: keys and list indexes from the top, e.g.
#: ("goals", 2, "target"). Not a file path: those are `pathlib.Path` everywhere.
NodePath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is: a project-relative path, 1-based line and column."""

    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding raised while reading a file, before any rule runs."""

    code: str
    location: Location
    message: str
    #: Path of the node in the front-matter, when there is one (to find the goal).
    node_path: NodePath = ()


#: A position in the file the marks belong to: (line, column), 1-based.
Point = tuple[int, int]


@dataclass(slots=True)
class Marks:
    """Positions of every node of a loaded document, keyed by its path.

    Positions in the plan file itself are stored as plain (line, column) tuples, the cheap
    thing to make for every node; a `Location` is built only when a finding asks for one.
    Values from another file (CSV rows) are stored as full `Location`s.
    """

    #: The project-relative file the tuple positions are in.
    file: str = ""
    #: Path -> position of the value node.
    values: dict[NodePath, Point | Location] = field(default_factory=dict)
    #: Path -> position of the key that introduces the value (mappings only).
    keys: dict[NodePath, Point | Location] = field(default_factory=dict)
    #: Path -> decimals written in a number with a decimal point (`0.80` -> 2), so figures
    #: print with the precision their author used (YAML reads `0.80` as 0.8).
    decimals: dict[NodePath, int] = field(default_factory=dict)

    def _location(self, found: Point | Location) -> Location:
        return found if isinstance(found, Location) else Location(self.file, *found)

    def of(self, path: NodePath, *, prefer_key: bool = True) -> Location | None:
        """Return the best position for `path`, walking up to the nearest known parent."""
        probe = tuple(path)
        while True:
            if prefer_key and probe in self.keys:
                return self._location(self.keys[probe])
            if probe in self.values:
                return self._location(self.values[probe])
            if not probe:
                return None
            probe = probe[:-1]

    def value_of(self, path: NodePath) -> Location | None:
        """Return the position of the value at `path` (not its key), walking up if unknown."""
        return self.of(path, prefer_key=False)

    def line_of(self, path: NodePath) -> int | None:
        """Return the line of the value at exactly `path`, if known."""
        found = self.values.get(path)
        if found is None:
            return None
        return found.line if isinstance(found, Location) else found[0]


@dataclass(slots=True)
class Document:
    """A plan file split into its parts."""

    front_matter: Any
    marks: Marks
    body: str
    #: 1-based line in the file where the body starts.
    body_line: int
    problems: list[Problem]
    #: Line -> codes suppressed by a `# smartdoc: ignore[...]` comment on that line.
    suppressions: dict[int, tuple[str, ...]]


_SUPPRESSION = re.compile(r"#\s*smartdoc:\s*ignore\[([A-Za-z0-9_,\s-]+)\]")
_FLOW_CHARS = re.compile(r"[\[\]{}]")
# One unit past the limit: like the byte and level limits, a run of exactly MAX_INDENT passes.
_DEEP_INDENT = re.compile(rf"^(?:[ \t]|- |\? ){{{MAX_INDENT + 1}}}", re.M)
_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})
_DATE = re.compile(r"^\d{4}-\d\d?-\d\d?$")
_PLAIN_FLOAT = re.compile(r"^-?\d+\.\d*(?:[eE][-+]?\d+)?$")
_DECIMALS = re.compile(r"^[-+]?\d*\.(\d*)$")
_STR_TAG = "tag:yaml.org,2002:str"
# Characters YAML forbids anywhere in a stream (YAML 1.1 "printable" set, as PyYAML checks it).
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_CONTROL_NAMES = {"\0": "NUL", "\x1b": "ESC", "\x7f": "DEL", "\x08": "backspace"}


#: Most problems of one code reported in one file; the rest are counted in one last problem
#: ("and N more"), so a broken 16 MiB CSV gives a readable report, not 235,000 lines.
MAX_PROBLEMS_PER_CODE = 100
#: Start of the message that stands for problems (or findings) not shown; see `more_message`.
MORE_MESSAGE = re.compile(r"^and ([\d,]+) more [A-Z]\d+ (?:problem|finding)s? in this file")


def more_message(code: str, hidden: int, limit: int) -> str:
    """Return the message of the one problem that stands for `hidden` ones left out."""
    plural = "s" if hidden != 1 else ""
    return (
        f"and {hidden:,} more {code} problem{plural} in this file, not shown (at most {limit} "
        "of one code per file); fix the ones above first"
    )


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Return the text of a file (BOM dropped, CRLF made LF), or a problem naming the bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        # columns count characters, as YAML marks do; the bytes before the bad one are valid
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        byte = raw[exc.start]
        message = (
            f"file is not valid UTF-8 (byte 0x{byte:02x} at line {line}, column {column}); "
            "save it as UTF-8"
        )
        return None, [Problem("E108", Location(rel, line, column), message)]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def read_suppressions(text: str) -> dict[int, tuple[str, ...]]:
    """Return line -> rule codes named in `# smartdoc: ignore[...]` comments."""
    if "smartdoc:" not in text:
        return {}
    found: dict[int, tuple[str, ...]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = _SUPPRESSION.search(line)
        if match:
            codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
            found[number] = codes
    return found


def split(text: str, rel: str) -> tuple[str | None, int, str, int, list[Problem]]:
    """Split text into (front-matter, its first line, body, body first line, problems)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        message = (
            "front-matter missing: a plan starts with a line '---', YAML, then '---'; "
            "if this file is not a plan, add it to `exclude` in smartdoc.yml"
        )
        return None, 2, text, 1, [Problem("E101", Location(rel, 1, 1), message)]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return yaml_text, 2, body, index + 2, []
    message = "front-matter not closed: add a line '---' after the YAML"
    return None, 2, "", len(lines) + 1, [Problem("E101", Location(rel, 1, 1), message)]


def _flow_depth(text: str, limit: int = MAX_DEPTH) -> tuple[int, int]:
    """Return (deepest [ { nesting, offset where it first went past `limit`, else where it
    was reached); quotes are ignored (cheap)."""
    depth = deepest = at = 0
    for match in _FLOW_CHARS.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest <= limit + 1:
                    at = match.start()
        elif depth:
            depth -= 1
    return deepest, at


def _position(text: str, offset: int, first_line: int, rel: str) -> Location:
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(rel, first_line + line, column)


def check_limits(
    text: str, first_line: int, rel: str, subject: str = "front-matter"
) -> Problem | None:
    """Return a problem if the YAML text is too large or nested too deep to parse safely."""
    size = len(text.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        limit_kib = MAX_FRONT_MATTER_BYTES // 1024
        message = f"{subject} is {size:,} bytes, over the limit of {limit_kib:,} KiB"
        return Problem("E102", Location(rel, first_line, 1), message)
    if text.count("[") + text.count("{") > MAX_DEPTH:
        deepest, at = _flow_depth(text)
        if deepest > MAX_DEPTH:
            message = f"{subject} is nested more than {MAX_DEPTH} levels deep"
            return Problem("E102", _position(text, at, first_line, rel), message)
    match = _DEEP_INDENT.search(text)
    if match:
        message = f"{subject} is nested more than {MAX_INDENT} columns deep"
        return Problem("E102", _position(text, match.start(), first_line, rel), message)
    return None


def _mark(mark: Any, first_line: int, rel: str) -> Location:
    return Location(rel, first_line + mark.line, mark.column + 1)


def _find_control_character(text: str, first_line: int, rel: str) -> Problem | None:
    """Return a problem at the first character YAML forbids (NUL, ESC...), at its position.

    The parser would report it by character offset only, at the top of the front-matter.
    """
    match = _NOT_PRINTABLE.search(text)
    if match is None:
        return None
    char = match.group()
    name = _CONTROL_NAMES.get(char, "control character")
    message = (
        f"{name} (U+{ord(char):04X}) is not allowed in YAML; delete it "
        "(an editor may show it as a box, ^@ or nothing at all)"
    )
    return Problem("E104", _position(text, match.start(), first_line, rel), message)


def _find_alias(text: str, first_line: int, rel: str, where: str) -> Problem | None:
    """Return a problem at the first alias (`*name` or `<<`), which `where` may not use."""
    if "*" not in text and "<<" not in text:
        return None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.AliasToken):
                message = (
                    f"YAML alias '*{token.value}' is not allowed in {where}; write the value out"
                )
                return Problem("E103", _mark(token.start_mark, first_line, rel), message)
            if isinstance(token, yaml.ScalarToken) and token.value == "<<" and token.plain:
                message = f"YAML merge key '<<' is not allowed in {where}; write the keys out"
                return Problem("E103", _mark(token.start_mark, first_line, rel), message)
    except yaml.YAMLError:
        return None  # the composer reports the syntax error with its context
    return None


def _char_at(text: str, mark: Any) -> str:
    """Return the character a parser mark points at ('' when out of range)."""
    lines = text.split("\n")
    if mark is None or not 0 <= mark.line < len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if 0 <= mark.column < len(line) else ""


def _syntax_problem(exc: yaml.YAMLError, text: str, first_line: int, rel: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    location = _mark(mark, first_line, rel) if mark else Location(rel, first_line, 1)
    if _char_at(text, mark) == "\t":
        # libyaml says "found character that cannot start any token": name the tab instead
        message = "tab character: YAML indents with spaces only; use spaces instead of the tab"
        return Problem("E104", location, message)
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context}"
        if context_mark is not None:
            message += f" at line {first_line + context_mark.line}"
            message += f", column {context_mark.column + 1}"
        message += ")"
    for words, fix in SYNTAX_FIXES:
        if words in problem:
            message += f"; {fix}"
            break
    return Problem("E104", location, message)


class _Builder:
    """Turn composed YAML nodes into plain Python values, recording marks and problems."""

    def __init__(self, first_line: int, rel: str, where: str = "a plan") -> None:
        self.where = where
        self.subject = "front-matter" if where == "a plan" else where
        self.first_line = first_line
        self.rel = rel
        self.marks = Marks(rel)
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()

    def loc(self, node: yaml.Node) -> Location:
        return _mark(node.start_mark, self.first_line, self.rel)

    def point(self, node: yaml.Node) -> Point:
        mark = node.start_mark
        return (self.first_line + mark.line, mark.column + 1)

    def build(self, node: yaml.Node, path: NodePath, depth: int) -> Any:
        mark = node.start_mark
        self.marks.values[path] = (self.first_line + mark.line, mark.column + 1)
        if type(node) is yaml.ScalarNode:  # most nodes: the hot path, checked first
            return node.value if node.tag == _STR_TAG else self.scalar(node, path)
        if depth > MAX_DEPTH:
            message = f"{self.subject} is nested more than {MAX_DEPTH} levels deep"
            self.problems.append(Problem("E102", self.loc(node), message, path))
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                items.append(self.build(child, (*path, index), depth + 1))
            return items
        return self.scalar(cast(yaml.ScalarNode, node), path)

    def mapping(self, node: yaml.MappingNode, path: NodePath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys = self.marks.keys
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                message = "a key must be a plain word, not a list or a mapping"
                self.problems.append(Problem("E105", self.loc(key_node), message, (*path, "<key>")))
                continue
            key = key_node.value
            key_path = (*path, key)
            if key_path in keys:
                earlier = keys[key_path]
                line = earlier.line if isinstance(earlier, Location) else earlier[0]
                message = f"duplicate key '{key}' (first on line {line})"
                self.problems.append(Problem("E106", self.loc(key_node), message, key_path))
                continue  # keep the first value: the duplicate never reaches a page
            keys[key_path] = self.point(key_node)
            result[key] = self.build(value_node, key_path, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode, path: NodePath) -> Any:
        tag = node.tag
        value = node.value
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            if value.lower() in _YAML11_BOOLS:
                message = (
                    f"'{value}' reads as a boolean in YAML 1.1 and as text in YAML 1.2; "
                    f'write true/false, or quote it ("{value}") if you mean the word'
                )
                self.problems.append(Problem("E107", self.loc(node), message, path))
                return value
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            if len(value) > MAX_NUMBER_CHARS:  # before int(): 4,300+ digits raise ValueError
                return self.out_of_range(node, path)
            if value.isdigit():  # plain decimals; the constructor knows 0x, 0o, 1_000, 1:30
                number: int | float = int(value)
            else:
                number = self.constructor.construct_yaml_int(node)
            return number if in_range(number) else self.out_of_range(node, path)
        if tag == "tag:yaml.org,2002:float":
            written = _DECIMALS.match(value)
            if written:
                self.marks.decimals[path] = len(written.group(1))
            if _PLAIN_FLOAT.match(value):
                number = float(value)
            else:
                number = self.constructor.construct_yaml_float(node)
            # inf and nan pass: validation reports them ("must be a finite number")
            if math.isfinite(number) and not in_range(number):
                return self.out_of_range(node, path)
            return number
        if tag == "tag:yaml.org,2002:timestamp":
            return self.timestamp(node, path)
        message = f"YAML tag '{tag}' is not allowed in {self.where}"
        self.problems.append(Problem("E105", self.loc(node), message, path))
        return None

    def out_of_range(self, node: yaml.ScalarNode, path: NodePath) -> None:
        """Report a number too large or too small to compute with (E111); it is dropped."""
        message = number_out_of_range(node.value)
        self.problems.append(Problem("E111", self.loc(node), message, path))

    def timestamp(self, node: yaml.ScalarNode, path: NodePath) -> Any:
        text = node.value
        if _DATE.match(text):
            year, month, day = (int(part) for part in text.split("-"))
            try:
                return dt.date(year, month, day)
            except ValueError:
                message = f"invalid date '{text}': {why_not_a_date(year, month, day)}"
                self.problems.append(Problem("E109", self.loc(node), message, path))
                return None
        try:
            return self.constructor.construct_yaml_timestamp(node)
        except ValueError as exc:
            message = f"invalid date '{text}': {exc}"
            self.problems.append(Problem("E109", self.loc(node), message, path))
            return None


def in_range(number: float) -> bool:
    """Return whether smartdoc computes with `number`: 0, or 10^-9 to 10^15 either side of 0."""
    size = abs(number)
    return size <= MAX_NUMBER and (size >= MIN_NUMBER or size == 0)


def number_out_of_range(text: str) -> str:
    """Return the message for a number `in_range` refuses (`text` as written, cut if long)."""
    shown = text if len(text) <= 24 else f"{text[:12]}… ({len(text):,} characters)"
    try:
        small = 0 < abs(float(text)) < 1
    except ValueError:  # 1_000, 0x10, 1:30: big ones
        small = False
    if small:
        return (
            f"number {shown} is too small: smartdoc reads numbers from 10^-9 (0.000000001) "
            "either side of zero; use 0, or a smaller unit"
        )
    return (
        f"number {shown} is too large: smartdoc reads numbers up to 10^15 "
        "(1,000,000,000,000,000) either side of zero; use a larger unit"
    )


def load_yaml(
    text: str, first_line: int, rel: str, *, where: str = "a plan"
) -> tuple[Any, Marks, list[Problem]]:
    """Load YAML text safely; return (value, marks, problems). Never raises on content.

    `where` names the document in messages ("a plan", "smartdoc.yml").
    """
    subject = "front-matter" if where == "a plan" else where
    limit_problem = check_limits(text, first_line, rel, subject) or _find_control_character(
        text, first_line, rel
    )
    if limit_problem:
        return None, Marks(), [limit_problem]
    alias_problem = _find_alias(text, first_line, rel, where)
    if alias_problem:
        return None, Marks(), [alias_problem]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, Marks(), [_syntax_problem(exc, text, first_line, rel)]
    if node is None:
        return None, Marks(), []
    builder = _Builder(first_line, rel, where)
    value = builder.build(node, (), 0)
    return value, builder.marks, builder.problems


def relative_path(file: Path, base: Path) -> str:
    """Return `file` relative to `base` with POSIX separators (as it is, if not inside)."""
    try:
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.as_posix()


def read_bounded(file: Path, rel: str, limit: int) -> tuple[bytes | None, Problem | None]:
    """Read a regular file up to `limit` bytes, or return a problem saying why not."""
    where = Location(rel, 1, 1)
    try:
        if not file.is_file():
            return None, Problem("E113", where, "not a regular file")
        size = file.stat().st_size
        if size > limit:
            message = f"file is {size:,} bytes, over the limit of {limit // (1024 * 1024)} MiB"
            return None, Problem("E102", where, message)
        return file.read_bytes(), None
    except OSError as exc:
        return None, Problem("E113", where, f"cannot read file: {exc.strerror or exc}")


_THOUSANDS = re.compile(r"^([-+]?\d{1,3})((?:([,.' ])\d{3})(?:\3\d{3})*)(?:([.,])(\d+))?$")


def number_hint(text: str) -> str:
    """Return "; write 1500 ..." for a number written with thousands separators, else ''."""
    match = _THOUSANDS.match(text.strip())
    if not match:
        return ""
    whole, groups, separator, decimal_mark, decimals = match.groups()
    if decimal_mark == separator or (separator == "." and groups.count(".") == 1):
        return ""  # `1,500,5` is unclear; `1.500` is a decimal number already
    digits = whole + groups.replace(separator, "") + (f".{decimals}" if decimals else "")
    return f"; write {digits} (no thousands separator)"


def read_document(raw: bytes, rel: str) -> Document:
    """Decode, split and load one plan file."""
    text, problems = decode(raw, rel)
    if text is None:
        return Document(None, Marks(), "", 1, problems, {})
    yaml_text, first_line, body, body_line, split_problems = split(text, rel)
    problems.extend(split_problems)
    suppressions = read_suppressions(text)
    if yaml_text is None:
        return Document(None, Marks(), body, body_line, problems, suppressions)
    value, marks, load_problems = load_yaml(yaml_text, first_line, rel)
    problems.extend(load_problems)
    return Document(value, marks, body, body_line, problems, suppressions)
