"""PNG charts for the statistics, drawn headless (matplotlib's Agg canvas, no display, no pyplot state).

Every label is given already translated. matplotlib is imported on first use, so starting the bot and
handling any other message does not pay for it; drawing is CPU work, so callers run it in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

_COLOURS = ("#1f6f8b", "#e8a33d", "#99a8b2", "#c0392b")


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    return figure, figure.subplots()


def _whole_numbers(axis: Any) -> None:
    """Counts are whole: no 2.5 vendors on an axis."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _png(figure: Any) -> bytes:
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> bytes:
    """Grouped horizontal bars: one bar per series for each label (top label first)."""
    figure, axes = _figure()
    count = max(len(series), 1)
    height = 0.8 / count
    positions = range(len(labels))
    for n, (name, values) in enumerate(series):
        offsets = [p + (n - (count - 1) / 2) * height for p in positions]
        axes.barh(offsets, list(values), height=height, label=name, color=_COLOURS[n % len(_COLOURS)])
    axes.set_yticks(list(positions), [label[:32] for label in labels])
    _whole_numbers(axes.xaxis)
    axes.invert_yaxis()
    axes.set_title(title)
    if len(series) > 1:
        axes.legend(loc="lower right")
    return _png(figure)


def stacked(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> bytes:
    """Stacked vertical bars (e.g. checked vs unchecked claims)."""
    figure, axes = _figure()
    bottoms = [0.0] * len(labels)
    for n, (name, values) in enumerate(series):
        axes.bar(list(labels), list(values), bottom=bottoms, label=name, color=_COLOURS[n % len(_COLOURS)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    _whole_numbers(axes.yaxis)
    axes.set_title(title)
    axes.legend()
    return _png(figure)


def bars_and_rate(
    title: str, labels: Sequence[str], counts: tuple[str, Sequence[float]], rate: tuple[str, Sequence[float]]
) -> bytes:
    """Bars of a count per period with a line of a percentage on a second axis (searches and hit rate)."""
    figure, axes = _figure()
    axes.bar(list(labels), list(counts[1]), color=_COLOURS[0], label=counts[0])
    axes.set_ylabel(counts[0])
    _whole_numbers(axes.yaxis)
    axes.tick_params(axis="x", labelrotation=45)
    second = axes.twinx()
    second.plot(list(labels), [100 * v for v in rate[1]], color=_COLOURS[1], marker="o", label=rate[0])
    second.set_ylim(0, 100)
    second.set_ylabel(rate[0])
    axes.set_title(title)
    return _png(figure)
