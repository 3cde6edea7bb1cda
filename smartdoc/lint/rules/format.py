"""E: Format. The file can be read: encoding, front-matter, YAML, types, keys and CSV data.

These rules are reported by the loader (`smartdoc.source`, `smartdoc.load`) while it reads a
file, so they have documentation here but no check function.
"""

from smartdoc.lint.registry import load_rule

E101 = load_rule(
    "E101",
    "front-matter-missing",
    "error",
    """
    The file has no YAML front-matter mapping.

    ## What it checks
    A plan starts with a line `---`, YAML keys, and a closing `---`; the YAML must be a mapping.

    ## Why
    Without front-matter there are no goals to check, score or publish.

    ## Fails
    ```markdown
    # Social plan
    Goals: grow followers.
    ```

    ## Passes
    ```markdown
    ---
    title: Social plan 2027
    goals: []
    ---
    # Social plan
    ```
    """,
)

E102 = load_rule(
    "E102",
    "too-large",
    "error",
    """
    The file or its front-matter is over the size or nesting limit.

    ## What it checks
    A plan file over 8 MiB, front-matter over 1 MiB, YAML nested deeper than 64 levels, a
    narrative over 512 KiB, more than 500 goals in a plan, or more than 5,000 check-ins (or
    interim targets) in one goal.

    ## Why
    The limits are checked before parsing so a hostile or broken file cannot exhaust memory,
    crash the YAML parser (libyaml overflows its stack on very deep nesting) or stall a build.

    ## Fails
    ```yaml
    title: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
    ```

    ## Passes
    ```yaml
    title: Social plan 2027
    ```
    """,
)

E103 = load_rule(
    "E103",
    "yaml-alias",
    "error",
    """
    The front-matter uses a YAML alias (`*name`) or merge key (`<<`).

    ## What it checks
    Anchors may be written, but aliases and merge keys are refused.

    ## Why
    Aliases let a few hundred bytes expand into gigabytes (the "billion laughs" attack), and
    they hide values from reviewers reading a diff. Plans spell every value out.

    ## Fails
    ```yaml
    owner: &lead Maria Lopez
    goals:
      - id: followers
        owner: *lead
    ```

    ## Passes
    ```yaml
    owner: Maria Lopez
    goals:
      - id: followers
        owner: Maria Lopez
    ```
    """,
)

E104 = load_rule(
    "E104",
    "yaml-syntax",
    "error",
    """
    The front-matter is not valid YAML.

    ## What it checks
    The YAML parser's error, at the position where it found the problem, with where the
    enclosing construct opened.

    ## Why
    A plan that cannot be parsed cannot be checked or published.

    ## Fails
    ```yaml
    owner: [Maria Lopez
    ```

    ## Passes
    ```yaml
    owner: [Maria Lopez]
    ```
    """,
)

E105 = load_rule(
    "E105",
    "yaml-unsupported",
    "error",
    """
    The front-matter uses a YAML feature plans do not allow (tags, complex keys).

    ## What it checks
    Explicit tags such as `!!python/object` and keys that are lists or mappings.

    ## Why
    Plans are plain data; tags can ask loaders to build objects, and complex keys have no
    meaning in a plan.

    ## Fails
    ```yaml
    title: !!python/name:os.system x
    ```

    ## Passes
    ```yaml
    title: Social plan 2027
    ```
    """,
)

E106 = load_rule(
    "E106",
    "duplicate-key",
    "error",
    """
    A key appears twice in the same mapping.

    ## What it checks
    Every mapping of the front-matter, at any depth. The message names the line of the first.

    ## Why
    YAML loaders silently keep the last value, so a reviewer reading the first one is misled.
    smartdoc keeps the first and refuses the build.

    ## Fails
    ```yaml
    owner: Maria Lopez
    title: Social plan
    owner: Sam Lee
    ```

    ## Passes
    ```yaml
    owner: Maria Lopez
    title: Social plan
    ```
    """,
)

E107 = load_rule(
    "E107",
    "yaml11-boolean",
    "warning",
    """
    A bare `yes`, `no`, `on`, `off`, `y` or `n` is ambiguous.

    ## What it checks
    Unquoted scalars that YAML 1.1 reads as booleans and YAML 1.2 reads as text. smartdoc
    reads them as text (YAML 1.2) and warns.

    ## Why
    `country: NO` becoming `false` is a classic YAML surprise; say what you mean.

    ## Fails
    ```yaml
    draft: yes
    ```

    ## Passes
    ```yaml
    draft: true
    ```
    """,
)

E108 = load_rule(
    "E108",
    "not-utf8",
    "error",
    """
    The file is not valid UTF-8.

    ## What it checks
    The bytes of plan and CSV files; the message names the first bad byte and its line.

    ## Why
    Guessing an encoding garbles names (ø, é, ü) in pages and PDFs. Save the file as UTF-8.

    ## Fails
    ```text
    title: Caf\xe9 plan      (byte 0xe9: Latin-1)
    ```

    ## Passes
    ```text
    title: Café plan         (UTF-8)
    ```
    """,
)

