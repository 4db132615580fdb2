"""`frontdesk teams …`: Microsoft Teams set-up commands (the app package a Teams admin uploads)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.output import fail, say
from bot.settings import Settings

teams_app = typer.Typer(help="Microsoft Teams: the app package.", no_args_is_help=True, rich_markup_mode=None)


@teams_app.command("package", short_help="Write the Teams app package (manifest.json + icons) as a zip.")
def package_command(
    domain: Annotated[str, typer.Option(help="Host name serving /api/messages, e.g. frontdesk.example.com.")],
    app_id: Annotated[str, typer.Option(help="The bot's Microsoft App ID (default: MICROSOFT_APP_ID).")] = "",
    out: Annotated[Path, typer.Option(help="Where to write the zip.")] = Path("frontdesk-teams.zip"),
    name: Annotated[str, typer.Option(help="The app's short name in Teams (at most 30 characters).")] = "Frontdesk",
) -> None:
    """Write the zip a Teams admin uploads (Teams admin center → Manage apps → Upload, or Apps → Upload a custom
    app); it declares the bot, its @Frontdesk commands, shared and private channels and channel-message consent."""
    from adapters.teams.package import PackageOptions, write

    options = PackageOptions(app_id=app_id or (Settings().teams_app_id or ""), domain=domain.strip(), name=name)
    problems = options.check()
    if problems:
        raise fail("; ".join(problems))
    say(f"Wrote {write(options, out)}: upload it in Teams (Apps → Manage your apps → Upload an app).")
