"""Property-based: no input crashes any policy, every outcome is well-formed, persona output always conforms."""

from __future__ import annotations

from types import MappingProxyType

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import policies
from bot.core.ports import History, Proceed, Stop
from bot.core.types import Answer, ArticleHit, Audience, ChannelPolicy, Citation, InboundKind, Mode, TokenUsage
from policies.persona import PersonaRules
from tests.unit.policies.conftest import build, make_ctx

POLICY_SET = build(staff_names=frozenset({"Maria Lopez"}))
RULES = PersonaRules.of(policies.default_config().persona)
LANGUAGES = st.sampled_from(["en", "de", "es", "fr", "pt", "it", "ja", ""])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            [
                "refund",
                "human",
                "agent",
                "😀",
                "As an AI",
                "Thanks for reaching out!",
                "$5",
                "3 days",
                "?!",
                "\n",
                "didn't help",
                "@bob",
                "x@y.io",
                "4111 1111 1111 1111",
                "GDPR",
                "lawyer",
                "1.",
                "e.g.",
                "ok",
                ":)",
                "Mensch",
                "reembolso",
                "  ",
                ".",
                "https://a.b/c:d",
            ]
        ),
        max_size=25,
    ).map(" ".join),
)
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("POLICY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def contexts(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    texts = draw(st.lists(TEXT, max_size=3))
    history = History(
        language=draw(st.one_of(st.none(), LANGUAGES)),
        failed_attempts=draw(st.integers(0, 5)),
        ai_answers=draw(st.integers(0, 5)),
        customer_texts=tuple(texts),
    )
    channel = ChannelPolicy(
        mode=draw(st.sampled_from(list(Mode))),
        threshold=draw(st.floats(0, 1)),
        ai_share=draw(st.floats(0, 1)),
        audience=draw(st.sampled_from(list(Audience))),
    )
    return make_ctx(
        draw(TEXT),
        kind=draw(st.sampled_from(list(InboundKind))),
        language=draw(LANGUAGES),
        history=history,
        channel=channel,
        customer=draw(st.text(max_size=20)),
        vip=draw(st.booleans()),
        sentiment=draw(st.one_of(st.none(), st.floats(-1, 1))),
        complexity=draw(st.one_of(st.none(), st.floats(0, 1))),
        notes=draw(st.dictionaries(st.sampled_from(["team", "language", "x"]), st.text(max_size=10), max_size=2)),
    )


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    hit = ArticleHit(
        draw(st.text(max_size=10)),
        draw(TEXT),
        0.5,
        snippet=draw(TEXT),
        team=draw(st.text(max_size=8)),
        audience=draw(st.sampled_from(list(Audience))),
    )
    return Answer(
        draw(TEXT),
        draw(st.floats(0, 1)),
        draw(st.sampled_from([(), (hit,)])),
        draw(st.sampled_from([(), (Citation(hit.article_id, hit.title, snippet=hit.snippet),)])),
        relevant=draw(st.booleans()),
        team=draw(st.text(max_size=8)),
        usage=draw(st.sampled_from([TokenUsage(), TokenUsage(10, 10, 0.0)])),
    )


def _well_formed(outcome: object) -> None:
    assert isinstance(outcome, Proceed | Stop)
    if isinstance(outcome, Stop):
        assert outcome.reason


@SETTINGS
@given(contexts())
def test_no_input_crashes_an_input_policy(ctx) -> None:  # type: ignore[no-untyped-def]
    for policy in POLICY_SET.input:
        outcome = policy.check(ctx)
        _well_formed(outcome)
        if isinstance(outcome, Stop):
            break
        ctx = outcome.context or ctx


@SETTINGS
@given(contexts(), answers())
def test_no_answer_crashes_an_output_policy(ctx, answer: Answer) -> None:  # type: ignore[no-untyped-def]
    for policy in POLICY_SET.output:
        outcome = policy.check(ctx, answer)
        _well_formed(outcome)
        if isinstance(outcome, Stop):
            break
        answer = outcome.answer or answer


@SETTINGS
@given(TEXT, st.floats(0, 1))
# Stripping the preamble "AS AN AI:E." used to cut "E.G." in half and leave "G. AS AN AI", a new AI preamble.
@example("AS AN AI:E.G. AS AN AI", 0.0)
@example("1. As an AI, go to Settings. 2. Click Save.\n3. Done", 0.0)
@example("Hi there! As an AI: e.g. this\n- Thanks for reaching out!\nMore: https://a.b/c", 0.9)
def test_persona_output_always_conforms(text: str, complexity: float) -> None:
    out, _ = RULES.apply(text, complexity)
    assert RULES.violations(out, complexity) == [], (text, out)


@SETTINGS
@given(TEXT, st.sampled_from(["en", "de", "es", "fr", "pt", "it", "zz"]))
def test_sentiment_is_bounded(text: str, language: str) -> None:
    sentiment = POLICY_SET.input[1].sentiment  # type: ignore[attr-defined]
    score = sentiment.score(text, language)
    assert score is None or -1.0 <= score <= 1.0


def test_notes_stay_read_only() -> None:
    ctx = make_ctx("that didn't help, the option is missing", history=History(ai_answers=1))
    outcome = POLICY_SET.input[policies.INPUT_ORDER.index("failed_attempts")].check(ctx)
    assert isinstance(outcome, Proceed) and isinstance(outcome.context.notes, MappingProxyType)  # type: ignore[union-attr]
