"""The one pipeline from plan files to a site; every command goes through it.

    discover -> load -> lint      check.py    -> Checked{plans: [CheckedPlan], findings}
    score -> render (pages, PDFs) site.py     -> pages into a SiteSink, [PlanSummary] -> SiteResult
    publish                       build.py    -> the output folder swapped in atomically

`smartdoc lint` and `smartdoc status` stop after `check_plans`; `smartdoc build` runs
`publish_site`; `smartdoc serve` and `make bench` run `build_site` into memory. See
docs/architecture.md for the data that flows between the stages.
"""
