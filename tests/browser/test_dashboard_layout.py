"""The leads' dashboard looked at in Chromium at desktop and phone widths: nothing overflows its panel, the page
never scrolls sideways, ids do not wrap over lines, the chart's labels sit inside the chart and no dot hides
another. Screenshots go to FRONTDESK_SCREENSHOT_DIR when set (else the test's tmp folder) to be looked at."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.ports import FeedbackEntry
from tests.browser.test_dashboard import serve_history
from tests.browser.test_playground import _needs_chromium, page  # noqa: F401 - fixtures: skip without Chromium
from tests.history import History, fill_week

pytestmark = pytest.mark.browser

OVERFLOW = """() => {
  const out = [];
  const inside = (r, box) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1
      && r.bottom <= box.bottom + 1;
  for (const panel of document.querySelectorAll('.panel, .card')) {
    const box = panel.getBoundingClientRect();
    if (panel.scrollWidth > panel.clientWidth + 1) out.push(`${panel.className} scrolls sideways`);
    for (const el of panel.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || el.closest('details:not([open])') && el.tagName !== 'SUMMARY'
          && !el.matches('details')) continue;
      if (!inside(r, box)) out.push(`${el.tagName}.${el.className.baseVal ?? el.className} "${
          (el.textContent || '').trim().slice(0, 30)}" leaves ${panel.querySelector('h2')?.textContent
          ?? panel.className}`);
    }
  }
  if (document.documentElement.scrollWidth > innerWidth) out.push('the page scrolls sideways');
  for (const code of document.querySelectorAll('code.id')) {
    const size = parseFloat(getComputedStyle(code).fontSize);
    if (code.getBoundingClientRect().height > 2.8 * size) out.push(`id ${code.textContent} wraps over lines`);
  }
  return out;
}"""

CHART = """() => {
  const svg = [...document.querySelectorAll('svg.trend')].find(s => s.getBoundingClientRect().width > 0);
  const [,, width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
  const out = [];
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBBox();
    if (b.x < 0 || b.y < 0 || b.x + b.width > width || b.y + b.height > height) out.push(`label "${t.textContent}" clipped`);
  }
  const dots = [...svg.querySelectorAll('circle')].map(c => [+c.getAttribute('cx'), +c.getAttribute('cy'), +c.getAttribute('r')]);
  dots.forEach(([x, y, r], i) => dots.slice(i + 1).forEach(([x2, y2]) => {
    if (Math.hypot(x - x2, y - y2) < 2 * r) out.push(`dots at ${x},${y} and ${x2},${y2} overlap`);
  }));
  const ticks = [...svg.querySelectorAll('.count-tick')].map(t => t.textContent);
  return {problems: out, countAxis: svg.querySelector('.count-axis')?.textContent, ticks};
}"""


async def busier(h: History) -> None:
    """The week of tests/history.py, a long article id among the articles to fix, and knowledge gaps."""
    await fill_week(h)
    for n in range(3):
        at = h.now - timedelta(days=1, hours=n)
        await h.say("How do I rotate the webhook signing secret for our integrations?", f"w{n}", at=at)
        await h.helpful(f"w{n}", False, at=at + timedelta(minutes=1))
    for n, q in enumerate(["Do you support SAML single sign-on with Okta and Azure AD for every workspace?",
                           "Can I export all tickets as CSV every night to our data warehouse?",
                           "Is there an on-premise version for banks?"]):
        await h.say(q, f"g{n}", at=h.now - timedelta(days=2, hours=n))
    answers = [d for d in await h.app.store.decisions() if d.kind == "answer" and d.article_ids]
    for n, d in enumerate(answers[:4]):  # graded QA answers: the grade trend and the worst-graded articles
        note = "The rotation steps moved to Settings > Developers > Webhooks; the article still says Integrations."
        await h.app.store.add_feedback(FeedbackEntry("qa_grade", d.conversation_key, "U_QA", h.now - timedelta(hours=n),
                                                     reason=("wrong", "needs_work", "good", "wrong")[n],
                                                     edited_text=note if n != 2 else "", decision_id=d.id,
                                                     article_ids=d.article_ids))
    h.clock.now = h.now


@pytest.fixture
def busy_dashboard(tmp_path: Path) -> Any:
    with serve_history(tmp_path, busier) as url:
        yield url


@pytest.mark.parametrize("width", [1440, 390])
def test_nothing_overflows_at_desktop_and_phone_widths(busy_dashboard: str, page: Any, width: int,  # noqa: F811
                                                        tmp_path: Path) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{busy_dashboard}/dashboard")
    folder = Path(os.environ.get("FRONTDESK_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"dashboard-{width}.png"), full_page=True)
    assert page.evaluate(OVERFLOW) == []
    chart = page.evaluate(CHART)
    assert chart["problems"] == []
    assert chart["countAxis"] == "conversations" and chart["ticks"][-1] == "20"  # 13 conversations: own axis to 20
    text = page.locator("main").inner_text()
    assert not re.search(r"\$\d+\.\d{3}", text)  # money as people read it: $0.10, under $0.01 (not $0.0098)
    assert re.search(r"agents (under 1 min|\d+ min|\d+ h)", text)
    fix = page.locator(".panel").filter(has=page.get_by_role("heading", name="Articles to fix"))
    assert "integrations-webhooks-signing-secret-rotation" in fix.inner_text()
    graded = page.locator(".panel").filter(has=page.get_by_role("heading", name="Worst-graded articles"))
    assert "the article still says Integrations" in graded.inner_text()


def test_the_definitions_page_reads_at_phone_width(busy_dashboard: str, page: Any) -> None:  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{busy_dashboard}/dashboard")
    page.get_by_role("link", name="What each number means").click()
    page.wait_for_url("**/dashboard/metrics")
    assert page.get_by_role("heading", name="CSAT: one 1–5 scale for AI and human conversations").is_visible()
