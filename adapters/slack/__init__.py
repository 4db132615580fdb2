"""Slack adapter: the Slack Connect support desk on slack-bolt's AsyncApp, mounted on Frontdesk's aiohttp server.

`mount(web_app, app)` is the only entry point: it serves events, interactivity and `/frontdesk` at
`POST /slack/events` (HTTP mode) or connects over Socket Mode when SLACK_APP_TOKEN is set, and registers the Slack
`Outbox` and `AgentDesk` with the core. Submodules: inbound (payload -> Inbound), blocks and cards (Reply/Ticket ->
Block Kit), outbound (Web API delivery), listeners (bolt handlers), commands (`/frontdesk`), runtime (wiring).
"""

from __future__ import annotations

from adapters.slack.outbound import SlackAgentDesk, SlackOutbox
from adapters.slack.runtime import SLACK_KEY, SlackRuntime, mount

__all__ = ["SLACK_KEY", "SlackAgentDesk", "SlackOutbox", "SlackRuntime", "mount"]
