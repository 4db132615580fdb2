"""`[scheduler]`, `[digest]` and `[qa]` in frontdesk.toml: when scheduled jobs run and where they post.

Validated at load like every section: a bad day, time, time zone or recipient is an error naming the key. Which teams
exist is checked by `check_teams` once the whole file is read (`bot.settings.Config`), since `[teams]` is another
section.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.types import Platform

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# Slack conversation ids: channels (C…, G…), DMs (D…) and users (U…, W… — a post to a user id lands in their DM).
_SLACK_TARGET = re.compile(r"^[CGDUW][A-Z0-9_]{2,}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AtTime(_Strict):
    """A job's `time` (HH:MM, 24 h, in `[scheduler] timezone`), whether it runs, and where it posts."""

    enabled: bool = False
    time: str = "09:00"
    platform: Platform = Platform.SLACK

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.match(value.strip()):
            raise ValueError(f"time must be HH:MM (24-hour), got {value!r}")
        return value.strip()

    @property
    def hour(self) -> int:
        return int(self.time[:2])

    @property
    def minute(self) -> int:
        return int(self.time[3:])


class Weekly(AtTime):
    """A weekly slot: `day` (mon…sun) at `time`."""

    day: str = "mon"

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        day = value.strip().lower()[:3]
        if day not in DAYS:
            raise ValueError(f"day must be one of {', '.join(DAYS)}, got {value!r}")
        return day


class _ToLeads(_Strict):
    """Who receives a per-team report: `recipients` (team -> channel or user id; else the team's lead) and an optional
    `everyone` target that gets every team's part."""

    recipients: dict[str, str] = Field(default_factory=dict)
    everyone: str = ""

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, value: dict[str, str]) -> dict[str, str]:
        return {team: check_target(target, Platform.SLACK) for team, target in value.items()}

    @field_validator("everyone")
    @classmethod
    def _everyone(cls, value: str) -> str:
        return check_target(value, Platform.SLACK)


# Microsoft Teams: channel and group-chat conversation ids (19:…@thread.tacv2), 1:1 chats (a:…) and people (AAD
# object ids, a GUID: their 1:1 chat with the bot). Slack ids are upper-case letters and digits only, so the two
# shapes never overlap and one recipient list may mix both platforms.
_TEAMS_TARGET = re.compile(
    r"^(19:[^\s]+@thread\.[a-z0-9]+|a:[^\s]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


def target_platform(value: str, default: Platform) -> Platform:
    """Which platform a configured recipient lives on, told by its shape (Teams ids vs Slack ids)."""
    return Platform.TEAMS if _TEAMS_TARGET.match(value.strip()) else default


def check_target(value: str, platform: Platform) -> str:
    value = value.strip()
    if target_platform(value, platform) is Platform.TEAMS:
        return value
    if platform is Platform.SLACK and value and not _SLACK_TARGET.match(value):
        raise ValueError(
            f"{value!r} is not a Slack channel or user id (C…, G…, D…, U… or W…) nor a Teams one (19:…@thread.tacv2, "
            "a:…, or a person's AAD object id)"
        )
    return value


class DigestConfig(Weekly, _ToLeads):
    """The Monday failure digest to team leads (MISSION §7, §12); `everyone` is e.g. the support leads' channel."""

    top: int = Field(default=10, ge=1, le=50)  # failed questions listed
    daily: bool = False  # also a daily failure list (yesterday's failed questions) at `time`, to the same people
    # To `everyone` (the leads' channel): a monthly deep-dive on the 1st and an annual audit on 2 January, at `time`.
    monthly: bool = False
    annual: bool = False


class QaConfig(Weekly):
    """The weekly random sample of AI answers posted for grading (MISSION §9)."""

    day: str = "mon"
    time: str = "10:00"
    channel: str = ""  # the QA channel
    sample: int = Field(default=50, ge=1, le=500)
    legal_channel: str = ""  # set: a monthly sample for legal review, on the 1st at `time`
    legal_sample: int = Field(default=100, ge=1, le=1000)
    # language -> a native-speaking reviewer (channel or user id): a weekly sample of that language's answers
    languages: dict[str, str] = Field(default_factory=dict)
    language_sample: int = Field(default=10, ge=1, le=200)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for language, target in value.items():
            code = language.strip().lower()
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f"{language!r} is not a two-letter language code such as de or es")
            out[code] = check_target(target, Platform.SLACK)
        return out

    @field_validator("channel", "legal_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return check_target(value, Platform.SLACK)


class KbReviewConfig(AtTime, _ToLeads):
    """The quarterly KB review (MISSION §12): on the 1st of January, April, July and October at `time`, each team's
    lead gets its stale articles (older than `[knowledge] review_days`) and the ones no answer cited in that time.
    `everyone` also gets the articles of teams nobody receives for."""

    top: int = Field(default=30, ge=1, le=200)  # articles listed per section per message

    def slot(self) -> Weekly:
        """As the job registry's slot (enabled, platform); the quarterly cron replaces its day."""
        return Weekly(enabled=self.enabled, time=self.time, platform=self.platform)

    def cron(self) -> dict[str, int | str]:
        return {"month": "1,4,7,10", "day": 1, "hour": self.hour, "minute": self.minute}


_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
PLACEHOLDERS = frozenset({"org"})


def _check_template(text: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ValueError(f"the template is malformed ({exc}); write {{org}} for the organisation, {{{{ for a brace") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}}; only {{org}} is filled in")
    return text


