"""The monthly safety report's charts, drawn with ``reportlab.graphics`` (no plotting
library): rates with their intervals as whiskers, a funnel plot of lots against the
clinic's pooled rate, and each lot's cumulative log-likelihood ratio against its critical
value. Every string is at least 8 point and set in the document's fonts; the caller's
``check`` sees each one first (a glyph the font lacks is an error, never tofu).

The funnel plot's limits are exact binomial quantiles around the pooled proportion at each
number of administrations, made continuous by Spiegelhalter's interpolation (Statistics in
Medicine 2005;24:1185, appendix A.1.1): for the quantile ``r`` of Binomial(n, p0) at
probability ``q`` and ``F`` its distribution function, the limit is
``(r - (F(r) - q) / (F(r) - F(r - 1))) / n``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import Any, Final

from attrs import frozen
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from ._render import MIN_FONT_SIZE, FontSpec
from ._signals_math import binomial_sf

__all__ = [
    "FUNNEL_LEVELS",
    "Check",
    "FunnelPoint",
    "LlrPanel",
    "Pen",
    "Whisker",
    "binomial_funnel_limit",
    "forest_plot",
    "funnel_plot",
    "llr_panel",
]

Check = Callable[[str, str], str]
"""``check(text, where)`` returns ``text`` once the font is known to show it."""

FUNNEL_LEVELS: Final = (0.95, 0.998)
"""The funnel plot's two-sided limits (about 2 and 3 standard deviations)."""

_FS: Final = MIN_FONT_SIZE
_INK: Final = colors.Color(0.15, 0.15, 0.15)
_GRID: Final = colors.Color(0.85, 0.85, 0.88)
_BLUE: Final = colors.Color(0.1, 0.3, 0.6)
_RED: Final = colors.Color(0.8, 0.1, 0.1)
_GREY: Final = colors.Color(0.45, 0.45, 0.45)
_ROW: Final = 13.0  # points per row of a forest plot (8-point text and its whisker)


@frozen
class Whisker:
    """One row of a forest plot: a rate per 1,000 and its interval."""

    label: str
    rate: float | None
    """None when nothing was given (no rate, no whisker)."""
    low: float
    high: float
    note: str
    """Shown at the right: counts, rate and interval in words."""
    flagged: bool = False
    """Drawn in red (e.g. a lot with a signal)."""


@frozen
class FunnelPoint:
    """One lot of a funnel plot."""

    label: str
    administrations: int
    reactions: int


@frozen
class LlrPanel:
    """One lot's cumulative log-likelihood ratio over its surveillance."""

    title: str
    x: tuple[float, ...]
    llr: tuple[float, ...]
    cv: float
    signal: bool
    crossed_at: int | None = None
    """The position in ``x`` (1-based) where the signal was crossed, marked in red."""


# ---------------------------------------------------------------------------- helpers


def _nice_ticks(high: float, count: int = 5) -> list[float]:
    """Tick values from 0 to at least ``high`` at a round step (1, 2, 2.5 or 5 x 10^k)."""
    if high <= 0 or not math.isfinite(high):
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3g}" if value < 10 else f"{value:,.1f}"


class Pen:
    """Writes a chart's strings: the document's body font at 8 point, each string
    checked against the font first."""

    def __init__(self, fonts: FontSpec, check: Check) -> None:
        self.font = fonts.body
        self.check = check

    def width(self, text: str) -> float:
        """How wide ``text`` is, in points."""
        return float(stringWidth(text, self.font, _FS))

    def fit(self, text: str, width: float) -> str:
        """``text``, cut with an ellipsis to ``width`` points."""
        if self.width(text) <= width:
            return text
        while text and self.width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def text(self, x: float, y: float, text: str, **kw: Any) -> String:
        """A string at (x, y); ``kw`` as :class:`~reportlab.graphics.shapes.String` takes."""
        kw.setdefault("fillColor", _INK)
        return String(x, y, self.check(text, "chart"), fontName=self.font, fontSize=_FS, **kw)


# ---------------------------------------------------------------------------- forest


