"""Charts drawn on the server as SVG: no JavaScript, no chart library.

Every chart is an `<svg role="img">` with a `<title>` and `<desc>` (the accessible name
and summary) and is meant to be shown next to a data table with the same figures
(template `charts/_table.html`), so nobody depends on seeing the picture. Colours are
dark enough against white for text and graphics contrast (WCAG 1.4.3 / 1.4.11); a
second series is told apart by a dash pattern as well as by colour.

Pure functions returning markup strings; all text passes through `xml.sax.saxutils`
escaping. Templates mark the result safe with `mark_safe` in the view, never on user
input that skipped these functions.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

INK = "#1b1b1b"
MUTED = "#4a4a4a"  # 8.9:1 on white
GRID = "#b1b4b6"
PRIMARY = "#0b5a3c"  # brand green, 8.2:1 on white
SECONDARY = "#1d4f91"  # link blue, 8.1:1 on white
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
FONT_SIZE = 14

Number = int | float


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]


def _fmt(value: Number) -> str:
    """Compact number for labels: integers without decimals, otherwise up to 2 places."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _n(x: float) -> str:
    """Coordinates with one decimal place keep the markup short."""
    return f"{x:.1f}"


def _nice_max(value: float) -> float:
    """Round an axis maximum up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5):
        if value <= step * base:
            return step * base
    return 10 * base


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = (high - low) / count
    return [low + step * i for i in range(count + 1)]


def _open(width: int, height: int, title: str, desc: str, chart_id: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{title_id} {desc_id}" '
        f'font-family={quoteattr(FONT)} font-size="{FONT_SIZE}" class="chart">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _text(x: float, y: float, text: str, *, anchor: str = "middle", fill: str = INK, extra: str = "",
          css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}"{cls}{extra}>'
            f"{escape(text)}</text>")


def _y_axis(parts: list[str], left: float, top: float, plot_w: float, plot_h: float,
            low: float, high: float, label: str) -> None:
    for tick in _ticks(low, high):
        y = top + plot_h - (tick - low) / (high - low) * plot_h
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 5, _fmt(round(tick, 2)), anchor="end", fill=MUTED))
    if label:
        parts.append(_text(14, top + plot_h / 2, label, fill=MUTED,
                           extra=f' transform="rotate(-90 14 {_n(top + plot_h / 2)})"'))


def bar_chart(labels: Sequence[str], values: Sequence[Number | None], *, title: str, desc: str = "",
              y_label: str = "", chart_id: str = "bar", width: int = 640, height: int = 320,
              missing_label: str = "not shown", missing_labels: Sequence[str] | None = None) -> str:
    """Vertical bars, one per label, each with its value written above it. A value of None (a
    figure withheld, e.g. a small count) draws no bar and writes ``missing_label`` instead, or
    that bar's own entry of ``missing_labels`` (say "fewer than 5" only where it is true)."""
    if len(labels) != len(values) or (missing_labels is not None and len(missing_labels) != len(values)):
        raise ValueError("labels and values must have the same length")
    left, right, top, bottom = 64, 16, 24, 72
    plot_w, plot_h = width - left - right, height - top - bottom
    high = _nice_max(max((float(v) for v in values if v is not None), default=0))
    parts = _open(width, height, title, desc or title, chart_id)
    _y_axis(parts, left, top, plot_w, plot_h, 0, high, y_label)
    slot = plot_w / max(len(values), 1)
    bar_w = slot * 0.6
    parts.append('<g class="bars">')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        if value is None:
            text = missing_label if missing_labels is None else missing_labels[i]
            parts.append(_text(x + bar_w / 2, top + plot_h - 4, text, fill=MUTED, css_class="value missing"))
        else:
            h = float(value) / high * plot_h
            y = top + plot_h - h
            parts.append(f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" '
                         f'fill="{PRIMARY}"><title>{escape(f"{label}: {_fmt(value)}")}</title></rect>')
            parts.append(_text(x + bar_w / 2, y - 4, _fmt(value), css_class="value"))
        label_x = left + slot * (i + 0.5)
        label_y = top + plot_h + 18
        parts.append(_text(label_x, label_y, str(label), css_class="label",
                           extra=f' transform="rotate(-30 {_n(label_x)} {_n(label_y)})"'
                           if max(len(str(lb)) for lb in labels) * 8 > slot else ""))
    parts.append("</g>")
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str = "",
               y_label: str = "", chart_id: str = "line", width: int = 640, height: int = 320) -> str:
    """A monthly series (labels are months); pass a second Series for the previous period.

    Missing values (None) break the line instead of being drawn as zero.
    """
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError("each series needs one value per label")
    left, right, top, bottom = 64, 40, 40, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    all_values = [float(v) for s in series for v in s.values if v is not None]
    high = _nice_max(max(all_values, default=0))
    parts = _open(width, height, title, desc or title, chart_id)
    _y_axis(parts, left, top, plot_w, plot_h, 0, high, y_label)
    step = plot_w / max(len(labels) - 1, 1)

    def point(i: int, value: Number) -> tuple[float, float]:
        return left + step * i, top + plot_h - float(value) / high * plot_h

    styles = [(PRIMARY, ""), (SECONDARY, ' stroke-dasharray="6 4"')]
    for index, s in enumerate(series):
        colour, dash = styles[index % len(styles)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                segments.append([])
            else:
                segments[-1].append(point(i, value))
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        for segment in segments:
            if len(segment) > 1:
                d = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
                parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>')
        for i, value in enumerate(s.values):
            if value is not None:
                x, y = point(i, value)
                parts.append(f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}">'
                             f"<title>{escape(f'{s.name}, {labels[i]}: {_fmt(value)}')}</title></circle>")
        parts.append("</g>")
        # Legend: a line sample in the series style and its name.
        lx = left + index * 220
        parts.append(f'<line x1="{lx}" y1="16" x2="{lx + 28}" y2="16" stroke="{colour}" stroke-width="3"{dash}/>')
        parts.append(_text(lx + 34, 21, s.name, anchor="start", css_class="legend"))
    # Label as many months as fit without overlapping (about 8 px a character at 14 px type).
    widest = max((len(str(label)) for label in labels), default=1) * 8 + 12
    every = max(1, math.ceil(widest / step)) if len(labels) > 1 else 1
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(_text(left + step * i, top + plot_h + 20, str(label), css_class="label"))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "".join(parts)