class CampaignConfig(Weekly):
    """A proactive message to customer channels (MISSION §6): piloted, with a holdout, caps and quiet hours."""

    text: str  # markdown-lite; {org} is the customer's organisation id
    texts: dict[str, str] = Field(default_factory=dict)  # per language (the channel's last language); else `text`
    orgs: list[str] = Field(default_factory=list)  # only these organisations (empty: every customer channel)
    share: float = Field(default=1.0, gt=0.0, le=1.0)  # pilot: share of organisations that get it
    holdout: float = Field(default=0.0, ge=0.0, lt=1.0)  # control group: never sent, recorded for comparison
    quiet_hours: str = ""  # "20:00-08:00" in [scheduler] timezone: a run in this window sends nothing
    min_days_between: int = Field(default=7, ge=0, le=365)  # per channel, across all campaigns

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the campaign text is empty")
        return _check_template(value)

    @field_validator("texts")
    @classmethod
    def _texts(cls, value: dict[str, str]) -> dict[str, str]:
        return {language: _check_template(text) for language, text in value.items()}

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        value = value.replace(" ", "")
        if value and not _QUIET.match(value):
            raise ValueError(f"quiet_hours must be HH:MM-HH:MM, e.g. 20:00-08:00, got {value!r}")
        return value

    def quiet(self, hour: int, minute: int) -> bool:
        """Whether a local time falls in the quiet hours (which may wrap past midnight)."""
        if not self.quiet_hours:
            return False
        start, end = self.quiet_hours.split("-")
        now, a, b = hour * 60 + minute, int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:])
        return a <= now < b if a <= b else now >= a or now < b


class SchedulerConfig(_Strict):
    """`enabled` runs scheduled jobs in `frontdesk serve` (one leader among replicas); on-demand runs always work."""

    enabled: bool = False
    timezone: str = "UTC"
    misfire_grace_minutes: int = Field(default=360, ge=1, le=7 * 24 * 60)  # run a job missed while down, if recent

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin or UTC") from None
        return value


def check_sections(
    digest: DigestConfig,
    qa: QaConfig,
    teams: Iterable[str],
    leads: dict[str, str],
    kb_review: KbReviewConfig | None = None,
) -> list[str]:
    """Cross-section problems (the keys named as in the file); empty when the sections agree."""
    known = set(teams)
    kb_review = kb_review or KbReviewConfig()
    problems = [
        f"'{section}.recipients.{team}': no team {team!r} in [teams] (teams: {', '.join(sorted(known)) or 'none'})"
        for section, listed in (("digest", digest.recipients), ("kb_review", kb_review.recipients))
        for team in listed
        if team not in known
    ]
    for team, lead in leads.items():
        try:
            check_target(lead, Platform.SLACK)
        except ValueError as exc:
            problems.append(f"'teams.{team}.lead': {exc}")
    if digest.enabled and not (digest.recipients or digest.everyone or any(leads.values())):
        problems.append(
            "'digest': enabled but nobody to send it to; set digest.recipients, digest.everyone or [teams.<name>] lead"
        )
    if kb_review.enabled and not (kb_review.recipients or kb_review.everyone or any(leads.values())):
        problems.append(
            "'kb_review': enabled but nobody to send it to; set kb_review.recipients, kb_review.everyone or "
            "[teams.<name>] lead"
        )
    if qa.enabled and not qa.channel:
        problems.append("'qa.channel': required when qa.enabled is true (the channel where reviewers grade answers)")
    return problems
