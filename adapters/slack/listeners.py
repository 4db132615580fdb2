"""Bolt listeners: acknowledge at once, translate the payload, hand it to the dispatcher or the desk in a task.

Each listener body is a few lines; the translation lives in `inbound` (pure) and the behaviour in the core
(`Dispatcher`, `Desk`), so Slack behaves exactly like Teams and the playground.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import cards
from adapters.slack.blocks import parse_action_id
from adapters.slack.commands import Commands
from adapters.slack.host import Host
from adapters.slack.inbound import Us, action_address, action_user, human_request, to_inbound
from adapters.slack.qa_grading import QA_VIEW, QaGrading
from adapters.slack.tasks import BackgroundTasks
from bot.core.conversation import conversation_key
from bot.core.errors import Conflict, FrontdeskError, NotFound, handoff_not_found
from bot.core.types import Actor, Address, HandoffStatus, Ignore, Inbound, Platform, Role
from bot.orchestration import no_ai
from bot.orchestration.delivery import describe
from bot.orchestration.handoff import with_customer_reason
from bot.orchestration.optout import opt_out

log = logging.getLogger(__name__)

AGENT_ACTIONS = frozenset(
    {"claim", "resolve", "hand_back", "approve", "edit", "reject", "rewrite", "write", "pick", "qa_grade"}
)


def us_from(context: AsyncBoltContext) -> Us:
    """Our identity from bolt's cached auth.test (AsyncSingleTeamAuthorization)."""
    result = context.authorize_result
    if result is None:
        return Us(team_id=str(context.team_id or ""))
    return Us(
        team_id=str(result.team_id or context.team_id or ""),
        enterprise_id=str(result.enterprise_id or ""),
        bot_user_id=str(result.bot_user_id or ""),
        bot_id=str(result.bot_id or ""),
    )


