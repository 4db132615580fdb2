"""Scheduled and on-demand jobs: the Monday digest, the weekly QA sample and proactive campaigns.

`jobs` is the registry and the context jobs run with; `runner` runs them on schedule with one leader among replicas;
`webhook` lets other systems fire a campaign. Jobs send only through the `Outbox` port (ARCHITECTURE.md, rule 7).
"""
