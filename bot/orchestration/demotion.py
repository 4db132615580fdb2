"""Which articles are demoted, counted over stored decisions and feedback; the server's snapshot of them; promotion.

An AI answer (or draft) is rated when it got a signal: a "helpful" / "not helpful" vote, an escalation as the very
next decision of its conversation, or an agent's verdict (the draft or answer rewritten, or sent as it was). Any
negative signal makes the answer unhelpful. `tally` counts rated answers per top article since the window began (and since the article was last
promoted); `policies.demotion.judge` decides. `DemotionBoard` keeps the result in memory for the engine and
recomputes it at most every `refresh_minutes`, in the background, so no message waits on a scan of the records.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from bot.core.demotion import Demotion
from bot.core.errors import NotFound
from bot.core.ports import DecisionRecord, FeedbackEntry, Store
from policies.demotion import DemotionConfig, judge

log = logging.getLogger(__name__)

PROMOTED_KEY = "demotion.promoted"  # setting: JSON {article id: ISO time of its last promotion}
ANSWER_KINDS = ("answer", "draft")  # decisions that quote an article to the customer (or propose to)
LOAD_SLICE = timedelta(hours=6)


@dataclass(slots=True)
class Votes:
    helpful: int = 0
    rated: int = 0
    team: str = ""


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def tally(
    decisions: Sequence[DecisionRecord],
    feedback: Sequence[FeedbackEntry],
    *,
    since: datetime,
    promoted: Mapping[str, datetime] | None = None,
) -> dict[str, Votes]:
    """Rated answers per top article: answers at or after `since` and after the article's last promotion."""
    promoted = promoted or {}
    by_conversation: dict[str, list[DecisionRecord]] = defaultdict(list)
    for d in decisions:
        if d.kind != "ignore":
            by_conversation[d.conversation_key].append(d)
    for items in by_conversation.values():
        # Per conversation, not one sort of everything: a big sort holds the GIL and stalls the event loop.
        items.sort(key=lambda d: (_utc(d.at), d.id))
    counted: dict[int, DecisionRecord] = {}
    signal: dict[int, bool] = {}  # answer id -> helpful (False wins over True)

    def rate(answer: DecisionRecord | None, helpful: bool) -> None:
        if answer is not None and answer.id in counted:
            signal[answer.id] = signal.get(answer.id, True) and helpful

    for items in by_conversation.values():
        for i, d in enumerate(items):
            if d.kind not in ANSWER_KINDS or not d.article_ids or _utc(d.at) < since:
                continue
            last = promoted.get(d.article_ids[0])
            if last is not None and _utc(d.at) <= last:
                continue
            counted[d.id] = d
            if i + 1 < len(items) and items[i + 1].kind == "escalate":
                rate(d, False)

    def answered_before(f: FeedbackEntry, kinds: tuple[str, ...]) -> DecisionRecord | None:
        """The conversation's latest answer at or before the feedback (citing its article, when it names one)."""
        top = f.article_ids[0] if f.article_ids else None
        candidates = [
            d
            for d in by_conversation.get(f.conversation_key, ())
            if d.kind in kinds and d.article_ids and _utc(d.at) <= _utc(f.at) and (top is None or d.article_ids[0] == top)
        ]
        return candidates[-1] if candidates else None

    for f in feedback:
        answer = counted.get(f.decision_id) if f.decision_id is not None else answered_before(f, ANSWER_KINDS)
        if f.kind == "helpful" and f.helpful is not None:
            rate(answer, f.helpful)
        elif f.kind == "rewrite" and f.rewrote is not None:
            # An agent's verdict on the AI's draft or answer: sent as it was counts as helpful. Counting only
            # rewrites would rate every draft in a pre-approval channel unhelpful and demote its articles.
            rate(answer, not f.rewrote)

    votes: dict[str, Votes] = defaultdict(Votes)
    for answer_id, helpful in signal.items():
        answer = counted[answer_id]
        v = votes[answer.article_ids[0]]
        v.rated += 1
        v.helpful += int(helpful)
        v.team = v.team or answer.team
    return dict(votes)


def demotions_from(votes: Mapping[str, Votes], config: DemotionConfig) -> list[Demotion]:
    """The demoted articles, worst first."""
    found = [judge(article, v.helpful, v.rated, config, team=v.team) for article, v in votes.items()]
    return sorted((d for d in found if d is not None), key=lambda d: (d.helpful / d.rated, -d.rated, d.article_id))