E109 = load_rule(
    "E109",
    "invalid-date",
    "error",
    """
    A date does not exist or is not written YYYY-MM-DD.

    ## What it checks
    Every date in the front-matter and CSV data, e.g. `2027-04-31` or `2027-02-30`.

    ## Why
    An impossible date cannot be placed on a timeline; it is usually a typo.

    ## Fails
    ```yaml
    deadline: 2027-04-31
    ```

    ## Passes
    ```yaml
    deadline: 2027-04-30
    ```
    """,
)

E110 = load_rule(
    "E110",
    "unknown-key",
    "error",
    """
    A key is not part of the plan format.

    ## What it checks
    Every key against the plan schema (`smartdoc schema`), with a "did you mean" hint.

    ## Why
    A misspelt key (`basline`) is silently ignored by most tools, and the goal then looks
    unmeasured. Run `smartdoc schema` for the list of keys.

    ## Fails
    ```yaml
    basline: {date: 2026-12-31, value: 12000}
    ```

    ## Passes
    ```yaml
    baseline: {date: 2026-12-31, value: 12000}
    ```
    """,
)

E111 = load_rule(
    "E111",
    "wrong-type",
    "error",
    """
    A value has the wrong type: text where a number belongs, a number where a date belongs.

    ## What it checks
    Every field against its type: numbers (`"84%"`, `TBD`, `N0` are not numbers), dates,
    text, lists, mappings, and the allowed words of `kind` and `direction`.

    ## Why
    A target of `TBD` cannot be scored. Write the number, or leave the field out until known.

    ## Fails
    ```yaml
    target: TBD
    ```

    ## Passes
    ```yaml
    target: 18000
    ```
    """,
)

E112 = load_rule(
    "E112",
    "malformed-csv",
    "error",
    """
    A measurements CSV file has a malformed row, header or value.

    ## What it checks
    The header (`date,value[,note]`, plus `goal` for a plan-wide file), quoting, dates and
    numbers of every row. The finding is at the CSV's own line and names the plan line that
    refers to the file.

    ## Why
    A bad row would silently drop a check-in and skew the score.

    ## Fails
    ```text
    date,value
    2027-02-01,abc
    ```

    ## Passes
    ```text
    date,value
    2027-02-01,12900
    ```
    """,
)

E113 = load_rule(
    "E113",
    "unreadable-file",
    "error",
    """
    A file cannot be read: missing, not a regular file, or not permitted.

    ## What it checks
    Plan files and the CSV files named by `measurements`.

    ## Why
    Data that cannot be read cannot be checked; smartdoc never reads folders or devices.

    ## Fails
    ```yaml
    measurements: data/missing.csv
    ```

    ## Passes
    ```yaml
    measurements: data/followers.csv
    ```
    """,
)

E114 = load_rule(
    "E114",
    "path-outside-project",
    "error",
    """
    A path points outside the project root.

    ## What it checks
    `measurements` paths: absolute paths, `~`, `../` escapes (also percent-encoded) and
    symlinks whose target lies outside the folder holding smartdoc.yml.

    ## Why
    Plans are untrusted input in CI, where secrets live; a plan may only read its own project.

    ## Fails
    ```yaml
    measurements: ../../etc/passwd
    ```

    ## Passes
    ```yaml
    measurements: data/followers.csv
    ```
    """,
)

E120 = load_rule(
    "E120",
    "narrative-reference",
    "warning",
    """
    A link or image in a plan's narrative cannot be published.

    ## What it checks
    While building the site: a relative link to a `.md` plan that does not exist (or is a
    draft left out of the build), an image file that is missing, not a regular file, too
    large or of a type the site does not publish, and an image from outside the project
    (`../../x.png`, `/etc/x.png`, `file:`, `http:`). The link is shown as plain text and
    the image as its alt text.

    ## Why
    A broken link or a missing image in a published scorecard looks careless to a client;
    an image from outside the project could publish a file nobody meant to share. The
    build still succeeds; `smartdoc build --strict` refuses it.

    ## Fails
    ```markdown
    See the [brand plan](brand-2027.md) and ![our reach](../../Desktop/reach.png).
    ```

    ## Passes
    ```markdown
    See the [brand plan](brand-2026.md) and ![our reach](images/reach.png).
    ```
    """,
)

E901 = load_rule(
    "E901",
    "unused-suppression",
    "warning",
    """
    A `# smartdoc: ignore[CODE]` comment silences nothing.

    ## What it checks
    Every suppression comment, after all rules ran: the code it names must have been reported
    on that line (or, on a goal's first line, in that goal).

    ## Why
    Stale suppressions hide future problems; remove them once the finding is fixed.

    ## Fails
    ```yaml
    target: 18000  # smartdoc: ignore[M101] no baseline yet
    ```

    ## Passes
    ```yaml
    target: 18000
    ```
    """,
)

RULES = (
    E101,
    E102,
    E103,
    E104,
    E105,
    E106,
    E107,
    E108,
    E109,
    E110,
    E111,
    E112,
    E113,
    E114,
    E120,
    E901,
)
