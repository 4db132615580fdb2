"""Slack's background tasks are the shared ones (`bot.orchestration.tasks`), kept importable here."""

from __future__ import annotations

from bot.orchestration.tasks import BackgroundTasks

__all__ = ["BackgroundTasks"]
