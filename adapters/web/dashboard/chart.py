"""The weekly trend chart as inline SVG, drawn on the server: no chart library, no script, nothing downloaded.

Rates (0–100 %) are lines on the left axis; the number of conversations per week is a light bar behind them on its
own right-hand axis (a count is not a percentage: 13 conversations never read as "100 %"). A week with nothing to
divide by (no conversations, no ratings) leaves a gap in its line rather than drawing a false zero. Two dots that
would cover each other (two rates equal in one week) are set side by side. Every point carries a `<title>` so
hovering shows the exact value.

Two sizes are drawn from the same data: the wide chart for desktops and a compact one with larger type and fewer
week labels for phones (the page's stylesheet shows one or the other), so neither is ever squeezed unreadable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]  # rates in [0, 1]; None: no data that week
    color: str


@dataclass(frozen=True, slots=True)
class Frame:
    """The drawing area: the viewBox and the margins that hold the axes' labels (inside the viewBox, never clipped)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int  # label size in viewBox units
    label_every: int  # a week label on every n-th week

    def x(self, i: int, n: int) -> float:
        return self.left + ((self.width - self.left - self.right) * (i + 0.5) / n if n else 0)

    def y(self, share: float) -> float:
        return self.top + (self.height - self.top - self.bottom) * (1 - max(0.0, min(1.0, share)))


WIDE = Frame(960, 320, 52, 84, 44, 34, 12, 1)
COMPACT = Frame(480, 360, 54, 58, 70, 40, 16, 2)
MUTED, BAR, BAR_INK = "#626b7a", "#e3e6f7", "#5a64a8"
DOT = 3.5


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


def nice_ceiling(value: int) -> int:
    """The count axis' top: 1, 2, 5 or 10 × a power of ten, at least `value` (13 conversations -> 20)."""
    if value <= 0:
        return 1
    power: int = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _dots(series: Sequence[Series], n: int, f: Frame) -> list[list[float]]:
    """The x of each series' dot per week, nudged sideways where it would cover a dot already placed."""
    placed: list[list[tuple[float, float]]] = [[] for _ in range(n)]
    xs: list[list[float]] = []
    for s in series:
        row = []
        for i in range(n):
            x = f.x(i, n)
            value = s.values[i] if i < len(s.values) else None
            if value is not None:
                y = f.y(value)
                while any(abs(x - px) < 2 * DOT + 1 and abs(y - py) < 2 * DOT + 1 for px, py in placed[i]):
                    x += 2 * DOT + 2
                placed[i].append((x, y))
            row.append(x)
        xs.append(row)
    return xs


def _legend(series: Sequence[Series], f: Frame) -> list[str]:
    """Colour keys across the top, wrapping onto a second row when the frame is narrow."""
    parts, x, y = [], f.left, 10
    for s in series:
        width = 12 + 6 + int(f.font * 0.6 * len(s.name)) + 18
        if x + width > f.width - 4 and x > f.left:
            x, y = f.left, y + f.font + 10
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{escape(s.color)}"/>')
        parts.append(f'<text x="{x + 17}" y="{y + 11}" font-size="{f.font}" fill="#1f2430">{escape(s.name)}</text>')
        x += width
    return parts


def trend_svg(labels: Sequence[str], series: Sequence[Series], volumes: Sequence[int], *, title: str,
              frame: Frame = WIDE, css_class: str = "trend") -> str:
    """An accessible SVG line chart of `series` over the weeks named by `labels`, with volume bars."""
    f, n = frame, len(labels)
    ident = css_class.replace(" ", "-")
    parts = [
        f'<svg class="{escape(css_class)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width} {f.height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">'
        + escape("; ".join(f"{s.name}: " + ", ".join("—" if v is None else f"{v:.0%}" for v in s.values)
                           for s in series) + "; conversations: " + ", ".join(str(v) for v in volumes))
        + "</desc>",
        *_legend(series, f),
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = f.y(tick)
        parts.append(f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dfe2e8"/>')
        parts.append(f'<text x="{f.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{f.font - 1}" '
                     f'fill="{MUTED}">{tick:.0%}</text>')
    busiest = max(volumes, default=0)
    top = nice_ceiling(busiest)
    slot = (f.width - f.left - f.right) / n if n else 0
    for i, volume in enumerate(volumes):
        if volume:
            y = f.y(volume / top)
            parts.append(
                f'<rect class="volume" x="{f.x(i, n) - slot * 0.3:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{f.y(0) - y:.1f}" fill="{BAR}"><title>{escape(labels[i])}: {volume} '
                f'conversation{"" if volume == 1 else "s"}</title></rect>'
            )
    if busiest:  # the count axis, on the right, in the bars' colour
        axis_x = f.width - f.right + 6
        for count in sorted({0, top // 2, top} if top > 1 else {0, 1}):
            parts.append(f'<text class="count-tick" x="{axis_x}" y="{f.y(count / top) + 4:.1f}" '
                         f'font-size="{f.font - 1}" fill="{BAR_INK}">{count}</text>')
        parts.append(f'<text class="count-axis" x="{f.width - 4}" y="{f.top - 8}" text-anchor="end" '
                     f'font-size="{f.font - 1}" fill="{BAR_INK}">conversations</text>')
    for i, label in enumerate(labels):
        if (n - 1 - i) % f.label_every == 0:  # always label the latest week
            parts.append(f'<text x="{f.x(i, n):.1f}" y="{f.height - f.bottom + f.font + 4}" text-anchor="middle" '
                         f'font-size="{f.font - 1}" fill="{MUTED}">{escape(label)}</text>')
    for s, xs in zip(series, _dots(series, n, f), strict=True):
        color = escape(s.color)
        for run in _runs(s.values):
            points = " ".join(f"{f.x(i, n):.1f},{f.y(s.values[i] or 0.0):.1f}" for i in run)
            if len(run) > 1:
                parts.append(f'<polyline class="series" points="{points}" fill="none" stroke="{color}" '
                             f'stroke-width="2.5" stroke-linejoin="round"/>')
            for i in run:
                value = s.values[i] or 0.0
                parts.append(
                    f'<circle cx="{xs[i]:.1f}" cy="{f.y(value):.1f}" r="{DOT}" fill="{color}" stroke="#fff" '
                    f'stroke-width="1"><title>{escape(s.name)}, {escape(labels[i])}: {value:.0%}</title></circle>'
                )
    if not busiest:
        parts.append(f'<text x="{f.width / 2:.0f}" y="{f.height / 2:.0f}" text-anchor="middle" '
                     f'font-size="{f.font + 2}" fill="{MUTED}">No conversations in these weeks yet</text>')
    parts.append("</svg>")
    return "\n".join(parts)
