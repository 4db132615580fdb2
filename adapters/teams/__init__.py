"""Microsoft Teams adapter on the Bot Framework (botbuilder 4.17.1), mounted on Frontdesk's aiohttp server.

`mount(web_app, app)` serves `POST /api/messages` and registers the Teams `Outbox` and `AgentDesk` with the core.
Submodules: options (settings slice), auth and runtime (endpoint), connector (outbound SDK seam), references
(stored conversation references), inbound (activity -> Inbound), cards (Reply/Ticket -> Adaptive Cards), outbound
(delivery), directory, commands (admin commands as mentions), bot (turn handling), package (the app package).
"""

from __future__ import annotations

from adapters.teams.runtime import TEAMS_KEY, TeamsRuntime, mount

__all__ = ["TEAMS_KEY", "TeamsRuntime", "mount"]
