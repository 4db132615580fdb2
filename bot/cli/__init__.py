"""The `frontdesk` command line (an edge of the composition root): `main` is the entry point; `knowledge` holds the
`kb` and `eval` commands, `report` the metrics report, `output` the plain-text printing they share.
"""