async def promotions(store: Store) -> dict[str, datetime]:
    raw = await store.get_setting(PROMOTED_KEY)
    if not raw:
        return {}
    try:
        return {article: datetime.fromisoformat(at) for article, at in json.loads(raw).items()}
    except (ValueError, AttributeError, TypeError):
        log.warning("setting %s is not valid; ignoring earlier promotions", PROMOTED_KEY)
        return {}


async def compute(store: Store, config: DemotionConfig, now: datetime) -> list[Demotion]:
    """The demoted articles now, from the records of the last `window_days`."""
    if not config.enabled:
        return []
    since = now - timedelta(days=config.window_days)
    decisions: list[DecisionRecord] = []
    feedback: list[FeedbackEntry] = []
    # Six hours at a time: turning rows into records runs on the event loop, and a month of a busy desk in one query
    # stalled it for seconds (bench/demotion_speed.py); a short slice keeps each stall short.
    start = since
    while start < now:
        end = min(start + LOAD_SLICE, now)
        decisions += await store.decisions(start, end)
        feedback += await store.feedback(start, end)
        start = end
    # Records stamped `now` or later (a clock that did not move, another replica's clock ahead) count too.
    decisions += await store.decisions(now)
    feedback += await store.feedback(now)
    promoted = await promotions(store)
    # Counting is pure CPU over immutable records: off the event loop, so messages are not kept waiting meanwhile.
    votes = await asyncio.to_thread(tally, decisions, feedback, since=since, promoted=promoted)
    return demotions_from(votes, config)


async def promote(
    store: Store,
    config: DemotionConfig,
    article_id: str,
    actor_id: str,
    now: datetime,
    *,
    demoted: Sequence[Demotion] | None = None,
) -> Demotion:
    """Undo a demotion: votes up to now no longer count against the article. Recorded in the admin log.

    `demoted` is the list as just computed at `now` (else it is computed here). Raises NotFound (naming the demoted
    articles) when the article is not demoted, and changes nothing then."""
    current = {d.article_id: d for d in (await compute(store, config, now) if demoted is None else demoted)}
    demotion = current.get(article_id)
    if demotion is None:
        listed = ", ".join(current) or "none"
        raise NotFound(f"article {article_id!r} is not demoted (demoted articles: {listed})")
    done = {article: at.isoformat() for article, at in (await promotions(store)).items()}
    done[article_id] = now.isoformat()
    await store.put_setting(PROMOTED_KEY, json.dumps(done, sort_keys=True))
    await store.record_admin_change(actor_id, f"kb promote {article_id} (was {demotion.describe()})", now)
    return demotion


@dataclass(slots=True)
class DemotionBoard:
    """The demoted articles as this server last computed them: what the engine reads on every answer."""

    store: Store
    config: DemotionConfig
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _current: Mapping[str, Demotion] = field(default_factory=lambda: MappingProxyType({}))
    _at: datetime | None = None
    _task: asyncio.Task[None] | None = None

    def current(self) -> Mapping[str, Demotion]:
        """The snapshot; when it is older than `refresh_minutes`, a recount starts in the background."""
        stale = self._at is None or self.clock() - self._at >= timedelta(minutes=self.config.refresh_minutes)
        if self.config.enabled and stale and (self._task is None or self._task.done()):
            # Without a running loop (a synchronous caller) nothing starts; the next async caller recounts.
            with contextlib.suppress(RuntimeError):
                self._task = asyncio.get_running_loop().create_task(self.refresh_quietly())
        return self._current

    def listed(self) -> list[Demotion]:
        return list(self._current.values())

    async def refresh(self) -> list[Demotion]:
        now = self.clock()
        found = await compute(self.store, self.config, now)
        self._current = MappingProxyType({d.article_id: d for d in found})
        self._at = now
        return found

    async def refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception:  # a failed recount keeps the last snapshot; answers go on
            log.exception("recounting demoted articles failed; keeping the last list")

    async def promote(self, article_id: str, actor_id: str) -> Demotion:
        """Promote against a fresh count, which then becomes the snapshot (less the promoted article)."""
        now = self.clock()
        found = await compute(self.store, self.config, now)
        demotion = await promote(self.store, self.config, article_id, actor_id, now, demoted=found)
        self._current = MappingProxyType({d.article_id: d for d in found if d.article_id != article_id})
        self._at = now
        return demotion

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
