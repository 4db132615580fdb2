"""The playground renderer as a table: neutral `Reply` in, safe HTML out (escaping, link safety, buttons)."""

from __future__ import annotations

import re

import pytest

from adapters.web.render import render_actions, render_citations, render_inline, render_reply, render_text, safe_url
from bot.core.types import Action, Citation, Reply

LINK = 'target="_blank" rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain words", "plain words"),
        ("*bold* and **strong**", "<strong>bold</strong> and <strong>strong</strong>"),
        ("_italic_ but snake_case_name stays", "<em>italic</em> but snake_case_name stays"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("run `rm -rf <dir>` now", "run <code>rm -rf &lt;dir&gt;</code> now"),
        ("`*not bold*`", "<code>*not bold*</code>"),
        (
            "see [the guide](https://kb.example.com/a?b=1&c=2)",
            f'see <a href="https://kb.example.com/a?b=1&amp;c=2" {LINK}>the guide</a>',
        ),
        ("<https://example.com/x|Slack style>", f'<a href="https://example.com/x" {LINK}>Slack style</a>'),
        ("<https://example.com/y>", f'<a href="https://example.com/y" {LINK}>https://example.com/y</a>'),
        ("go to https://example.com/z.", f'go to <a href="https://example.com/z" {LINK}>https://example.com/z</a>.'),
        ("mail [us](mailto:help@example.com)", f'mail <a href="mailto:help@example.com" {LINK}>us</a>'),
        # hostile input: markup is escaped, never interpreted
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
        ("a & b < c", "a &amp; b &lt; c"),
        # unsafe link targets keep their text and lose the link
        ("[click](javascript:alert(1))", "click)"),
        ("[click](javascript:alert)", "click"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "x"),
        ("[x](/relative/path)", "x"),
        (
            '[x](https://e.com/"onmouseover="alert(1))',
            f'<a href="https://e.com/&quot;onmouseover=&quot;alert(1" {LINK}>x</a>)',
        ),
        ("*<b>bold html</b>*", "<strong>&lt;b&gt;bold html&lt;/b&gt;</strong>"),
    ],
)
def test_inline(text: str, html: str) -> None:
    assert render_inline(text) == html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("one line", "<p>one line</p>"),
        ("line one\nline two", "<p>line one<br>line two</p>"),
        ("para one\n\npara two", "<p>para one</p><p>para two</p>"),
        (
            "Steps:\n- open *Settings*\n- press Save",
            "<p>Steps:</p><ul><li>open <strong>Settings</strong></li><li>press Save</li></ul>",
        ),
        ("1. first\n2. second\n\nafter", "<ol><li>first</li><li>second</li></ol><p>after</p>"),
        ("• dot bullet", "<ul><li>dot bullet</li></ul>"),
        ("", ""),
        ("- <script>x</script>", "<ul><li>&lt;script&gt;x&lt;/script&gt;</li></ul>"),
    ],
)
def test_blocks(text: str, html: str) -> None:
    assert render_text(text) == html


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://kb.example.com/a", True),
        ("http://localhost:8080/x", True),
        ("mailto:help@example.com", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" vbscript:msgbox", False),
        ("data:text/html,<script>", False),
        ("//evil.example.com/x", False),
        ("/ui/api", False),
        ("https:///nohost", False),
        ("", False),
    ],
)
def test_safe_url(url: str, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


def test_citations_link_titles_escape_and_deduplicate() -> None:
    html = render_citations(
        (
            Citation("reset", "Reset <your> password", "https://kb.example.com/reset", "Open Settings & Security"),
            Citation("reset", "Reset <your> password", "https://kb.example.com/reset"),
            Citation("bad", "Evil", "javascript:alert(1)"),
            Citation("nourl", "No link"),
        )
    )
    assert html.count("<li>") == 3
    assert f'<a href="https://kb.example.com/reset" {LINK}>Reset &lt;your&gt; password</a>' in html
    assert "Open Settings &amp; Security" in html
    assert "javascript" not in html
    assert "<li>Evil</li>" in html and "<li>No link</li>" in html
    assert render_citations(()) == ""


def test_actions_render_as_buttons_with_escaped_values() -> None:
    html = render_actions((Action("helpful", "Helpful", "yes"), Action("human", 'Talk "to" <a human>', 'h"x')))
    assert (
        '<button type="button" class="fd-btn fd-act-helpful" data-kind="helpful" data-value="yes">Helpful</button>'
        in html
    )
    assert 'data-value="h&quot;x"' in html and "Talk &quot;to&quot; &lt;a human&gt;" in html


@pytest.mark.parametrize(
    ("pressed", "shows", "hides"),
    [
        ((), ['data-kind="helpful"', 'data-kind="not_helpful"', 'data-kind="human"'], ["Thanks"]),
        (("helpful",), ["you marked this helpful", 'data-kind="human"'], ['data-kind="helpful"']),
        (("not_helpful",), ["you marked this not helpful"], ['data-kind="not_helpful"']),
        (("human",), ['data-kind="human" data-value="human" disabled'], []),
    ],
)
def test_feedback_buttons_follow_what_was_pressed(pressed: tuple[str, ...], shows: list[str], hides: list[str]) -> None:
    actions = (
        Action("helpful", "Helpful", "yes"),
        Action("not_helpful", "Not helpful", "no"),
        Action("human", "Talk to a human", "human"),
    )
    html = render_actions(actions, pressed)
    for fragment in shows:
        assert fragment in html
    for fragment in hides:
        assert fragment not in html


def test_csat_buttons_then_thanks() -> None:
    actions = tuple(Action("csat", str(n), str(n)) for n in range(1, 6))
    html = render_actions(actions)
    assert len(re.findall(r'data-kind="csat"', html)) == 5
    assert 'aria-label="Rate 4 out of 5"' in html and 'role="group"' in html
    assert "you rated this 4 out of 5" in render_actions(actions, ("csat:4",))
    assert "data-kind" not in render_actions(actions, ("csat:4",))


def test_whole_reply_degrades_to_text_and_never_raises() -> None:
    reply = Reply(
        "Hello *there* <b>x</b>",
        (Citation("a", "Article", "https://kb.example.com/a"),),
        (Action("helpful", "Helpful", "yes"),),
    )
    html = render_reply(reply)
    assert html.startswith('<div class="fd-body"><p>Hello <strong>there</strong> &lt;b&gt;x&lt;/b&gt;</p></div>')
    assert "fd-sources" in html and "fd-actions" in html
    assert render_reply(Reply("")) == '<div class="fd-body"><p></p></div>'
    weird = Reply("*unclosed _mixed `tick [link](https://x.example.com\n\n\n- \n1.")
    assert "<script" not in render_reply(weird)
