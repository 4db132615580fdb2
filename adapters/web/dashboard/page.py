"""The dashboard as one server-rendered HTML page, from the dict `data.build` returns (the JSON endpoint's body).

No script: the filters are a plain GET form, the chart is inline SVG (`chart.py`), the stylesheet is package data.
Every customer-written string is escaped; the page's Content-Security-Policy makes any injected markup inert anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from adapters.web.dashboard.chart import COMPACT, WIDE, Series, trend_svg
from bot.core.reasons import short_reason
from bot.metrics.text import minutes, money, pct, score

PERIODS = (7, 14, 28, 90)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _delta(now: float | None, before: float | None, *, lower_is_better: bool = False) -> str:
    """The change in percentage points, coloured by whether it is good news (a falling override rate is)."""
    if now is None or before is None:
        return ""
    points = round((now - before) * 100)
    if not points:
        return '<span class="delta flat">=</span>'
    cls = "better" if (points < 0) == lower_is_better else "worse"
    return f'<span class="delta {cls}">{points:+d} pts</span>'


def _card(label: str, now: str, before: str, delta: str = "", note: str = "") -> str:
    return (
        f'<div class="card"><div class="card-label">{_e(label)}</div><div class="card-value">{now}{delta}</div>'
        f'<div class="card-prev">previous: {before}</div>' + (f'<div class="card-note">{note}</div>' if note else "")
        + "</div>"
    )


def _ratings(n: int, mean: float | None) -> str:
    return "no ratings yet" if not n else f'{n} rating{"" if n == 1 else "s"}, mean {score(mean)}'


def _headline(m: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    cards = [
        _card("Conversations", str(m["conversations"]), str(p["conversations"])),
        _card("AI resolution rate", pct(m["ai_resolution_rate"]), pct(p["ai_resolution_rate"]),
              _delta(m["ai_resolution_rate"], p["ai_resolution_rate"]), f'{m["ai_resolved"]} resolved by the AI'),
        _card("Deflection", pct(m["deflection_rate"]), pct(p["deflection_rate"]),
              _delta(m["deflection_rate"], p["deflection_rate"]), f'{m["deflected"]} resolved without a person'),
        _card("CSAT, AI vs human", f'{pct(m["csat_ai"])} <small>vs</small> {pct(m["csat_human"])}',
              f'{pct(p["csat_ai"])} vs {pct(p["csat_human"])}', _delta(m["csat_ai"], p["csat_ai"]),
              f'share rating 4–5 of 5 · AI: {_ratings(m["csat_ai_n"], m["csat_ai_mean"])} · human: '
              f'{_ratings(m["csat_human_n"], m["csat_human_mean"])}'
              + (' · <strong class="alert">AI well below human</strong>' if m["csat_alert"] else "")),
        _card("Human override rate", pct(m["override_rate"]), pct(p["override_rate"]),
              _delta(m["override_rate"], p["override_rate"], lower_is_better=True),
              f'{m["overrides"]} of {m["override_verdicts"]} agent verdicts'),
        _card("Cost per resolution", money(m["cost_per_resolution_usd"]), money(p["cost_per_resolution_usd"]), "",
              f'AI {money(m["cost_per_ai_resolution_usd"])} · human {money(m["cost_per_human_resolution_usd"])}<br>'
              f'LLM {money(m["llm_cost_usd"])} · agents {minutes(m["agent_minutes"])}'),
    ]
    return '<section class="cards" aria-label="Headline metrics">' + "".join(cards) + "</section>"


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]], empty: str, *, span: bool = False,
           note: str = "") -> str:
    """A titled panel with a table of already-escaped cells, or the `empty` sentence when there are no rows."""
    # Each cell names its column (data-label): on a phone the rows stack as labelled lines, never scroll sideways.
    labels = [_e(h) for h in head]
    body = "".join(
        "<tr>" + "".join(f'<td data-label="{label}">{cell}</td>' for label, cell in zip(labels, row, strict=True))
        + "</tr>" for row in rows
    )
    top = f'<section class="{"panel span" if span else "panel"}"><h2>{_e(caption)}</h2>' + (
        f'<p class="note">{_e(note)}</p>' if note else ""
    )
    if not body:
        return f'{top}<p class="empty">{_e(empty)}</p></section>'
    header = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return f"{top}<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></section>"


def _slices(caption: str, dimension: str, by: Mapping[str, Mapping[str, Any]], none: str) -> str:
    rows = [
        (_e(value or none), str(m["conversations"]), pct(m["ai_resolution_rate"]), pct(m["deflection_rate"]),
         pct(m["escalation_rate"]), pct(m["csat_ai"]), pct(m["csat_human"]), money(m["cost_per_resolution_usd"]))
        for value, m in by.items()
    ]
    head = (dimension, "Conversations", "AI resolution", "Deflection", "Escalation", "CSAT AI", "CSAT human", "Cost/resolution")
    return _table(caption, head, rows, "No conversations in this period.", span=True)


def _uncovered(counts: Mapping[str, int]) -> str:
    """Languages customers asked in without articles: where to write next."""
    rows = [(_e(language), str(n)) for language, n in counts.items()]
    note = "Conversations handed to people because no article exists in the customer's language."
    return _table("Languages without articles", ("Language", "Conversations"), rows, "None in this period.", note=note)


def _reasons(m: Mapping[str, Any]) -> str:
    total = sum(m["escalation_reasons"].values())
    rows = [
        (_e(short_reason(reason)), str(n), f"{n / total:.0%}")
        for reason, n in m["escalation_reasons"].items()
    ]
    return _table("Escalation reasons", ("Reason", "Handoffs", "Share"), rows, "No escalations in this period.")


def _questions(caption: str, items: Sequence[Mapping[str, Any]], empty: str, note: str = "") -> str:
    rows = []
    for q in items:
        reasons = ", ".join(f"{short_reason(r)} ×{c}" if c > 1 else short_reason(r) for r, c in q["reasons"].items())
        others = [e for e in q["examples"] if e != q["question"]]
        asked = f'“{_e(q["question"])}”' + (
            '<details><summary>' + _e(f"{len(others)} other wording" + ("" if len(others) == 1 else "s"))
            + "</summary><ul>" + "".join(f"<li>{_e(e)}</li>" for e in others) + "</ul></details>" if others else ""
        )
        rows.append((asked, str(q["count"]), _e(reasons), _e(", ".join(q["languages"]) or "—")))
    return _table(caption, ("Question", "Times", "Why", "Languages"), rows, empty, note=note)


def _article(a: Mapping[str, Any]) -> str:
    """The title a person reads, with the id (what `kb promote` takes) on its own line below when it differs."""
    if a["title"] == a["article_id"]:
        return f'<code class="id">{_e(a["article_id"])}</code>'
    return f'{_e(a["title"])}<br><code class="id">{_e(a["article_id"])}</code>'


def _articles(items: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        (_article(a),
         str(a["cited"]), str(a["helpful"]), str(a["not_helpful"]), str(a["escalations_after"]),
         str(a["rewrites_after"]))
        for a in items
    ]
    head = ("Article", "Cited", "Helpful", "Not helpful", "Escalated right after", "Rewritten")
    note = "More bad signals than helpful votes: “not helpful”, a handoff as the very next step, an agent's rewrite."
    return _table("Articles to fix", head, rows, "No article did badly in this period.", note=note, span=True)


def _demoted(items: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        (_article(a),
         f'{a["helpful"]}/{a["rated"]}', f'{a["window_days"]} days', _e(a["team"] or "—"))
        for a in items
    ]
    note = "Answers quoting these lose confidence and usually go to a person; /frontdesk promote ID undoes it."
    return _table("Demoted by feedback", ("Article", "Helpful", "Window", "Team"), rows, "No article is demoted.",
                  note=note)


def _grades(qa: Mapping[str, Any]) -> str:
    """The QA grade trend (share graded good per week) and the worst-graded articles of the period."""
    rows = [
        (f'{datetime.fromisoformat(w["until"]):%d %b}', str(w["graded"]), str(w["counts"]["good"]),
         str(w["counts"]["needs_work"]), str(w["counts"]["wrong"]), pct(w["good_rate"]))
        for w in qa["weeks"]
    ]
    if not any(w["graded"] for w in qa["weeks"]):
        rows = []
    trend = _table("QA grades", ("Week ending", "Graded", "Good", "Needs work", "Wrong", "Good share"), rows,
                   "No QA grades yet: reviewers grade the weekly sample's answers with its buttons.",
                   note="Reviewers' grades of sampled AI answers (the latest grade of each answer counts).")
    worst = [
        (_article(a), str(a["wrong"]), str(a["needs_work"]), str(a["good"]),
         _e(a["notes"][-1]) if a["notes"] else "—")
        for a in qa["worst_articles"]
    ]
    return trend + _table("Worst-graded articles", ("Article", "Wrong", "Needs work", "Good", "Latest note"), worst,
                          "No article was graded wrong or needing work in this period.", span=bool(worst))


def _select(name: str, label: str, options: Sequence[str], chosen: str | None, all_label: str) -> str:
    opts = [f'<option value="">{_e(all_label)}</option>']
    values = list(options) + ([chosen] if chosen and chosen not in options else [])
    for value in values:
        selected = " selected" if value == chosen else ""
        opts.append(f'<option value="{_e(value)}"{selected}>{_e(value)}</option>')
    return f'<label>{_e(label)} <select name="{name}">{"".join(opts)}</select></label>'


def _form(data: Mapping[str, Any]) -> str:
    days = data["period"]["days"]
    periods = sorted(set(PERIODS) | {days})
    day_options = "".join(
        f'<option value="{d}"{" selected" if d == days else ""}>last {d} days</option>' for d in periods
    )
    f = data["filters"]
    channel = f'<input type="hidden" name="channel" value="{_e(f["channel"])}">' if f["channel"] else ""
    return (
        '<form class="filters" method="get" action="/dashboard">'
        f'<label>Period <select name="days">{day_options}</select></label>'
        + _select("team", "Team", data["choices"]["teams"], f["team"], "all teams")
        + _select("language", "Language", data["choices"]["languages"], f["language"], "all languages")
        + channel + '<button type="submit">Show</button></form>'
    )


def _trend(weeks: Sequence[Mapping[str, Any]]) -> str:
    labels = [datetime.fromisoformat(w["until"]).strftime("%d %b") for w in weeks]
    series = [
        Series("AI resolution", [w["ai_resolution_rate"] for w in weeks], "#3b4cca"),
        Series("Deflection", [w["deflection_rate"] for w in weeks], "#1f7a55"),
        Series("CSAT AI", [w["csat_ai"] for w in weeks], "#c77700"),
        Series("CSAT human", [w["csat_human"] for w in weeks], "#8a5cb8"),
    ]
    volumes = [w["conversations"] for w in weeks]
    title = f"Weekly trend, last {len(weeks)} weeks"
    wide = trend_svg(labels, series, volumes, title=title, frame=WIDE, css_class="trend wide-chart")
    compact = trend_svg(labels, series, volumes, title=title, frame=COMPACT, css_class="trend compact-chart")
    return ('<section class="panel wide"><h2>Weekly trend</h2><p class="note">Weeks ending on the date shown. '
            'Lines: rates (left axis, %); bars: conversations per week (right axis, a count).</p>'
            f"{wide}{compact}</section>")


def render_page(data: Mapping[str, Any]) -> str:
    """The whole page for one `data.build` result."""
    m, p = data["current"], data["previous"]
    since = datetime.fromisoformat(data["period"]["since"])
    until = datetime.fromisoformat(data["period"]["until"])
    scope = ", ".join(f"{k} {v}" for k, v in data["filters"].items() if v) or "all teams and languages"
    empty = (
        '<p class="empty-state">No conversations in this period'
        + (" for this filter" if any(data["filters"].values()) else "")
        + ". Numbers appear once customers have asked something; the trend below covers earlier weeks.</p>"
        if m["conversations"] == 0 else ""
    )
    gaps_note = f"Questions the knowledge base had nothing good enough for, grouped by {data['gap_grouping']}."
    failed_note = "Questions the AI answered but did not help: voted “not helpful”, or failed twice."
    body = "".join([
        _form(data),
        f'<p class="period">{since:%d %b %Y %H:%M} to {until:%d %b %Y %H:%M} UTC · {_e(scope)}</p>',
        empty,
        _headline(m, p),
        _trend(data["weeks"]),
        '<div class="grid">',
        _slices("By language", "Language", data["by_language"], "(unknown)"),
        _slices("By team", "Team", data["by_team"], "(no team)"),
        _uncovered(data["languages_without_articles"]),
        _articles(data["poor_articles"]),
        _questions("Top failed questions", data["failed_questions"], "No failed questions in this period.",
                   failed_note),
        _questions("Knowledge gaps", data["knowledge_gaps"], "No knowledge gaps in this period.", gaps_note),
        _grades(data["qa"]),
        _reasons(m),
        _demoted(data["demoted"]),
        "</div>",
    ])
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Frontdesk dashboard</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/dashboard/static/dashboard.css">
</head>
<body>
  <header class="top">
    <div class="brand"><span class="logo" aria-hidden="true">F</span><span>Frontdesk</span><span class="tag">dashboard</span></div>
    <p class="lede">For team leads: how the AI did, where it failed, and what to add to the knowledge base.
      <a href="/dashboard/metrics">What each number means</a> · JSON: <a href="/api/dashboard">/api/dashboard</a>.</p>
  </header>
  <main>{body}</main>
</body>
</html>
"""


def render_error(message: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frontdesk dashboard: bad request</title>
<link rel="stylesheet" href="/dashboard/static/dashboard.css"></head>
<body><main><p class="error" role="alert">{_e(message)}</p><p><a href="/dashboard">Back to the dashboard</a></p></main></body></html>
"""
