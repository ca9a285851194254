"""Line charts drawn on the server as SVG: no JavaScript, no CDN, readable by screen readers.

The SVG carries a <title> and <desc>; every point has its own <title>; each series differs by
colour *and* dash pattern, so it never relies on colour alone. Pages pair the chart with a data
table holding the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), and dash patterns to tell them apart.
PALETTE = ("#1d4f91", "#b42318", "#1a7f37", "#8a5a00", "#6f42c1", "#0b6e79")
DASHES = ("", "8 4", "2 4", "10 4 2 4", "4 4", "12 3 3 3 3 3")

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 20, 16, 44
MAX_X_LABELS = 6


@dataclass(frozen=True)
class Series:
    """One line: a name and one value (or None) per x position."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class LegendEntry:
    """How a series is drawn, for an HTML legend beside the chart."""

    name: str
    colour: str
    dash: str


@dataclass(frozen=True)
class Chart:
    """The SVG, and the legend to show with it."""

    svg: Markup
    legend: tuple[LegendEntry, ...]


def _date_label(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def line_chart(chart_id: str, title: str, description: str, dates: list[date], series: list[Series],
               y_min: int, y_max: int, y_labels: dict[int, str] | None = None) -> Chart:
    """A line chart of `series` over `dates` (x positions in proportion to time)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = (dates[-1] - dates[0]).days if dates else 0

    def x(i: int) -> float:
        if span == 0:
            return LEFT + plot_w / 2 if len(dates) == 1 else LEFT + plot_w * i / max(len(dates) - 1, 1)
        return LEFT + plot_w * (dates[i] - dates[0]).days / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - y_min) / (y_max - y_min))

    parts = [(f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
              f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">'),
             f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
             f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
             '<g class="axis" aria-hidden="true">']
    for level in range(y_min, y_max + 1):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
                     f'stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y(level) + 4:.1f}" text-anchor="end" font-size="13" '
                     f'fill="#4a5562">{level}</text>')
    step = max(1, -(-len(dates) // MAX_X_LABELS))
    for i in range(0, len(dates), step):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" font-size="12" '
                     f'fill="#4a5562">{escape(_date_label(dates[i]))}</text>')
    parts.append('</g>')

    legend = []
    for n, line in enumerate(series):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        legend.append(LegendEntry(line.name, colour, dash))
        points = [(x(i), y(v), v, dates[i]) for i, v in enumerate(line.values) if v is not None]
        parts.append(f'<g class="series" data-series="{escape(line.name)}">')
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        for px, py, value, day in points:
            label = f"{line.name}, {_date_label(day)}: {value:g}"
            if y_labels and value in y_labels:
                label += f" ({y_labels[int(value)]})"
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{colour}">'
                         f'<title>{escape(label)}</title></circle>')
        parts.append('</g>')
    parts.append('</svg>')
    return Chart(Markup("".join(parts)), tuple(legend))
