"""The leads' dashboard over real HTTP (`build_web_app` + aiohttp's test client) on a SQLite store filled by driving
the engine, dispatcher and desk (tests/history.py): the numbers shown are the computed ones, an empty store reads
well, bad query parameters are a clear 400, and only this machine or a token holder gets in."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from langchain_core.embeddings import Embeddings

from adapters.server import build_web_app
from bot.metrics.compute import compute, load_records
from bot.settings import ServerConfig
from tests.history import History, fill_week, open_history

TOKEN = "dash-secret-0123456789"
GAPS = ("Can I export my data to CSV?", "How do I get a CSV export of all my data?", "Do you support <b>SAML</b> single sign-on?")


class TopicEmbeddings(Embeddings):
    """One dimension per topic word, so "export … CSV" questions are close whatever else they say."""

    TOPICS = ("csv", "saml", "warp")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(t in text.lower()) for t in self.TOPICS] + [0.01] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


async def serve(h: History, **settings: Any) -> TestClient[Any, Any]:
    for key, value in settings.items():
        setattr(h.app.settings, key, value)
    client = TestClient(TestServer(build_web_app(h.app, maintenance_interval=0)))
    await client.start_server()
    return client


@pytest.fixture
async def history(tmp_path: Path) -> AsyncIterator[History]:
    h, _ = await open_history(tmp_path)
    await fill_week(h)
    for n, text in enumerate(GAPS):  # three questions the knowledge base cannot answer, two about one subject
        await h.say(text, f"gap{n}", at=h.now - timedelta(days=1, hours=n))
    h.clock.now = h.now
    h.app.knowledge = SimpleNamespace(
        embeddings=TopicEmbeddings(), articles=lambda: [SimpleNamespace(id="invoices", title="Find your invoices")]
    )
    yield h


@pytest.fixture
async def client(history: History) -> AsyncIterator[TestClient[Any, Any]]:
    client = await serve(history)
    yield client
    await client.close()


async def get_json(client: TestClient[Any, Any], query: str = "", status: int = 200) -> Any:
    response = await client.get(f"/api/dashboard{query}")
    assert response.status == status, await response.text()
    return await response.json()


async def test_headline_is_the_computed_metrics_with_the_period_before(client: TestClient[Any, Any],
                                                                        history: History) -> None:
    data = await get_json(client)
    m, p = data["current"], data["previous"]
    # tests/cli/test_report.py's week plus the three unanswerable questions (handed over, never resolved).
    assert (m["conversations"], m["ai_resolved"], m["deflected"], m["escalated"]) == (10, 1, 2, 5)
    assert (m["csat_ai"], m["csat_human"], m["override_rate"]) == (None, 0.5, 0.5)  # no AI conversation rated 1-5
    assert (p["conversations"], p["ai_resolved"]) == (2, 1)
    records = await load_records(history.app.store, history.now - timedelta(days=60))
    week = history.now - timedelta(days=7)
    config = history.app.config.metrics
    assert m == compute(records, week, history.now, config).to_json()
    assert p == compute(records, week - timedelta(days=7), week, config).to_json()
    page = await client.get("/dashboard")
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    html = await page.text()
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert re.search(r"AI resolution rate</div><div class=\"card-value\">10%<span class=\"delta worse\">-40 pts</span>", html)
    assert "previous: 50%" in html and "1 resolved by the AI" in html
    assert f"${(60 + 0.0102) / 5:.2f}" in html  # (agents' $60 + 10 LLM calls' $0.0102) / 5 resolutions
    assert "— <small>vs</small> 50%" in html and "1 of 2 agent verdicts" in html


async def test_trend_reasons_slices_failures_gaps_and_articles(client: TestClient[Any, Any]) -> None:
    data = await get_json(client)
    weeks = data["weeks"]
    assert len(weeks) == 8 and [w["conversations"] for w in weeks[-2:]] == [2, 10]
    assert data["current"]["escalation_reasons"] == {"no_knowledge": 4, "asked_for_human": 1}
    assert {k: v["conversations"] for k, v in data["by_language"].items()} == {"en": 9, "de": 1}
    assert {k: v["conversations"] for k, v in data["by_team"].items()} == {"support": 8, "billing": 2}
    failed = {q["question"]: (q["count"], q["reasons"]) for q in data["failed_questions"]}
    assert failed["Where is my invoice?"] == (1, {"not_helpful": 1})
    gaps = [(q["question"], q["count"], q["examples"]) for q in data["knowledge_gaps"]]
    # An unanswerable question is a knowledge gap, not also a "failed question": no row in both tables.
    assert "Does the quantum flux module support warp drives?" in [g[0] for g in gaps]
    assert not set(failed) & {g[0] for g in gaps}
    # The two CSV questions share few words (no digest rewording) but one subject: one gap, asked twice.
    csv = next(g for g in gaps if "CSV" in g[0])
    assert csv[1] == 2 and sorted(csv[2]) == sorted(GAPS[:2])
    assert len(gaps) == 3 and data["gap_grouping"].startswith("meaning")
    assert [(a["article_id"], a["title"], a["not_helpful"]) for a in data["poor_articles"]] == [
        ("invoices", "Find your invoices", 1)
    ]
    html = await (await client.get("/dashboard")).text()
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert svg.count("<polyline") >= 1 and svg.count('class="volume"') == 2
    assert "AI resolution, " in svg and "10 conversations" in svg
    cells = re.sub(r' data-label="[^"]*"', "", html)  # each cell names its column for the phone layout
    assert "<td>nothing in the knowledge base</td><td>4</td><td>80%</td>" in cells
    assert "<td>de</td><td>1</td>" in cells and "<td>billing</td><td>2</td>" in cells
    assert '<td data-label="Language">de</td><td data-label="Conversations">1</td>' in html
    assert "1 other wording" in html and 'Find your invoices<br><code class="id">invoices</code>' in html
    assert "“Do you support &lt;b&gt;SAML&lt;/b&gt; single sign-on?”" in html and "<b>" not in html  # text, not markup
    assert data["demoted"] == [] and "No article is demoted." in html


async def test_articles_demoted_by_feedback_are_listed(history: History) -> None:
    for n in range(5):  # five more answers citing the invoices article, each voted "not helpful"
        at = history.now - timedelta(days=2, hours=n)
        await history.say("Where is my invoice?", f"bad{n}", at=at)
        await history.helpful(f"bad{n}", False, at=at + timedelta(minutes=1))
    history.clock.now = history.now
    await history.app.demotions.refresh()
    client = await serve(history)
    try:
        data = await get_json(client)
        # The week's B (voted "not helpful") and F (its draft edited by the agent), and these five.
        assert data["demoted"] == [{"article_id": "invoices", "title": "Find your invoices", "helpful": 0, "rated": 7,
                                    "window_days": 30, "team": "billing"}]
        assert (await get_json(client, "?team=support"))["demoted"] == []
        html = await (await client.get("/dashboard")).text()
        assert "Demoted by feedback" in html
        cells = re.sub(r' data-label="[^"]*"', "", html)
        assert ('<td>Find your invoices<br><code class="id">invoices</code></td><td>0/7</td><td>30 days</td>'
                "<td>billing</td>") in cells
    finally:
        await client.close()


async def test_filters_slice_every_section(client: TestClient[Any, Any], history: History) -> None:
    billing = await get_json(client, "?team=billing&days=14")
    assert billing["current"]["conversations"] == 2 and billing["period"]["days"] == 14
    assert list(billing["by_team"]) == ["billing"] and billing["knowledge_gaps"] == []
    german = await get_json(client, "?language=DE")
    assert german["filters"]["language"] == "de" and german["current"]["conversations"] == 1
    html = await (await client.get("/dashboard?team=billing&language=")).text()
    assert '<option value="billing" selected>billing</option>' in html and "team billing" in html


async def test_an_empty_store_reads_well(tmp_path: Path) -> None:
    h, _ = await open_history(tmp_path)
    client = await serve(h)
    try:
        data = await get_json(client)
        assert data["current"]["conversations"] == 0 and data["current"]["ai_resolution_rate"] is None
        assert data["failed_questions"] == data["knowledge_gaps"] == data["poor_articles"] == []
        assert data["gap_grouping"] == "word overlap"  # no knowledge base attached: the digest's grouping
        html = await (await client.get("/dashboard")).text()
        assert "No conversations in this period." in html and "No conversations in these weeks yet" in html
        assert "No failed questions in this period." in html and "Traceback" not in html
        assert html.count("—") >= 6  # rates with nothing to divide by are a dash, not 0%
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?days=0", "days must be a whole number from 1 to 366, got '0'"),
        ("?days=week", "days must be a whole number from 1 to 366, got 'week'"),
        ("?days=400", "from 1 to 366"),
        ("?language=english", "language must be a two-letter code such as en or de, got 'english'"),
        ("?teams=billing", "unknown parameter 'teams'; the dashboard takes days, team, language, channel"),
        ("?team=" + "x" * 101, "team must be a team name of at most 100 printable characters"),
    ],
)
async def test_bad_query_parameters_are_a_clear_400(client: TestClient[Any, Any], query: str, message: str) -> None:
    assert message in (await get_json(client, query, status=400))["error"]
    page = await client.get(f"/dashboard{query}")
    assert page.status == 400 and message.replace("'", "&#x27;") in await page.text()


async def test_only_this_machine_without_a_token(client: TestClient[Any, Any]) -> None:
    for path in ("/dashboard", "/api/dashboard"):
        refused = await client.get(path, headers={"X-Forwarded-For": "203.0.113.9"})  # behind a reverse proxy
        assert refused.status == 403 and "FRONTDESK_DASHBOARD_TOKEN" in await refused.text()
    assert (await client.get("/dashboard/static/dashboard.css")).status == 200


def test_a_peer_on_another_machine_is_refused_without_a_token() -> None:
    from unittest.mock import Mock

    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from adapters.web.dashboard.access import LISTENERS, Listeners, refusal

    app = web.Application()
    app[LISTENERS] = Listeners(shared=True)  # a playground-only server on loopback: its main port serves it

    def peer(address: str) -> Any:
        transport = Mock()
        ends = {"peername": (address, 50000), "sockname": ("127.0.0.1", 8080)}
        transport.get_extra_info.side_effect = lambda name, default=None: ends.get(name, default)
        return make_mocked_request("GET", "/dashboard", transport=transport, app=app)

    remote = refusal(peer("203.0.113.9"), None)
    assert remote is not None and remote.status == 403
    assert refusal(peer("127.0.0.1"), None) is None and refusal(peer("::1"), None) is None
    with_token = refusal(peer("127.0.0.1"), TOKEN)  # a token, once set, is asked of everyone
    assert with_token is not None and with_token.status == 401


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Bearer wrong", 401),
        ("Basic " + base64.b64encode(b"lead:wrong").decode(), 401),
        ("Basic !!not-base64", 401),
        (f"Bearer {TOKEN}", 200),
        ("Basic " + base64.b64encode(f"lead:{TOKEN}".encode()).decode(), 200),
    ],
)
async def test_with_a_token_everyone_signs_in(history: History, authorization: str | None, status: int) -> None:
    from pydantic import SecretStr

    client = await serve(history, dashboard_token=SecretStr(TOKEN))
    try:
        headers: Sequence[tuple[str, str]] = [("Authorization", authorization)] if authorization else []
        for path in ("/dashboard", "/api/dashboard"):
            response = await client.get(path, headers=dict(headers))
            assert response.status == status
            if status == 401:
                assert response.headers["WWW-Authenticate"].startswith('Basic realm="Frontdesk dashboard"')
                assert "conversations" not in await response.text()
    finally:
        await client.close()


async def test_switched_off_by_config(history: History) -> None:
    history.app.config.server = ServerConfig(dashboard=False)
    client = await serve(history)
    try:
        assert (await client.get("/dashboard")).status == 404
        assert (await client.get("/api/dashboard")).status == 404
    finally:
        await client.close()


async def test_definitions_link_leads_to_the_published_metrics_page(client: TestClient[Any, Any]) -> None:
    html = await (await client.get("/dashboard")).text()
    assert '<a href="/dashboard/metrics">What each number means</a>' in html
    page = await client.get("/dashboard/metrics")
    assert page.status == 200 and "default-src 'none'" in page.headers["Content-Security-Policy"]
    text = await page.text()
    assert "<h2>CSAT: one 1–5 scale for AI and human conversations</h2>" in text
    assert "<td><strong>Deflected</strong></td>" in text  # the Markdown table, rendered


def test_report_help_names_the_definitions_page() -> None:
    from typer.testing import CliRunner

    from bot.cli.main import app

    result = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "docs/METRICS.md" in result.stdout


async def test_qa_grades_show_their_trend_and_worst_articles(history: History) -> None:
    from bot.core.ports import FeedbackEntry

    answers = [d for d in await history.app.store.decisions() if d.kind == "answer" and d.article_ids]
    invoices = next(d for d in answers if d.article_ids[0] == "invoices")
    password = next(d for d in answers if d.article_ids[0] == "reset-password")
    at = history.now - timedelta(days=1)
    for d, grade, note in ((invoices, "wrong", "Billing moved to Account"), (password, "good", ""),
                           (invoices, "wrong", "It is under Account > Billing now")):  # the same answer regraded
        await history.app.store.add_feedback(FeedbackEntry("qa_grade", d.conversation_key, "U_QA", at, reason=grade,
                                                           edited_text=note, decision_id=d.id,
                                                           article_ids=d.article_ids))
        at += timedelta(minutes=1)
    earlier = history.now - timedelta(days=8)
    await history.app.store.add_feedback(FeedbackEntry("qa_grade", password.conversation_key, "U_QA", earlier,
                                                       reason="needs_work", decision_id=password.id + 1000,
                                                       article_ids=password.article_ids))
    client = await serve(history)
    try:
        qa = (await get_json(client))["qa"]
        assert [(w["graded"], w["good_rate"]) for w in qa["weeks"][-2:]] == [(1, 0.0), (2, 0.5)]
        assert qa["worst_articles"] == [{"article_id": "invoices", "title": "Find your invoices", "good": 0, "needs_work": 0,
                                         "wrong": 1, "notes": ["It is under Account > Billing now"]}]
        html = await (await client.get("/dashboard")).text()
        cells = re.sub(r' data-label="[^"]*"', "", html)
        assert "<h2>QA grades</h2>" in html and "<td>2</td><td>1</td><td>0</td><td>1</td><td>50%</td>" in cells
        assert "<h2>Worst-graded articles</h2>" in html and "It is under Account &gt; Billing now" in html
    finally:
        await client.close()
