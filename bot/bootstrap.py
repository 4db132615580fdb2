"""The composition root: the one place that builds Frontdesk's parts and wires them together.

Real parts by default (SQL store migrated on start, the knowledge base ingested incrementally, the policy chain from
config); any part can be replaced by a fake through keyword overrides, which is how tests and `frontdesk eval` run
the same engine without a server. Adapters register their `Outbox` / `AgentDesk` in `App.outboxes` / `App.desks`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from bot.core.ports import AgentDesk, Answerer, Outbox, Phrasebook, Store, Writer
from bot.core.types import Mode, Platform
from bot.orchestration.demotion import DemotionBoard
from bot.orchestration.desk import Desk
from bot.orchestration.dispatcher import Dispatcher
from bot.orchestration.engine import Engine
from bot.orchestration.locks import Locks
from bot.orchestration.staff import StaffRoster
from bot.settings import Config, Settings
from policies import PolicySet, build_policies
from policies.mood import LlmMood

log = logging.getLogger(__name__)


@dataclass(slots=True)
class App:
    settings: Settings
    config: Config
    store: Store
    answerer: Answerer
    engine: Engine
    dispatcher: Dispatcher
    desk: Desk
    phrases: Phrasebook
    demotions: DemotionBoard  # articles demoted by feedback: the engine's snapshot, `status`, `promote`
    staff: StaffRoster | None = None  # agents' display names seen on any platform (adapters add what they learn)
    outboxes: dict[Platform, Outbox] = field(default_factory=dict)
    desks: dict[Platform, AgentDesk] = field(default_factory=dict)
    knowledge: Any = None  # the KnowledgeBase when the real one is used (ingest, audit, reload)
    jobs: dict[str, Callable[[], Awaitable[str]]] = field(default_factory=dict)  # on-demand runs (`digest now`)
    closers: list[Callable[[], Any]] = field(default_factory=list)
    # Readiness checks adapters register (name -> "is the platform reachable?"), run by /readyz.
    probes: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)

    async def close(self) -> None:
        for close in reversed(self.closers):
            result = close()
            if hasattr(result, "__await__"):
                await result


def channel_defaults(config: Config, settings: Settings) -> Any:
    from bot.store.defaults import ChannelDefaults

    routing = config.routing
    return ChannelDefaults(
        mode=Mode(routing.default_mode),
        threshold=config.escalation.threshold,
        approval_days=routing.approval_days,
        ai_share=routing.ai_share,
        team=routing.default_team,
        vip_customers=frozenset(routing.vip_customers),
        vip_orgs=frozenset(routing.vip_orgs),
        explicit_modes={channel: Mode(mode) for channel, mode in routing.channel_modes.items()},
    )


async def open_store(settings: Settings, config: Config, *, migrate: bool = True) -> Store:
    """The SQL store on DATABASE_URL (or the SQLite default), migrated to the latest schema."""
    from bot.store.migrate import upgrade
    from bot.store.sql import SqlStore

    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
    if migrate:
        await upgrade(url)
    return SqlStore(url, channel_defaults(config, settings))


def _shared_lock(store: Store) -> Any:
    """The cross-replica conversation lock for a store on PostgreSQL (None otherwise), one connection per decision
    the dispatcher runs at once (`Dispatcher.concurrency`)."""
    from bot.store.conversation_lock import for_store

    in_flight = next(f.default for f in fields(Dispatcher) if f.name == "concurrency")
    return for_store(store, in_flight if isinstance(in_flight, int) else 16)


def persona_prompt(config: Config) -> str:
    """The persona as the LLM path's prompt sees it: the voice, then the example responses."""
    persona = config.persona
    examples = "\n".join(f"- {example}" for example in persona.examples)
    return persona.voice + (f"\nExample responses:\n{examples}" if examples else "")


def open_knowledge_base(settings: Settings, config: Config) -> Any:
    """Open the knowledge base at FRONTDESK_KB; it ingests incrementally (only changed files are re-embedded)."""
    import knowledge

    return knowledge.open_knowledge(
        config.knowledge, settings.kb_dir, settings.ensure_data_dir(), llm=settings.llm, persona=persona_prompt(config)
    )


