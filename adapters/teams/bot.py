"""The bot's turn: learn where the conversation lives, then hand a message to the dispatcher (or the admin
commands) and a card button to the desk, exactly as the Slack listeners do; the behaviour is the core's.

Messages are acknowledged at once and handled in a background task (the reply goes through the connector, not the
HTTP response). Card buttons (`adaptiveCard/action` invokes) are handled before answering, because their answer is
the invoke response Teams shows the person who pressed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any

from adapters.teams import cards
from adapters.teams.commands import command_text, looks_like_command
from adapters.teams.connector import DeliveryError, Ref
from adapters.teams.directory import Directory
from adapters.teams.inbound import (
    actor_of,
    address_of,
    bot_mentioned,
    conversation_type,
    human_request,
    plain_text,
    to_inbound,
)
from adapters.teams.outbound import Courier
from adapters.teams.references import References, ref_of
from bot.core.conversation import conversation_key
from bot.core.errors import Conflict, FrontdeskError, NotFound
from bot.core.types import Actor, Ignore, Inbound, Role
from bot.orchestration import no_ai
from bot.orchestration.admin import Commands
from bot.orchestration.host import Host
from bot.orchestration.optout import opt_out
from bot.orchestration.tasks import BackgroundTasks

log = logging.getLogger(__name__)

AGENT_ACTIONS = frozenset(
    {"claim", "resolve", "hand_back", "approve", "reject", "edit", "reply", "rewrite", "write", "pick"}
)
MESSAGE = "application/vnd.microsoft.activity.message"


def answer(text: str) -> dict[str, Any]:
    """An Action.Execute response that shows `text` to the person who pressed."""
    return {"statusCode": 200, "type": MESSAGE, "value": text}


def replace_card(text: str) -> dict[str, Any]:
    """An Action.Execute response that swaps a one-time prompt (CSAT) for a thank-you, so it cannot be answered twice."""
    content = cards.card([{"type": "TextBlock", "text": text, "wrap": True}], [], text)
    return {"statusCode": 200, "type": cards.CARD, "value": content}


class TeamsBot:
    def __init__(
        self,
        app: Host,
        tenant: str,
        references: References,
        courier: Courier,
        directory: Directory,
        commands: Commands,
        tasks: BackgroundTasks,
        names: MutableMapping[str, str],
        channel_names: MutableMapping[str, str],
    ) -> None:
        self.app = app
        self.tenant = tenant
        self.references = references
        self.courier = courier
        self.directory = directory
        self.commands = commands
        self.tasks = tasks
        self.names = names
        self.channel_names = channel_names

    async def learn(self, activity: Mapping[str, Any]) -> None:
        """Store this conversation's reference and the names Teams told us (for cards and command replies)."""
        ref = ref_of(activity)
        sender = activity.get("from") or {}
        if sender.get("aadObjectId") and sender.get("name"):
            self.names[str(sender["aadObjectId"])] = str(sender["name"])
        channel = (activity.get("channelData") or {}).get("channel") or {}
        if ref is None:
            return
        name = str(channel.get("name") or (activity.get("conversation") or {}).get("name") or "")
        if name:
            self.channel_names[ref.conversation_id] = name
        await self.references.remember(ref, name=name)
        if ref.conversation_type == "personal" and sender.get("aadObjectId"):
            await self.references.remember_personal(str(sender["aadObjectId"]), ref.conversation_id)

    # -- messages -------------------------------------------------------------------------------------------------

    async def on_message(self, activity: Mapping[str, Any]) -> None:
        inbound = to_inbound(activity, self.tenant)
        if inbound is None:
            return
        addressed = conversation_type(activity) == "personal" or bot_mentioned(activity)
        text = command_text(activity, plain_text)
        if addressed and looks_like_command(text, self.commands.dialect, external=inbound.author.is_external):
            ref = ref_of(activity)
            conversation = str((activity.get("conversation") or {}).get("id") or "")
            if ref is not None:
                reply_to = Ref(conversation, ref.service_url, ref.tenant_id, ref.bot_id, ref.conversation_type)
                self.tasks.spawn(self.run_command(reply_to, inbound.author, self.tenant, ref.conversation_id, text))
            return
        self.tasks.spawn(self.submit_message(inbound), "teams-message")

    async def submit_message(self, inbound: Inbound) -> None:
        if inbound.author.role is Role.AGENT:
            # Colleagues talk everywhere; only their replies inside a customer's conversation are human turns.
            if inbound.address.channel in await self.directory.agents_channels():
                return
            if await self.app.store.load_conversation(conversation_key(inbound.address)) is None:
                return
        await self.app.dispatcher.submit(inbound)

    async def run_command(self, ref: Ref, actor: Actor, workspace: str, here: str, text: str) -> None:
        outcome = await self.commands.handle(actor, workspace, here, text)
        await self._say(ref, outcome.text)
        if outcome.later is not None:
            try:
                result = await outcome.later()
            except Exception as exc:  # noqa: BLE001 - the admin must hear about it
                log.exception("admin command work failed")
                result = f"That failed: {exc}"
            await self._say(ref, result)

    async def _say(self, ref: Ref, text: str) -> None:
        try:
            await self.courier.send(ref, cards.notice(text))
        except DeliveryError as exc:
            log.error("could not answer in %s: %s", ref.conversation_id, exc)

    # -- card buttons ---------------------------------------------------------------------------------------------

    async def on_invoke(self, activity: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        if activity.get("name") != "adaptiveCard/action":
            return 200, {}
        value = activity.get("value") or {}
        data = (value.get("action") or {}).get("data") or {}
        kind, ref = str(data.get("fd") or ""), str(data.get("v") or "")
        actor = actor_of(activity, self.tenant)
        try:
            if kind in AGENT_ACTIONS:
                return 200, await self._agent_action(kind, ref, actor, data)
            return 200, await self._customer_action(kind, ref, actor, activity)
        except (Conflict, NotFound, ValueError) as exc:
            return 200, answer(self._named(str(exc)))
        except FrontdeskError as exc:
            log.error("card action %s failed: %s", kind, exc)
            return 200, answer("That did not work; the team has been told.")

    def _named(self, text: str) -> str:
        """The core names agents by id ("already claimed by <id>"); people read their names."""
        for person, name in self.names.items():
            text = text.replace(person, name)
        return text

    async def _customer_action(self, kind: str, value: str, actor: Actor, activity: Mapping[str, Any]) -> dict[str, Any]:
        address = address_of(activity, self.tenant)
        if address is None:
            raise ValueError("this button is not attached to a conversation")
        card_id = str(activity.get("replyToId") or activity.get("id") or "")
        if kind in ("helpful", "not_helpful"):
            helpful = kind == "helpful"
            key = f"{address.channel}:{card_id}:{actor.id}:feedback"
            await self.app.dispatcher.feedback(address, actor, helpful=helpful, message_id=key)
            return answer("Thanks for letting us know." if helpful else "Sorry about that; noted.")
        if kind == "human":
            inbound = human_request(address, actor, unique=f"{card_id}:{actor.id}", at=_now())
            self.tasks.spawn(self.submit_human(inbound, activity), "teams-human")
            return answer("Done: a person from the team will reply here.")
        if kind == "no_ai":
            decision = await self.app.dispatcher.submit(no_ai.press(address, actor, f"{card_id}:{actor.id}", _now()))
            # Already with a person: no notice went out, so the confirmation is shown on the card.
            return answer(await no_ai.quiet_confirmation(self.app.store, self.app.phrases, decision, address) or "Done.")
        if kind == "reason":
            await self.app.desk.escalation_reason(conversation_key(address), actor, value)
            return replace_card("Thanks, that helps the person who picks this up.")
        if kind == "csat":
            if not value.isdigit():
                raise ValueError("That rating is not one of the card's buttons.")
            await self.app.desk.csat(conversation_key(address), actor, int(value))
            return replace_card(f"Thanks — you rated this conversation {int(value)}/5.")
        if kind == "opt_out":
            if not actor.is_external:
                raise Conflict("Only customers can stop these updates for their organisation.")
            await opt_out(self.app.store, actor.org, address, _now(), actor.id)
            return answer("Done: your team will not get these updates any more. Questions you ask here are answered as before.")
        log.info("ignoring unknown card action %r", kind)
        return answer("This button is no longer in use.")

    async def submit_human(self, inbound: Inbound, activity: Mapping[str, Any]) -> None:
        decision = await self.app.dispatcher.submit(inbound)
        ref = ref_of(activity)
        if ref is None:
            return
        if inbound.address.thread and not inbound.address.is_dm:
            ref = ref.in_thread(inbound.address.thread)
        if isinstance(decision, Ignore) and decision.reason in ("awaiting_human", "claimed_by_human"):
            conversation = await self.app.store.load_conversation(conversation_key(inbound.address))
            text = self.app.phrases.say("handoff", (conversation.language if conversation else None) or "en")
            await self._say(ref, text)
            return
        try:
            await self.courier.send(ref, cards.reason_prompt())  # optional, after the handoff
        except DeliveryError as exc:
            log.warning("could not ask for a reason: %s", exc)

    async def _agent_action(self, kind: str, value: str, actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
        if actor.is_external:
            raise Conflict("Only agents of this organisation can do that.")
        if kind == "rewrite":
            ticket_id, _, said = value.rpartition(":")
            await self.app.desk.rewrite_answer(ticket_id, actor, said == "yes")
            return replace_card(f"Noted: you {'did' if said == 'yes' else 'did not'} rewrite the AI's answer. Thanks!")
        choice = ""
        if kind == "pick":
            value, _, choice = value.rpartition(":")
        boxed = kind == "edit" or (kind == "pick" and choice == "edited")
        text = str((data.get("answer") if boxed else data.get("reply")) or "")
        if (kind in ("edit", "reply", "write") or boxed) and not text.strip():
            raise ValueError("The answer is empty: type it in the box on the card first.")
        await self.app.desk.act(kind, value, actor, text=text, choice=choice)
        done = {"claim": "You claimed it.", "resolve": "Resolved.", "approve": "Sent to the customer.",
                "reject": "Rejected.", "edit": "Your edited answer was sent.", "reply": "Sent to the customer.",
                "hand_back": "Handed back to the AI; the customer was told.", "pick": "Sent to the customer.",
                "write": "Noted: your reply is on the card."}
        return answer(done.get(kind, "Done."))


def _now() -> datetime:
    return datetime.now(UTC)
