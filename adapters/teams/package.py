"""`frontdesk teams package`: the Teams app package a Teams admin uploads (manifest.json and two icons, zipped).

The manifest (schema v1.17) declares the bot for personal chats, teams and group chats; advertises the admin
commands in `commandLists` (Teams shows them as suggestions when people type @Frontdesk); supports shared and private
channels (Teams Connect, where customers are); asks for the resource-specific consent permission to read channel
messages without an @mention (so agents' replies in a customer thread reach the desk); and lists the bot's domain in
`validDomains`. Icons are drawn here (192×192 colour, 32×32 transparent outline), never downloaded.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

MANIFEST_VERSION = "1.17"
SCHEMA_URL = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#2B5797"

# Teams shows at most 10 commands per list: the ones admins type most (`help` lists every command).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", "List every Frontdesk admin command"),
    ("status", "Mode, threshold, AI share and open handoffs for a channel"),
    ("mode", "Set a channel's mode: ai-first, pre-approval, agent-first, parallel, hybrid or off"),
    ("threshold", "Confidence the AI needs to answer, e.g. threshold 0.7"),
    ("share", "Share of new conversations the AI takes, e.g. share 30"),
    ("route", "Send a topic's handoffs to an agents channel"),
    ("vip", "vip add|remove a person or organisation: straight to a person"),
    ("pause", "Stop the AI in a channel (resume to restart)"),
    ("digest", "digest now: post the weekly digest"),
    ("reindex", "Re-ingest the knowledge base"),
)


@dataclass(frozen=True, slots=True)
class PackageOptions:
    app_id: str  # the Azure bot registration's Microsoft App ID
    domain: str  # where /api/messages is served, e.g. frontdesk.example.com
    name: str = "Frontdesk"
    developer: str = "Frontdesk"
    website: str = "https://github.com/frontdesk-ai/frontdesk"
    version: str = "1.0.0"

    def check(self) -> list[str]:
        problems = []
        try:
            uuid.UUID(self.app_id)
        except ValueError:
            problems.append(f"the app id must be the bot's Microsoft App ID (a GUID), got {self.app_id!r}")
        if not re.fullmatch(r"[a-z0-9.-]+(:\d+)?", self.domain.lower()) or "." not in self.domain:
            problems.append(f"the domain must be a host name like frontdesk.example.com, without https://, got {self.domain!r}")
        if not 1 <= len(self.name) <= 30:
            problems.append("the short name must be 1 to 30 characters")
        return problems


def manifest(options: PackageOptions) -> dict[str, Any]:
    scopes = ["personal", "team", "groupChat"]
    site = options.website.rstrip("/")
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": options.version,
        "id": options.app_id,
        "developer": {
            "name": options.developer,
            "websiteUrl": site,
            "privacyUrl": f"{site}/privacy",
            "termsOfUseUrl": f"{site}/terms",
        },
        "name": {"short": options.name, "full": f"{options.name} AI support desk"},
        "description": {
            "short": "AI answers for your customers' questions, with a person one click away.",
            "full": (
                "Frontdesk answers customers in Teams shared channels and chats from your knowledge base, with its "
                "sources. When it is not sure, or a customer asks for a person, it hands the conversation to your "
                "agents with a card they can claim, reply from and resolve. Admins tune it with @Frontdesk commands."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": options.app_id,
                "scopes": scopes,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": scopes, "commands": [{"title": title, "description": text} for title, text in COMMANDS]}
                ],
            }
        ],
        "supportedChannelTypes": ["sharedChannels", "privateChannels"],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [options.domain],
        "webApplicationInfo": {"id": options.app_id, "resource": f"api://{options.domain}/botid-{options.app_id}"},
        "authorization": {
            "permissions": {
                "resourceSpecific": [
                    # Agents' replies in a customer thread and customers' follow-ups arrive without an @mention.
                    {"name": "ChannelMessage.Read.Group", "type": "Application"},
                    {"name": "ChatMessage.Read.Chat", "type": "Application"},
                ]
            }
        },
    }


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def color_icon(size: int = 192) -> bytes:
    """A full-colour 192×192 icon: a white speech bubble on the accent colour."""
    image = Image.new("RGBA", (size, size), ACCENT)
    draw = ImageDraw.Draw(image)
    pad = size // 5
    draw.rounded_rectangle((pad, pad, size - pad, size - pad - size // 8), radius=size // 10, fill="white")
    draw.polygon([(pad + size // 8, size - pad - size // 8), (pad + size // 8, size - pad), (pad + size // 3, size - pad - size // 8)], fill="white")
    return _png(image)


def outline_icon(size: int = 32) -> bytes:
    """The 32×32 outline icon: white on a transparent background, as Teams requires."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 5, size - 4, size - 10), radius=4, outline="white", width=2)
    draw.line([(9, size - 10), (9, size - 4), (14, size - 10)], fill="white", width=2)
    return _png(image)


def write(options: PackageOptions, out: Path) -> Path:
    """Write the zip (manifest.json and the icons at its root, as Teams expects)."""
    problems = options.check()
    if problems:
        raise ValueError("; ".join(problems))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(options), indent=2, ensure_ascii=False))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out