class SlackListeners:
    def __init__(
        self,
        app: Host,
        client: AsyncWebClient,
        tasks: BackgroundTasks,
        commands: Commands,
        agents_channels: Callable[[], Awaitable[set[str]]],
        is_agent: Callable[[Actor], Awaitable[bool]] | None = None,
        is_guest: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self.app = app
        self.client = client
        self.tasks = tasks
        self.commands = commands
        self.agents_channels = agents_channels
        self.qa = QaGrading(app, client)
        self.is_agent = is_agent  # None: every member of our workspace is an agent (tests of other parts)
        self.is_guest = is_guest

    def register(self, bolt: AsyncApp) -> None:
        bolt.event("message")(self.on_message)
        bolt.action(re.compile(r"^fd:"))(self.on_action)
        bolt.view_submission(cards.HUMAN_VIEW)(self.on_human_view)
        bolt.view_submission(cards.EDIT_VIEW)(self.on_edit_view)
        bolt.view_submission(QA_VIEW)(self.on_qa_note)
        bolt.command("/frontdesk")(self.on_command)

    # -- events ---------------------------------------------------------------------------------------------------

    async def on_message(self, body: dict[str, Any], context: AsyncBoltContext) -> BoltResponse | None:
        """Record the message in the inbox, then acknowledge (bolt answers 200 when this returns None); decide it in
        a task. If it cannot be recorded, answer 503 so that Slack delivers it again later."""
        try:
            inbound = to_inbound(body, us_from(context))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("ignoring a malformed message event: %s", describe(exc))
            return BoltResponse(status=400, body="malformed message event")
        if inbound is None:
            return None
        try:
            inbound = await self.with_role(inbound)
            if not await self.concerns_us(inbound):
                return None
            if not await self.app.dispatcher.accept(inbound):
                log.info("Slack retry of %s ignored: already recorded", inbound.message_id)
                return None
        except Exception as exc:  # noqa: BLE001 - never acknowledge what was not recorded
            log.error("could not record Slack message %s; asking Slack to retry: %s", inbound.message_id, describe(exc))
            return BoltResponse(status=503, body="temporarily unable to accept events; please retry")
        self.tasks.spawn(self.app.dispatcher.process(inbound), "slack-message")
        return None

    async def with_role(self, inbound: Inbound) -> Inbound:
        """A guest of our workspace writes as a customer; a colleague who is not an agent cannot take a thread."""
        author = inbound.author
        if author.role is not Role.AGENT:
            return inbound
        if self.is_guest is not None and await self.is_guest(author.id):
            return replace(inbound, author=replace(author, role=Role.CUSTOMER))
        return inbound

    async def concerns_us(self, inbound: Inbound) -> bool:
        if inbound.author.role is Role.AGENT:
            # Colleagues talk everywhere; only their replies inside a customer's conversation are human turns.
            if inbound.address.channel in await self.agents_channels():
                return False
            if await self.app.store.load_conversation(conversation_key(inbound.address)) is None:
                return False
            if self.is_agent is not None and not await self.is_agent(inbound.author):
                return False  # a colleague's remark in a customer's thread is not an agent taking it over
            await self.learn_agent(inbound.author)
        return True

    async def learn_agent(self, actor: Actor) -> None:
        """Slack names colleagues by mention (`<@U123>`), but an AI reply would name them in words: the staff
        roster (read by the guardrails) learns their real and display names, once per agent, from users.info."""
        staff = self.app.desk.staff
        if staff is None or actor.is_external or not actor.id or staff.knows(Platform.SLACK.value, actor.id):
            return
        try:
            user = (await self.client.users_info(user=actor.id)).get("user") or {}
            profile = user.get("profile") or {}
            names = (str(profile.get("real_name") or user.get("real_name") or ""), str(profile.get("display_name") or ""))
        except Exception as exc:  # noqa: BLE001 - a missing scope or an outage must not stop the agent's action
            log.warning("users.info for %s failed: %s", actor.id, exc)
            return
        await staff.see(Platform.SLACK.value, actor.id, *names)

    # -- buttons --------------------------------------------------------------------------------------------------

    async def on_action(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        self.tasks.spawn(self.handle_action(body, us_from(context)), "slack-action")

    async def handle_action(self, body: dict[str, Any], us: Us) -> None:
        action = (body.get("actions") or [{}])[0]
        kind, value = parse_action_id(str(action.get("action_id", ""))), str(action.get("value") or "")
        actor = action_user(body, us)
        try:
            if kind in AGENT_ACTIONS:
                await self._agent_action(kind, value, actor, body)
            else:
                await self._customer_action(kind, value, actor, body, us)
        except (Conflict, NotFound, ValueError) as exc:
            await self._ephemeral(body, actor, str(exc))
        except FrontdeskError as exc:
            log.error("action %s failed: %s", kind, exc)
            await self._ephemeral(body, actor, "That did not work; the team has been told.")

    async def _customer_action(self, kind: str, value: str, actor: Actor, body: dict[str, Any], us: Us) -> None:
        address = action_address(body, us.team_id)
        if address is None:
            raise ValueError("this button is not attached to a conversation")
        stamp = str((body.get("actions") or [{}])[0].get("action_ts") or body.get("trigger_id") or "")
        if kind in ("helpful", "not_helpful"):
            helpful = kind == "helpful"
            await self.app.dispatcher.feedback(address, actor, helpful=helpful, message_id=f"{address.channel}:{stamp}:feedback")
            if helpful:
                await self._ephemeral(body, actor, "Thanks for letting us know.")
        elif kind == "human":
            # One click to a person: the handoff happens now; the reason dialog (opened first, while Slack's trigger
            # is fresh) only adds detail to the ticket afterwards, and the customer may just close it.
            meta = {"w": address.workspace, "c": address.channel, "t": address.thread or ""}
            try:
                await self.client.views_open(trigger_id=body["trigger_id"], view=cards.human_modal(meta))
            except Exception as exc:  # noqa: BLE001 - the dialog is optional; the handoff below is not
                log.info("could not open the reason dialog (%s); handing off without a reason", describe(exc))
            await self.submit_human(human_request(address, actor, unique=stamp, reason=None, at=_now()), actor, None)
        elif kind == "no_ai":
            decision = await self.app.dispatcher.submit(no_ai.press(address, actor, stamp, _now()))
            note = await no_ai.quiet_confirmation(self.app.store, self.app.phrases, decision, address)
            if note:  # already with a person: no notice went out, so confirm it here
                await self._ephemeral(body, actor, note)
        elif kind == "csat":
            await self.app.desk.csat(conversation_key(address), actor, int(value))
            await self._replace(body, f"Thanks — you rated this conversation {int(value)}/5.")
        elif kind == "opt_out":
            if not actor.is_external:
                raise Conflict("Only customers can stop these updates for their organisation.")
            await opt_out(self.app.store, actor.org, address, _now(), actor.id)
            await self._ephemeral(body, actor, "Done: your team will not get these updates any more. Questions you ask here are answered as before.")
        else:
            log.info("ignoring unknown action %r", kind)

    async def _agent_action(self, kind: str, value: str, actor: Actor, body: dict[str, Any]) -> None:
        if actor.is_external or (self.is_agent is not None and not await self.is_agent(actor)):
            raise Conflict("Only agents (members of an agents channel) can do that.")
        await self.learn_agent(actor)
        desk = self.app.desk
        if kind in ("claim", "resolve", "hand_back", "approve", "reject"):
            await desk.act(kind, value, actor)
        elif kind in ("edit", "write") or value.endswith(":edited"):
            ticket_id = value.removesuffix(":edited")
            ticket = await self.app.store.get_ticket(ticket_id)
            if ticket is None:
                raise handoff_not_found(ticket_id)
            if ticket.status is HandoffStatus.RESOLVED or (kind == "edit" and ticket.handoff.suggestion is None):
                raise Conflict("this draft was already handled")
            purpose = kind if kind != "pick" else "edited"
            await self.client.views_open(trigger_id=body["trigger_id"], view=cards.edit_modal(ticket, purpose))
        elif kind == "pick":
            ticket_id, _, choice = value.rpartition(":")
            await desk.act("pick", ticket_id, actor, choice=choice)
        elif kind == "qa_grade":
            await self.qa.on_grade(value, actor, body)
        elif kind == "rewrite":
            ticket_id, _, answer = value.rpartition(":")
            await desk.rewrite_answer(ticket_id, actor, answer == "yes")
            await self._replace(body, f"Noted: you {'did' if answer == 'yes' else 'did not'} rewrite the AI's answer. Thanks!")

    # -- modals ---------------------------------------------------------------------------------------------------

    async def on_human_view(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
        """The optional reason, after the handoff already happened at the click: it is added to the ticket."""
        await ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        us = us_from(context)
        address = Address(Platform.SLACK, meta.get("w") or us.team_id, meta["c"], meta.get("t") or None)
        reason = cards.selected_reason(view)
        if reason:
            self.tasks.spawn(self.add_reason(address, action_user(body, us), reason), "slack-human-reason")

    async def add_reason(self, address: Address, actor: Actor, reason: str) -> None:
        key = conversation_key(address)
        await self.app.desk.escalation_reason(key, actor, reason)
        conversation = await self.app.store.load_conversation(key)
        ticket = await self.app.store.get_ticket(conversation.handoff_id) if conversation and conversation.handoff_id else None
        if ticket is None or ticket.status is HandoffStatus.RESOLVED or ticket.handoff.customer_reason:
            return
        ticket = replace(ticket, handoff=with_customer_reason(ticket.handoff, reason))
        await self.app.store.update_ticket(ticket)
        desk = self.app.desks.get(Platform.SLACK)
        if desk is not None and ticket.card_ref:
            try:
                await desk.update(ticket)
            except Exception as exc:  # noqa: BLE001 - the reason is stored; the card shows it at its next update
                log.warning("could not refresh the card of %s with the reason: %s", ticket.id, describe(exc))

    async def submit_human(self, inbound: Inbound, actor: Actor, reason: str | None) -> None:
        decision = await self.app.dispatcher.submit(inbound)
        if isinstance(decision, Ignore) and decision.reason in ("awaiting_human", "claimed_by_human"):
            # Already with a person: say so rather than leave the press unanswered.
            address = inbound.address
            conversation = await self.app.store.load_conversation(conversation_key(address))
            text = self.app.phrases.say("handoff", (conversation.language if conversation else None) or "en")
            kwargs: dict[str, Any] = {"thread_ts": address.thread} if address.thread else {}
            try:
                await self.client.chat_postEphemeral(channel=address.channel, user=actor.id, text=text, **kwargs)
            except SlackApiError as exc:
                log.warning("chat.postEphemeral failed: %s", exc.response.get("error"))
        if reason:
            await self.app.desk.escalation_reason(conversation_key(inbound.address), actor, reason)

    async def on_qa_note(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
        await self.qa.on_note(ack, body, view, us_from(context))

    async def on_edit_view(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
        text = cards.edited_text(view)
        if not text.strip():
            await ack(response_action="errors", errors={cards.ANSWER_BLOCK: "The answer is empty."})
            return
        await ack()
        actor = action_user(body, us_from(context))
        ticket_id, purpose = cards.modal_purpose(view)
        self.tasks.spawn(self.submit_edit(ticket_id, actor, text, purpose), "slack-edit")

    async def submit_edit(self, ticket_id: str, actor: Actor, text: str, purpose: str = "edit") -> None:
        if actor.is_external or (self.is_agent is not None and not await self.is_agent(actor)):
            log.warning("external user %s tried to edit draft %s", actor.id, ticket_id)
            return
        try:
            if purpose == "write":
                await self.app.desk.write(ticket_id, actor, text)
            elif purpose == "edited":
                await self.app.desk.pick(ticket_id, actor, "edited", text)
            else:
                await self.app.desk.edit(ticket_id, actor, text)
        except (Conflict, NotFound, ValueError) as exc:
            ticket = await self.app.store.get_ticket(ticket_id)
            channel = ticket.card_ref.partition(":")[0] if ticket else ""
            if channel:
                await self.client.chat_postEphemeral(channel=channel, user=actor.id, text=str(exc))

    # -- slash command --------------------------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext) -> None:
        us = us_from(context)
        org = str(body.get("user_team") or body.get("team_id") or "")
        external = not us.owns(org)
        actor = Actor(str(body.get("user_id") or ""), str(body.get("user_name") or ""), org, Role.CUSTOMER if external else Role.AGENT, external)
        outcome = await self.commands.handle(actor, us.team_id, str(body.get("channel_id") or ""), str(body.get("text") or ""))
        await ack(text=outcome.text, response_type="ephemeral")
        if outcome.later is not None:
            later = outcome.later
            self.tasks.spawn(self._respond_later(respond, later), "slack-command")

    async def _respond_later(self, respond: AsyncRespond, work: Callable[[], Awaitable[str]]) -> None:
        try:
            text = await work()
        except Exception as exc:  # noqa: BLE001 - the admin must hear about it
            log.exception("slash command work failed")
            text = f"That failed: {exc}"
        await respond(text=text, response_type="ephemeral", replace_original=False)

    # -- helpers --------------------------------------------------------------------------------------------------

    async def _ephemeral(self, body: dict[str, Any], actor: Actor, text: str) -> None:
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if not channel or not actor.id:
            log.info("no channel to tell %s: %s", actor.id, text)
            return
        thread = container.get("thread_ts")
        kwargs: dict[str, Any] = {"thread_ts": thread} if thread else {}
        try:
            await self.client.chat_postEphemeral(channel=channel, user=actor.id, text=text, **kwargs)
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed: %s", exc.response.get("error"))

    async def _replace(self, body: dict[str, Any], text: str) -> None:
        """Swap a one-time prompt (CSAT, rewrite question) for a thank-you, so it cannot be answered twice."""
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if channel and ts and not container.get("is_ephemeral"):
            await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=[])


def _now() -> datetime:
    return datetime.now(UTC)