def forest_plot(
    rows: Sequence[Whisker],
    *,
    width: float,
    pen: Pen,
    axis_label: str,
    pooled: float | None,
    pooled_label: str,
) -> Drawing:
    """Rates with their intervals, one row each: label | dot and whisker | note."""
    label_w = min(width * 0.22, max([pen.width(r.label) for r in rows] + [20]) + 6)
    note_w = min(width * 0.36, max([pen.width(r.note) for r in rows] + [20]) + 6)
    plot_x = label_w + 4
    plot_w = width - plot_x - note_w - 8
    top = 16.0  # room for the pooled-rate label
    bottom = 26.0  # axis ticks and label
    height = bottom + top + _ROW * len(rows)
    d = Drawing(width, height)
    high = max([r.high for r in rows if r.rate is not None] + [pooled or 0.0, 1e-9])
    ticks = _nice_ticks(high)
    scale = plot_w / ticks[-1]
    for t in ticks:
        x = plot_x + t * scale
        d.add(Line(x, bottom, x, height - top, strokeColor=_GRID, strokeWidth=0.5))
        d.add(pen.text(x, bottom - 10, _fmt(t), textAnchor="middle"))
    d.add(Line(plot_x, bottom, plot_x + plot_w, bottom, strokeColor=_INK, strokeWidth=0.6))
    d.add(pen.text(plot_x + plot_w / 2, 2, axis_label, textAnchor="middle"))
    if pooled is not None:
        x = plot_x + pooled * scale
        d.add(Line(x, bottom, x, height - top + 4, strokeColor=_BLUE, strokeDashArray=[3, 2]))
        d.add(pen.text(x, height - top + 6, pooled_label, textAnchor="middle"))
    for i, row in enumerate(rows):
        y = height - top - _ROW * (i + 0.5)
        d.add(pen.text(label_w, y - 3, pen.fit(row.label, label_w - 4), textAnchor="end"))
        d.add(pen.text(width - note_w, y - 3, row.note))
        if row.rate is None:
            continue
        ink = _RED if row.flagged else _INK
        x0, x1 = plot_x + row.low * scale, plot_x + row.high * scale
        d.add(Line(x0, y, x1, y, strokeColor=ink, strokeWidth=0.9))
        d.add(Line(x0, y - 2.5, x0, y + 2.5, strokeColor=ink, strokeWidth=0.9))
        d.add(Line(x1, y - 2.5, x1, y + 2.5, strokeColor=ink, strokeWidth=0.9))
        d.add(Circle(plot_x + row.rate * scale, y, 2.2, fillColor=ink, strokeColor=ink))
    return d


# ---------------------------------------------------------------------------- funnel


def _binomial_cdf(r: int, n: int, p: float) -> float:
    """P(X <= r) for X ~ Binomial(n, p) (0 below 0), from the signals' exact tail."""
    return 0.0 if r < 0 else 1.0 - binomial_sf(r + 1, n, p)


