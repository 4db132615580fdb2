// Frontdesk playground: polls the JSON API and renders both panes. Plain browser JavaScript, no dependencies.
// Safety rule: text typed by people is only ever set with textContent; innerHTML is used only for `html` fields,
// which the server rendered and escaped (adapters/web/render.py), under a strict Content-Security-Policy.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const state = {
    thread: "",
    lastSeq: 0,
    epoch: "",
    meta: { reasons: [], customer: { name: "", org: "" }, agent: { name: "" } },
    ticketsJson: new Map(),
    inflight: { messages: false, tickets: false, conversations: false },
  };

  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const randomId = (prefix) => {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const clock = (iso) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  };

  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    if (!response.ok) {
      const message = (data && data.error) || `${response.status} ${response.statusText}`;
      throw new Error(message);
    }
    return data;
  }

  function showError(id, error) {
    const box = $(id);
    box.textContent = error instanceof Error ? error.message : String(error);
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(() => { box.hidden = true; }, 7000);
  }

  const customer = () => ({ name: $("customer-name").value.trim(), org: $("customer-org").value.trim() });
  const agentName = () => $("agent-name").value.trim() || state.meta.agent.name;

  // ---- customer pane -------------------------------------------------------------------------------------------

  function whyNode(why) {
    const details = el("details", { class: "why" });
    details.append(el("summary", {}, why.label));
    const list = el("ol");
    let passed = 0;
    for (const step of why.trace || []) {
      // Checks that simply passed are counted, not listed: the steps that decided something are what matter.
      if (step.outcome === "proceed" && !step.detail) { passed += 1; continue; }
      list.append(el("li", {}, `${step.step}: ${step.outcome}${step.detail ? " — " + step.detail : ""}`));
    }
    if (passed) list.append(el("li", {}, `${passed} other checks passed`));
    details.append(list);
    return details;
  }

  function messageNode(m) {
    const node = el("article", { class: `msg msg-${m.role}`, "data-id": m.id });
    const head = el("div", { class: "msg-head" });
    head.append(el("strong", {}, m.author), el("span", {}, clock(m.at)));
    node.append(head);
    if (typeof m.html === "string") {
      const body = el("div", { class: "msg-html" });
      body.innerHTML = m.html; // server-rendered and escaped; see the note at the top of this file
      node.append(body);
    } else {
      node.append(el("p", { class: "msg-text" }, m.text));
    }
    if (m.why) node.append(whyNode(m.why));
    return node;
  }

  function upsertMessage(m) {
    const box = $("messages");
    $("messages-empty").hidden = true;
    const existing = box.querySelector(`article[data-id="${CSS.escape(m.id)}"]`);
    const node = messageNode(m);
    if (existing) {
      const open = existing.querySelector("details.why")?.open;
      if (open && node.querySelector("details.why")) node.querySelector("details.why").open = true;
      existing.replaceWith(node);
    } else {
      const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
      box.append(node);
      if (nearBottom || m.role === "customer") box.scrollTop = box.scrollHeight;
    }
  }

  function resetMessages() {
    const box = $("messages");
    for (const node of box.querySelectorAll("article")) node.remove();
    $("messages-empty").hidden = false;
    state.lastSeq = 0;
  }

  function markCurrentTicket() {
    for (const card of document.querySelectorAll("article[data-ticket]")) {
      const t = JSON.parse(state.ticketsJson.get(card.dataset.ticket) || "null");
      card.classList.toggle("ticket-current", Boolean(t && t.thread && t.thread === state.thread));
    }
  }

  function selectThread(thread) {
    if (thread === state.thread) return;
    state.thread = thread;
    markCurrentTicket();
    resetMessages();
    const select = $("thread-select");
    if (thread && ![...select.options].some((o) => o.value === thread)) {
      select.append(el("option", { value: thread }, "(this conversation)"));
    }
    select.value = thread;
    if (thread) pollMessages();
  }

  async function pollMessages() {
    const thread = state.thread;
    if (!thread || state.inflight.messages) return;
    state.inflight.messages = true;
    let restarted = false;
    try {
      const data = await api("GET", `/ui/api/conversations/${encodeURIComponent(thread)}/messages?after=${state.lastSeq}`);
      if (thread !== state.thread) return;
      if (state.epoch && data.epoch !== state.epoch && state.lastSeq > 0) {
        // The server restarted and rebuilt its log with new sequence numbers and ids: show it afresh.
        restarted = true;
        resetMessages();
      } else {
        for (const m of data.messages) {
          upsertMessage(m);
          state.lastSeq = Math.max(state.lastSeq, m.seq);
        }
      }
      state.epoch = data.epoch;
    } catch (error) {
      showError("customer-error", error);
    } finally {
      state.inflight.messages = false;
    }
    if (restarted) pollMessages();
  }

  async function pollConversations() {
    if (state.inflight.conversations) return;
    state.inflight.conversations = true;
    try {
      const data = await api("GET", "/ui/api/conversations");
      const select = $("thread-select");
      const keep = state.thread;
      select.replaceChildren(el("option", { value: "" }, "New conversation"));
      for (const c of data.conversations) select.append(el("option", { value: c.thread }, `${c.title} · ${clock(c.updated)}`));
      if (keep && ![...select.options].some((o) => o.value === keep)) select.append(el("option", { value: keep }, "(this conversation)"));
      select.value = keep;
    } catch (_) {
      // The list is a convenience; the next poll retries.
    } finally {
      state.inflight.conversations = false;
    }
  }

  async function send(event) {
    event.preventDefault();
    const box = $("composer-text");
    const text = box.value.trim();
    if (!text) { box.focus(); return; }
    if (!state.thread) selectThread(randomId("t"));
    const messageId = randomId("m");
    const pending = { id: messageId, seq: 0, role: "customer", author: customer().name || state.meta.customer.name, at: new Date().toISOString(), text };
    upsertMessage(pending);
    $(`send`).disabled = true;
    try {
      await api("POST", "/ui/api/messages", { thread: state.thread, message_id: messageId, text, ...customer() });
      box.value = "";
    } catch (error) {
      // Nothing is lost: the text stays in the box to fix and resend.
      document.querySelector(`article[data-id="${CSS.escape(messageId)}"]`)?.remove();
      $("messages-empty").hidden = $("messages").querySelector("article") !== null;
      showError("customer-error", error);
    } finally {
      $("send").disabled = false;
      await pollMessages();
      pollConversations();
      pollTickets();
    }
  }

  async function customerAction(kind, messageId, extra = {}) {
    try {
      await api("POST", "/ui/api/actions", { kind, thread: state.thread, message: messageId, ...customer(), ...extra });
    } catch (error) {
      showError("customer-error", error);
    }
    await pollMessages();
    pollTickets();
  }

  // "Talk to a human": an optional reason, then the handoff. `source` is the message whose button was pressed, or
  // null for the composer's button (available at any point, even before the AI has said anything).
  function openHumanForm(anchor, source) {
    const existing = document.querySelector(".human-form");
    if (existing) { existing.querySelector("select")?.focus(); return; }
    const form = el("form", { class: "human-form" });
    const select = el("select", { id: randomId("reason-") });
    select.append(el("option", { value: "" }, "No reason given"));
    for (const r of state.meta.reasons) select.append(el("option", { value: r.value }, r.label));
    const label = el("label", { htmlFor: select.id }, "Why? (optional)");
    const submit = el("button", { type: "submit", class: "fd-btn fd-btn-primary" }, "Connect me to a person");
    const cancel = el("button", { type: "button", class: "fd-btn" }, "Cancel");
    cancel.addEventListener("click", () => form.remove());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      if (!state.thread) selectThread(randomId("t"));
      const extra = { reason: select.value };
      if (!source) extra.message_id = randomId("h");
      await customerAction("human", source, extra);
      form.remove();
    });
    form.append(label, select, submit, cancel);
    anchor.after(form);
    select.focus();
  }

  $("messages").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-kind]");
    const article = button?.closest("article[data-id]");
    if (!button || !article || button.disabled) return;
    const kind = button.dataset.kind;
    if (kind === "human") openHumanForm(button.closest(".fd-actions") || article, article.dataset.id);
    else if (kind === "helpful" || kind === "not_helpful") { button.disabled = true; customerAction(kind, article.dataset.id); }
    else if (kind === "no_ai") { button.disabled = true; customerAction("no_ai", article.dataset.id); }
    else if (kind === "csat") { button.disabled = true; customerAction("csat", article.dataset.id, { value: button.dataset.value }); }
  });

  // ---- agent pane ----------------------------------------------------------------------------------------------

  // The card's content and buttons come from the server's neutral card view (bot/core/cards.py), the same as
  // Slack's and Teams'; this only lays it out.
  const EDITORS = {
    reply: { label: "Your reply to the customer", placeholder: "Write to the customer in your own words", submit: "Send reply" },
    write: { label: "Your reply to the customer", placeholder: "Write your answer; the references above are the AI's", submit: "Continue" },
    edit: { label: "Edited answer", placeholder: "Edit the AI's answer", submit: "Send edited answer" },
    edited: { label: "Edited wording", placeholder: "Edit the AI's wording", submit: "Send edited answer" },
  };
  const editorMode = (button) => (button.kind === "pick" && button.value === "edited" ? "edited" : button.kind);

  function ticketNode(t) {
    const card = el("article", { class: `ticket ticket-${t.status}`, "data-ticket": t.id });
    if (t.thread && t.thread === state.thread) card.classList.add("ticket-current");
    const head = el("div", { class: "ticket-head" });
    head.append(el("span", { class: "ticket-title" }, t.title));
    if (t.kind === "draft") head.append(el("span", { class: "badge badge-draft" }, "Draft for approval"));
    for (const badge of t.badges) {
      const tone = badge === "VIP" ? "vip" : badge.startsWith("Reported") || badge === "Urgent" ? "urgent" : "high";
      head.append(el("span", { class: `badge badge-${tone}` }, badge));
    }
    head.append(el("span", { class: `badge badge-${t.status}` }, t.status_text));
    card.append(head);
    card.append(el("div", { class: "ticket-kind" }, t.kind_label));
    const facts = t.facts.map((f) => `${f.label}: ${f.value}`).join(" · ");
    card.append(el("div", { class: "ticket-meta" }, `${facts} · opened ${clock(t.created_at)}`));
    card.append(el("pre", { class: "summary" }, t.summary));
    for (const part of t.sections) {
      const box = el("div", { class: "suggestion", "data-section": part.label });
      box.append(el("div", { class: "suggestion-label" }, part.label));
      const body = el("div");
      body.innerHTML = part.html; // server-rendered and escaped
      box.append(body);
      card.append(box);
    }
    if (t.done) card.append(el("div", { class: "ticket-done" }, `${t.done} · ${clock(t.done_at)}`));
    if (t.question) {
      const q = el("div", { class: "question" });
      q.append(el("span", {}, t.question));
      q.append(el("button", { type: "button", class: "fd-btn", "data-action": "rewrite", "data-value": "yes" }, "Yes, I rewrote it"));
      q.append(el("button", { type: "button", class: "fd-btn", "data-action": "rewrite", "data-value": "no" }, "No, it was fine"));
      card.append(q);
    }
    const actions = el("div", { class: "ticket-actions" });
    for (const b of t.buttons) {
      if (b.kind === "rewrite") continue;
      actions.append(el("button", { type: "button", class: `fd-btn fd-act-${b.kind}`, "data-action": b.kind, "data-value": b.value }, b.label));
    }
    if (t.thread) actions.append(el("button", { type: "button", class: "fd-btn", "data-action": "view" }, "View conversation"));
    card.append(actions);
    return card;
  }

  function openEditor(card, ticket, mode) {
    card.querySelector(".editor")?.remove();
    const copy = EDITORS[mode];
    const editor = el("form", { class: "editor", "data-mode": mode });
    const area = el("textarea", { id: randomId("editor-"), maxLength: 4000 });
    if (mode === "edit" && ticket.suggestion) area.value = ticket.suggestion.text;
    if (mode === "write" && ticket.proposal) area.value = ticket.proposal.text;
    if (mode === "edited" && ticket.proposal) area.value = ticket.proposal.alternative;
    const label = el("label", { htmlFor: area.id, class: "sr-only" }, copy.label);
    area.placeholder = copy.placeholder;
    const buttons = el("div", { class: "editor-buttons" });
    const submit = el("button", { type: "submit", class: "fd-btn fd-btn-primary" }, copy.submit);
    const cancel = el("button", { type: "button", class: "fd-btn" }, "Cancel");
    cancel.addEventListener("click", () => editor.remove());
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      const ok = mode === "edited"
        ? await agentAction("pick", ticket.id, { choice: "edited", text: area.value })
        : await agentAction(mode, ticket.id, { text: area.value });
      if (ok) editor.remove(); else submit.disabled = false;
    });
    buttons.append(submit, cancel);
    editor.append(label, area, buttons);
    card.append(editor);
    area.focus();
  }

  async function agentAction(kind, ticketId, extra = {}) {
    try {
      await api("POST", "/ui/api/actions", { kind, ticket: ticketId, agent: agentName(), ...extra });
      return true;
    } catch (error) {
      showError("agent-error", error);
      return false;
    } finally {
      await pollTickets();
      pollMessages();
    }
  }

  $("tickets").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const card = button?.closest("article[data-ticket]");
    if (!button || !card || button.disabled) return;
    const ticket = JSON.parse(state.ticketsJson.get(card.dataset.ticket) || "null");
    if (!ticket) return;
    const action = button.dataset.action;
    const mode = editorMode({ kind: action, value: button.dataset.value });
    if (EDITORS[mode]) openEditor(card, ticket, mode);
    else if (action === "view") selectThread(ticket.thread);
    else if (action === "pick") { button.disabled = true; agentAction("pick", ticket.id, { choice: button.dataset.value }); }
    else { button.disabled = true; agentAction(action, ticket.id, button.dataset.value ? { value: button.dataset.value } : {}); }
  });

  async function pollTickets() {
    if (state.inflight.tickets) return;
    state.inflight.tickets = true;
    try {
      const data = await api("GET", "/ui/api/tickets");
      const box = $("tickets");
      const seen = new Set();
      let previous = null;
      for (const t of data.tickets) {
        seen.add(t.id);
        const json = JSON.stringify(t);
        let card = box.querySelector(`article[data-ticket="${CSS.escape(t.id)}"]`);
        if (!card || state.ticketsJson.get(t.id) !== json) {
          const fresh = ticketNode(t);
          const editor = card?.querySelector(".editor");
          if (editor && t.buttons.some((b) => editorMode(b) === editor.dataset.mode)) fresh.append(editor); // keep what the agent is typing
          if (card) card.replaceWith(fresh); else box.append(fresh);
          card = fresh;
          state.ticketsJson.set(t.id, json);
        }
        // Keep the server's order (open, claimed, then resolved) without rebuilding untouched cards.
        const expected = previous ? previous.nextElementSibling : box.querySelector("article[data-ticket]");
        if (expected !== card) {
          if (previous) previous.after(card); else box.prepend(card);
        }
        previous = card;
      }
      for (const card of box.querySelectorAll("article[data-ticket]")) {
        if (!seen.has(card.dataset.ticket)) { card.remove(); state.ticketsJson.delete(card.dataset.ticket); }
      }
      $("tickets-empty").hidden = data.tickets.length > 0;
    } catch (error) {
      showError("agent-error", error);
    } finally {
      state.inflight.tickets = false;
    }
  }

  // ---- channel mode (MISSION §10: how AI and agents share the work) ----------------------------------------------

  const MODE_LABELS = {
    "ai-first": "AI-first: AI answers",
    "pre-approval": "Pre-approval: agents approve AI drafts",
    "agent-first": "Agent-first: AI suggests to agents",
    parallel: "Parallel: both draft, agent picks",
    hybrid: "Hybrid: simple to AI, complex to people",
    off: "Off: people only",
  };

  function showMode(data) {
    const select = $("mode-select");
    select.replaceChildren(...data.modes.map((m) => el("option", { value: m }, MODE_LABELS[m] || m)));
    select.value = data.mode;
  }

  async function loadMode() {
    try { showMode(await api("GET", "/ui/api/mode")); } catch (error) { showError("agent-error", error); }
  }

  async function changeMode(event) {
    try {
      showMode(await api("POST", "/ui/api/mode", { mode: event.target.value, agent: agentName() }));
    } catch (error) {
      showError("agent-error", error);
      loadMode();
    }
  }

  // ---- start ---------------------------------------------------------------------------------------------------

  async function start() {
    try { state.meta = await api("GET", "/ui/api/meta"); } catch (error) { showError("customer-error", error); }
    $("customer-name").value = state.meta.customer.name;
    $("customer-org").value = state.meta.customer.org;
    $("agent-name").value = state.meta.agent.name;
    $("composer").addEventListener("submit", send);
    $("composer-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); $("composer").requestSubmit(); }
    });
    $("thread-select").addEventListener("change", (event) => selectThread(event.target.value));
    $("mode-select").addEventListener("change", changeMode);
    $("composer-human").addEventListener("click", () => openHumanForm($("customer-error"), null));
    // "No AI answers for me": the customer's lasting choice; it needs a conversation to say it in.
    $("composer-no-ai").addEventListener("click", () => {
      if (state.thread) customerAction("no_ai", null);
      else showError("customer-error", new Error("Write a message first, then choose no AI answers."));
    });
    loadMode();
    $("new-thread").addEventListener("click", () => { selectThread(""); $("composer-text").focus(); });
    pollConversations();
    pollTickets();
    setInterval(pollMessages, 700);
    setInterval(pollTickets, 1000);
    setInterval(pollConversations, 4000);
  }

  start();
})();
