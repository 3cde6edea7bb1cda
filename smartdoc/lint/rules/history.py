"""H: History. Success is decided before the work starts, and git shows whether it was.

These rules read the plans' git history (`smartdoc.history`), not one file, so they have
documentation here but no check function. They run when the project is a git work tree with
full history: outside git they are skipped with one info line, and in a shallow clone they
say once that they need full history (`fetch-depth: 0` in `actions/checkout`).

Dates are commit author dates. "After the period started" means dated after the plan
period's first day; when the period itself was moved, the earliest start ever committed
counts. Goals are matched across versions by `id`, and a plan is followed across renames.
An edit not committed yet is reported as made "in the working tree".

A commit trailer `Smartdoc-Rebaseline: <reason>` (a last paragraph line of the commit
message, as `git commit --trailer "Smartdoc-Rebaseline: board cut the budget"` writes it)
turns what that commit changed into an H106 info carrying the reason, which the plan page
shows. A `# smartdoc: ignore[H101] reason` comment on the field's line works as for every rule.
"""

from smartdoc.lint.registry import load_rule

H101 = load_rule(
    "H101",
    "goalpost-moved",
    "warning",
    """
    A target, baseline, deadline, direction or interim target changed after the period started.

    ## What it checks
    Every commit dated after the plan period began that changed one of these fields of a
    goal. The message names the commit (short hash), its date and author, and the value
    before and after. The goal's card then scores the current figure against both the
    revised and the original target.

    ## Why
    A goal is only a test of the work if it is set before the work. Lowering a target from
    18,000 to 16,000 in May turns a miss into "113% achieved" without a word; git knows.
    When the change is agreed (a budget cut, a new market), say why in the commit with a
    `Smartdoc-Rebaseline: <reason>` trailer: the change becomes an H106 info with the reason.

    ## Fails
    ```yaml
    # committed 2027-01-01: target: 18000
    # committed 2027-05-10 (after the period started on 2027-01-01):
    period: {start: 2027-01-01, end: 2027-12-31}
    goals:
      - id: ig-followers
        target: 16000
    ```

    ## Passes
    ```yaml
    # the same change, committed with the trailer
    #   Smartdoc-Rebaseline: budget cut by the board on 2027-05-02
    # is reported as H101's info twin, H106, with that reason.
    goals:
      - id: ig-followers
        target: 16000
    ```
    """,
)

H102 = load_rule(
    "H102",
    "goal-added-late",
    "warning",
    """
    A goal was first committed long after the plan period started.

    ## What it checks
    The first commit holding the goal's `id` is dated more than `lint.history_grace_days`
    (default 30) days after the period start. When the whole plan was first committed that
    late, one finding on `period.start` says so instead of one per goal.

    ## Why
    A goal set halfway through the period can be chosen to match what already happened.
    Goals are decided up front; a goal added later may be right, and
    then a `Smartdoc-Rebaseline:` trailer says why.

    ## Fails
    ```yaml
    # period started 2027-01-01; this goal first committed on 2027-06-02
    goals:
      - id: tiktok-views
        target: 50000
    ```

    ## Passes
    ```yaml
    # the goal was in the plan's first commit, on 2026-12-15
    goals:
      - id: tiktok-views
        target: 50000
    ```
    """,
)

H103 = load_rule(
    "H103",
    "baseline-committed-late",
    "warning",
    """
    A baseline was committed long after its own date.

    ## What it checks
    The commit that introduced the goal's current baseline (date and value) is dated more
    than `lint.history_grace_days` (default 30) days after the baseline's `date`.

    ## Why
    The baseline is the benchmark measured before the work. Written down months later, it
    may be chosen to flatter the result ("we started from 9,000, not 12,000"). Commit the
    baseline when it is measured.

    ## Fails
    ```yaml
    # committed on 2027-04-20
    baseline: {date: 2026-12-31, value: 9000}
    ```

    ## Passes
    ```yaml
    # committed on 2027-01-05
    baseline: {date: 2026-12-31, value: 12000}
    ```
    """,
)

H104 = load_rule(
    "H104",
    "checkin-rewritten",
    "warning",
    """
    A check-in's value was changed after it was committed.

    ## What it checks
    A commit changed the value of a dated check-in that an earlier commit had recorded:
    inline `measurements`, or a row of a measurements CSV file the plan reads (reported on
    the CSV's line).

    ## Why
    Check-ins are the record of the period. Rewriting an earlier figure changes the trend
    the scorecard shows after the fact. Correct a measuring error with a trailer that says
    so (`Smartdoc-Rebaseline: Insights export double-counted March`), or add a new dated
    check-in instead.

    ## Fails
    ```yaml
    # committed on 2027-03-02 as 13800, changed on 2027-05-10:
    measurements:
      - {date: 2027-03-01, value: 14100}
    ```

    ## Passes
    ```yaml
    measurements:
      - {date: 2027-03-01, value: 13800}
      - {date: 2027-05-01, value: 14100}
    ```
    """,
)

H105 = load_rule(
    "H105",
    "goal-dropped",
    "warning",
    """
    A goal was removed from the plan after the period started.

    ## What it checks
    A goal `id` that a commit removed after the period began and that is not in the plan
    now. The finding sits on the plan's `goals:` key; the plan page lists the goal as
    dropped, with its last committed status.

    ## Why
    Deleting a goal that is going badly hides it from every roll-up. Keep it and let it
    show `off-track` or `missed`; if it truly no longer applies, say why with a
    `Smartdoc-Rebaseline:` trailer on the commit that removes it.

    ## Fails
    ```yaml
    # 2027-01-01: goals ig-followers and newsletter-signups
    # 2027-06-01: newsletter-signups removed
    goals:
      - id: ig-followers
    ```

    ## Passes
    ```yaml
    goals:
      - id: ig-followers
      - id: newsletter-signups
    ```
    """,
)

H106 = load_rule(
    "H106",
    "rebaselined",
    "info",
    """
    A change an H rule would report, made by a commit that says why.

    ## What it checks
    A moved goalpost (H101), a late goal (H102) or baseline (H103), a rewritten check-in
    (H104) or a dropped goal (H105) whose commit carries a `Smartdoc-Rebaseline: <reason>`
    trailer. The message quotes the reason, and the plan page shows it with the change.

    ## Why
    Plans change for good reasons. The trailer keeps the reason with the change, in the
    history where reviewers will look, so the scorecard can show both the revised and the
    original goal honestly.

    ## Fails
    ```text
    Lower the Instagram target
    ```

    ## Passes
    ```text
    Lower the Instagram target

    Smartdoc-Rebaseline: budget cut by the board on 2027-05-02
    ```
    """,
)

RULES = (H101, H102, H103, H104, H105, H106)
