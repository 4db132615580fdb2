"""The weekly trend chart as inline SVG, drawn on the server: no chart library, no script, nothing downloaded.

Rates (0–100 %) are lines on the left axis; the number of conversations per week is a light bar behind them, scaled
to the busiest week. A week with nothing to divide by (no conversations, no ratings) leaves a gap in its line rather
than drawing a false zero. Every point carries a `<title>` so hovering shows the exact value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 36, 34


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]  # rates in [0, 1]; None: no data that week
    color: str


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * (i + 0.5) / n if n else 0)


def _y(rate: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(0.0, min(1.0, rate)))


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Consecutive indexes with a value: each run is one polyline (a gap in the data is a gap in the line)."""
    runs: list[list[int]] = []
    for i, v in enumerate(values):
        if v is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def trend_svg(labels: Sequence[str], series: Sequence[Series], volumes: Sequence[int], *, title: str) -> str:
    """An accessible SVG line chart of `series` over the weeks named by `labels`, with volume bars."""
    n = len(labels)
    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="trend-title trend-desc">',
        f'<title id="trend-title">{escape(title)}</title>',
        '<desc id="trend-desc">'
        + escape("; ".join(f"{s.name}: " + ", ".join("—" if v is None else f"{v:.0%}" for v in s.values)
                           for s in series))
        + "</desc>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = _y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dfe2e8"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#626b7a">'
                     f"{tick:.0%}</text>")
    busiest = max(volumes, default=0)
    slot = (WIDTH - LEFT - RIGHT) / n if n else 0
    for i, volume in enumerate(volumes):
        if busiest and volume:
            top = _y(volume / busiest)
            parts.append(
                f'<rect class="volume" x="{_x(i, n) - slot * 0.3:.1f}" y="{top:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{_y(0) - top:.1f}" fill="#eef0fb"><title>{escape(labels[i])}: {volume} '
                f'conversation{"" if volume == 1 else "s"}</title></rect>'
            )
    if busiest:
        parts.append(f'<text x="{WIDTH - RIGHT + 6}" y="{_y(1) + 4:.1f}" font-size="11" fill="#626b7a">'
                     f"{busiest} conv.</text>")
    for i, label in enumerate(labels):
        parts.append(f'<text x="{_x(i, n):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#626b7a">{escape(label)}</text>')
    for s in series:
        color = escape(s.color)
        for run in _runs(s.values):
            points = " ".join(f"{_x(i, n):.1f},{_y(s.values[i] or 0.0):.1f}" for i in run)
            if len(run) > 1:
                parts.append(f'<polyline class="series" points="{points}" fill="none" stroke="{color}" '
                             f'stroke-width="2.5" stroke-linejoin="round"/>')
            for i in run:
                value = s.values[i] or 0.0
                parts.append(
                    f'<circle cx="{_x(i, n):.1f}" cy="{_y(value):.1f}" r="3.5" fill="{color}">'
                    f"<title>{escape(s.name)}, {escape(labels[i])}: {value:.0%}</title></circle>"
                )
    x = LEFT
    for s in series:
        parts.append(f'<rect x="{x}" y="10" width="12" height="12" rx="2" fill="{escape(s.color)}"/>')
        parts.append(f'<text x="{x + 17}" y="20" font-size="12" fill="#1f2430">{escape(s.name)}</text>')
        x += 30 + 7 * len(s.name)
    if not busiest:
        parts.append(f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" text-anchor="middle" font-size="14" '
                     'fill="#626b7a">No conversations in these weeks yet</text>')
    parts.append("</svg>")
    return "\n".join(parts)