def build_policy_set(
    config: Config,
    kb_languages: frozenset[str],
    seen_names: Callable[[], Iterable[str]] | None = None,
    kb_mix: Mapping[str, float] | None = None,
) -> PolicySet:
    """The policy chain for this config; `kb_languages` are the languages the knowledge base can answer in;
    `seen_names` the agents' display names the desk has seen (the guardrails never let a reply name them);
    `kb_mix` its customer articles per language (the language detector's prior)."""
    return build_policies(
        persona=config.persona,
        escalation=config.escalation,
        sensitive=config.sensitive,
        routing=config.routing,
        languages=config.languages,
        teams=config.teams,
        kb_languages=kb_languages,
        smalltalk=config.smalltalk,
        demotion=config.demotion,
        seen_names=seen_names,
        kb_mix=kb_mix,
    )


def _configured_languages(config: Config) -> frozenset[str]:
    """The languages an injected answerer is taken to cover: the configured ones, else the default language."""
    return frozenset(config.languages.supported) or frozenset({config.languages.default})


def _mood_reader(answerer: Any) -> Callable[[str], Awaitable[str | None]] | None:
    """The configured LLM's mood reading (policies/mood.py), when the knowledge base has a chat model."""
    chat_model = getattr(answerer, "chat_model", None)
    return LlmMood(chat_model).read if chat_model is not None else None


async def bootstrap(
    settings: Settings | None = None,
    *,
    config: Config | None = None,
    store: Store | None = None,
    answerer: Answerer | None = None,
    kb_languages: frozenset[str] | None = None,
    clock: Callable[[], datetime] | None = None,
    migrate: bool = True,
    writer: Writer | None = None,
) -> App:
    settings = settings or Settings()
    config = config or settings.load_config()
    clock = clock or (lambda: datetime.now(UTC))
    kb: Any = None
    if answerer is None:
        kb = open_knowledge_base(settings, config)
        answerer = kb
        kb_languages = kb.languages()
    mix = getattr(answerer, "language_mix", None)
    kb_mix: Mapping[str, float] | None = mix() if callable(mix) else None
    if store is None:
        store = await open_store(settings, config, migrate=migrate)
    staff = StaffRoster(store)
    await staff.load()
    if writer is None and getattr(kb, "chat_model", None) is not None:
        from knowledge.writer import LlmWriter

        writer = LlmWriter(kb.chat_model)  # the same configured LLM writes agents' summaries and suggestions
    policy_set = build_policy_set(
        config, kb_languages if kb_languages is not None else _configured_languages(config), staff.names, kb_mix
    )
    outboxes: dict[Platform, Outbox] = {}
    desks: dict[Platform, AgentDesk] = {}
    locks = Locks(_shared_lock(store))  # PostgreSQL: one conversation at a time across replicas too
    demotions = DemotionBoard(store, config.demotion, clock)
    await demotions.refresh_quietly()
    engine = Engine(
        answerer=answerer,
        input_policies=policy_set.input,
        output_policies=policy_set.output,
        phrases=policy_set.phrases,
        default_team=config.routing.default_team,
        default_language=config.languages.default,
        clock=clock,
        demotions=demotions.current,
        writer=writer,
        read_mood=_mood_reader(answerer),
    )
    desk = Desk(store, outboxes, desks, policy_set.phrases, locks, clock, writer, staff)
    dispatcher = Dispatcher(store, engine, outboxes, desks, desk, locks, clock)
    desk.delivery = dispatcher.outbox  # agents' actions go through the same outbox worker as decisions
    app = App(
        settings=settings,
        config=config,
        store=store,
        answerer=answerer,
        engine=engine,
        dispatcher=dispatcher,
        desk=desk,
        phrases=policy_set.phrases,
        outboxes=outboxes,
        desks=desks,
        demotions=demotions,
        staff=staff,
        knowledge=kb,
    )
    from scheduler.context import JobContext
    from scheduler.jobs import on_demand

    app.jobs.update(on_demand(JobContext.of(app, clock)))
    close = getattr(store, "close", None)
    if close is not None:
        app.closers.append(close)
    if locks.shared is not None:
        app.closers.append(locks.shared.close)
    app.closers.append(demotions.close)  # closed first: a recount in flight must not outlive the store
    return app