def binomial_funnel_limit(n: int, p0: float, q: float) -> float:
    """The funnel limit (a proportion) at ``n`` administrations for probability ``q``:
    the interpolated ``q`` quantile of Binomial(n, p0) divided by ``n`` (see the module),
    never below 0 (at a quantile of 0 events the interpolation would go below it).

    >>> round(binomial_funnel_limit(1000, 0.02, 0.975), 4)
    0.0288
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if p0 <= 0.0:
        return 0.0
    if p0 >= 1.0:
        return 1.0
    # start at the normal approximation, then step to the smallest r with F(r) >= q
    guess = n * p0 + NormalDist().inv_cdf(q) * math.sqrt(n * p0 * (1 - p0))
    r = min(n, max(0, round(guess)))
    f = _binomial_cdf(r, n, p0)
    while f < q and r < n:
        r += 1
        f = _binomial_cdf(r, n, p0)
    below = _binomial_cdf(r - 1, n, p0)
    while r > 0 and below >= q:
        r, f = r - 1, below
        below = _binomial_cdf(r - 1, n, p0)
    step = f - below
    alpha = (f - q) / step if step > 0 else 0.0
    return max(0.0, (r - alpha) / n)


@frozen
class _Frame:
    """A plot area inside a drawing and its scales."""

    left: float
    bottom: float
    width: float
    height: float
    x_ticks: list[float]
    y_ticks: list[float]

    def x(self, value: float) -> float:
        return self.left + value * self.width / self.x_ticks[-1]

    def y(self, value: float) -> float:
        return self.bottom + min(value, self.y_ticks[-1]) * self.height / self.y_ticks[-1]

    def draw(self, d: Drawing, pen: Pen, *, x_grid: bool = True) -> None:
        """Grid lines, tick labels and the frame."""
        for t in self.x_ticks:
            if x_grid:
                d.add(
                    Line(
                        self.x(t),
                        self.bottom,
                        self.x(t),
                        self.bottom + self.height,
                        strokeColor=_GRID,
                        strokeWidth=0.5,
                    )
                )
            d.add(pen.text(self.x(t), self.bottom - 10, _fmt(t), textAnchor="middle"))
        for t in self.y_ticks:
            d.add(
                Line(
                    self.left,
                    self.y(t),
                    self.left + self.width,
                    self.y(t),
                    strokeColor=_GRID,
                    strokeWidth=0.5,
                )
            )
            d.add(pen.text(self.left - 3, self.y(t) - 3, _fmt(t), textAnchor="end"))
        d.add(
            Rect(
                self.left,
                self.bottom,
                self.width,
                self.height,
                fillColor=None,
                strokeColor=_INK,
                strokeWidth=0.6,
            )
        )


def funnel_plot(
    points: Sequence[FunnelPoint],
    *,
    pooled: float,
    width: float,
    height: float,
    pen: Pen,
    x_label: str,
    y_label: str,
    pooled_label: str,
    level_labels: tuple[str, str],
) -> tuple[Drawing, tuple[str, ...]]:
    """Lots' rates per 1,000 against their administrations, with the ``pooled`` proportion
    (the clinic's: every lot's reactions over every lot's administrations) and its 95% and
    99.8% exact binomial limits. Returns the drawing and the labels of the lots outside the
    99.8% limits (named on the chart)."""
    p0 = pooled
    max_n = max([p.administrations for p in points] + [1])
    rates = [1000 * p.reactions / p.administrations for p in points if p.administrations]
    top_limit = 1000 * binomial_funnel_limit(max_n, p0, _quantiles()[-1])
    # the limits at the smallest n shoot up: they may leave the plot, the points never do
    frame = _Frame(
        left=44.0,
        bottom=30.0,
        width=width - 54.0,
        height=height - 70.0,
        x_ticks=_nice_ticks(max_n * 1.05),  # no point on the frame
        y_ticks=_nice_ticks(max([*rates, 1500 * p0, top_limit * 1.15, 1e-9])),
    )
    ns = _curve_ns(max(1, min(p.administrations for p in points) // 4), frame.x_ticks[-1])
    curves = {q: [1000 * binomial_funnel_limit(n, p0, q) for n in ns] for q in _quantiles()}
    d = Drawing(width, height)
    frame.draw(d, pen)
    d.add(pen.text(frame.left + frame.width / 2, 4, x_label, textAnchor="middle"))
    d.add(pen.text(4, frame.bottom + frame.height + 6, y_label))
    d.add(
        Line(
            frame.left,
            frame.y(1000 * p0),
            frame.left + frame.width,
            frame.y(1000 * p0),
            strokeColor=_BLUE,
            strokeWidth=1,
        )
    )
    for q, rates_at in curves.items():
        pts: list[float] = []
        for n, rate in zip(ns, rates_at, strict=True):
            if rate <= frame.y_ticks[-1]:  # not drawn where it leaves the plot
                pts += [frame.x(n), frame.y(rate)]
        dash = [3, 2] if q in _quantiles(FUNNEL_LEVELS[0]) else None
        if len(pts) >= 4:
            d.add(PolyLine(pts, strokeColor=_GREY, strokeWidth=0.8, strokeDashArray=dash))
    outside = _funnel_points(d, points, p0=p0, frame=frame, pen=pen)
    _legend(
        d,
        pen,
        right=frame.left + frame.width,
        y=height - 10,
        items=[
            (pooled_label, _BLUE, None),
            (level_labels[0], _GREY, [3, 2]),
            (level_labels[1], _GREY, None),
        ],
    )
    return d, outside


def _quantiles(*levels: float) -> tuple[float, ...]:
    """The lower and upper probabilities of two-sided ``levels`` (default: both funnel
    levels), lowest first."""
    return tuple(
        sorted(q for level in (levels or FUNNEL_LEVELS) for q in ((1 - level) / 2, (1 + level) / 2))
    )


def _funnel_points(
    d: Drawing, points: Sequence[FunnelPoint], *, p0: float, frame: _Frame, pen: Pen
) -> tuple[str, ...]:
    low_q, high_q = (1 - FUNNEL_LEVELS[1]) / 2, (1 + FUNNEL_LEVELS[1]) / 2
    outside: list[str] = []
    for p in points:
        if not p.administrations:
            continue
        rate = 1000 * p.reactions / p.administrations
        hi = 1000 * binomial_funnel_limit(p.administrations, p0, high_q)
        lo = 1000 * binomial_funnel_limit(p.administrations, p0, low_q)
        out = rate > hi or rate < lo
        ink = _RED if out else _BLUE
        x, y = frame.x(p.administrations), frame.y(rate)
        d.add(Circle(x, y, 2.2, fillColor=ink, strokeColor=ink))
        if out:
            outside.append(p.label)
            label = pen.fit(p.label, 90)
            # named beside the dot, on the side with room for it
            if x + 4 + pen.width(label) > d.width:
                d.add(pen.text(x - 4, y + 2, label, fillColor=_RED, textAnchor="end"))
            else:
                d.add(pen.text(x + 4, y + 2, label, fillColor=_RED))
    return tuple(outside)


def _legend(
    d: Drawing,
    pen: Pen,
    *,
    right: float,
    y: float,
    items: Sequence[tuple[str, colors.Color, list[float] | None]],
) -> None:
    """Labels with their line samples, right-aligned at ``right``."""
    x = right
    for label, ink, dash in reversed(items):
        x -= pen.width(label)
        d.add(pen.text(x, y, label))
        d.add(
            Line(x - 18, y + 3, x - 3, y + 3, strokeColor=ink, strokeWidth=1, strokeDashArray=dash)
        )
        x -= 26


def _curve_ns(low: int, high: float) -> list[int]:
    """Numbers of administrations to draw the limits at: dense where they bend."""
    ns = {low, int(high)}
    steps = 120
    for i in range(steps + 1):
        ns.add(max(low, round(low * (high / low) ** (i / steps))))
    return sorted(n for n in ns if n >= 1)


# ---------------------------------------------------------------------------- LLR


def llr_panel(
    panel: LlrPanel,
    *,
    width: float,
    height: float,
    pen: Pen,
    x_label: str,
    y_label: str,
) -> Drawing:
    """A small chart: one lot's cumulative LLR (solid) against its CV (dashed)."""
    frame = _Frame(
        left=30.0,
        bottom=24.0,
        width=width - 36.0,
        height=height - 40.0,
        x_ticks=_nice_ticks(max([*panel.x, 1.0]), 4),
        y_ticks=_nice_ticks(max([*panel.llr, panel.cv * 1.2, 1.0]), 4),
    )
    d = Drawing(width, height)
    frame.draw(d, pen, x_grid=False)
    d.add(
        Line(
            frame.left,
            frame.y(panel.cv),
            frame.left + frame.width,
            frame.y(panel.cv),
            strokeColor=_RED,
            strokeDashArray=[3, 2],
        )
    )
    ink = _RED if panel.signal else _BLUE
    if panel.x:
        pts: list[float] = [frame.x(0), frame.y(0)]
        for x, llr in zip(panel.x, panel.llr, strict=True):
            pts += [frame.x(x), frame.y(max(0.0, llr))]
        d.add(PolyLine(pts, strokeColor=ink, strokeWidth=1))
    if panel.crossed_at is not None and 0 < panel.crossed_at <= len(panel.x):
        i = panel.crossed_at - 1
        x, y = frame.x(panel.x[i]), frame.y(max(0.0, panel.llr[i]))
        d.add(Circle(x, y, 2.4, fillColor=_RED, strokeColor=_RED))
    d.add(pen.text(2, height - 10, pen.fit(panel.title, width - 4), fillColor=ink))
    d.add(pen.text(frame.left + frame.width, 2, x_label, textAnchor="end"))
    d.add(pen.text(2, frame.bottom + frame.height / 2, y_label))
    return d