def scatter_plot(points: Sequence[tuple[Number, Number]], *, title: str, desc: str = "",
                 x_label: str = "", y_label: str = "", point_labels: Sequence[str] | None = None,
                 trend: tuple[float, float] | None = None, chart_id: str = "scatter",
                 width: int = 640, height: int = 400) -> str:
    """Points (x, y); `trend` is (slope, intercept) of a line drawn across the x range."""
    if point_labels is not None and len(point_labels) != len(points):
        raise ValueError("one label per point")
    left, right, top, bottom = 64, 24, 24, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [float(x) for x, _ in points]
    ys = [float(y) for _, y in points]
    x_low, x_high = min(min(xs, default=0), 0), _nice_max(max(xs, default=0))
    y_low, y_high = min(min(ys, default=0), 0), _nice_max(max(ys, default=0))

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (left + (x - x_low) / (x_high - x_low) * plot_w,
                top + plot_h - (y - y_low) / (y_high - y_low) * plot_h)

    parts = _open(width, height, title, desc or title, chart_id)
    _y_axis(parts, left, top, plot_w, plot_h, y_low, y_high, y_label)
    for tick in _ticks(x_low, x_high):
        x, _ = to_px(tick, y_low)
        parts.append(_text(x, top + plot_h + 20, _fmt(round(tick, 2)), fill=MUTED))
    if x_label:
        parts.append(_text(left + plot_w / 2, height - 8, x_label, fill=MUTED))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>')
    parts.append('<g class="points">')
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        px, py = to_px(x, y)
        name = f"{point_labels[i]}: " if point_labels else ""
        parts.append(f'<circle class="point" cx="{_n(px)}" cy="{_n(py)}" r="5" fill="{PRIMARY}">'
                     f"<title>{escape(f'{name}{_fmt(x)}, {_fmt(y)}')}</title></circle>")
    parts.append("</g>")
    if trend is not None and points:
        slope, intercept = trend
        x1, x2 = min(xs), max(xs)
        (ax, ay), (bx, by) = to_px(x1, slope * x1 + intercept), to_px(x2, slope * x2 + intercept)
        parts.append(f'<line class="trend" x1="{_n(ax)}" y1="{_n(ay)}" x2="{_n(bx)}" y2="{_n(by)}" '
                     f'stroke="{SECONDARY}" stroke-width="2" stroke-dasharray="6 4"/>')
    parts.append("</svg>")
    return "".join(parts)


def radar_chart(axes: Sequence[str], series: Sequence[Series], *, title: str, desc: str = "",
                low: int = 1, high: int = 5, chart_id: str = "radar", size: int = 440) -> str:
    """A radar (spider) chart on a low..high scale, typically six axes scored 1 to 5."""
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least three axes")
    for s in series:
        if len(s.values) != len(axes):
            raise ValueError("each series needs one value per axis")
    legend_h = 28 * len(series)
    cx, cy, radius = size / 2, size / 2 + legend_h, size / 2 - 90
    parts = _open(size, size + legend_h, title, desc or title, chart_id)

    def at(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / len(axes)
        r = (value - low) / (high - low) * radius if high > low else 0
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for level in range(low, high + 1):
        ring = " ".join(f"{_n(x)},{_n(y)}" for x, y in (at(i, level) for i in range(len(axes))))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{GRID}"/>')
        x, y = at(0, level)
        parts.append(_text(x + 4, y - 2, str(level), anchor="start", fill=MUTED, css_class="tick"))
    for i, axis in enumerate(axes):
        x, y = at(i, high)
        parts.append(f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" stroke="{GRID}"/>')
        lx, ly = at(i, high + (high - low) * 0.12)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        parts.append(_text(lx, ly + 5, str(axis), anchor=anchor, css_class="label"))
    styles = [(PRIMARY, ""), (SECONDARY, ' stroke-dasharray="6 4"')]
    for index, s in enumerate(series):
        colour, dash = styles[index % len(styles)]
        pts = [at(i, float(v) if v is not None else low) for i, v in enumerate(s.values)]
        d = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        parts.append(f'<polygon points="{d}" fill="{colour}" fill-opacity="0.15" stroke="{colour}" '
                     f'stroke-width="3"{dash}/>')
        for (x, y), axis, v in zip(pts, axes, s.values, strict=True):
            shown = "–" if v is None else _fmt(v)
            parts.append(f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}">'
                         f"<title>{escape(f'{s.name}, {axis}: {shown}')}</title></circle>")
        parts.append("</g>")
        ly = 18 + 28 * index
        parts.append(f'<line x1="16" y1="{ly}" x2="44" y2="{ly}" stroke="{colour}" stroke-width="3"{dash}/>')
        parts.append(_text(50, ly + 5, s.name, anchor="start", css_class="legend"))
    parts.append("</svg>")
    return "".join(parts)
