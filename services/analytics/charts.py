"""Charts rendered on the server as PNG (matplotlib's Agg backend: no display, no CDN)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from services.analytics.digest import TrendPoint
from services.notify import N_, Translator


def on_time_trend_png(points: Sequence[TrendPoint], t: Translator) -> bytes:
    """Bars: assignments done per day; line: the on-time share (right axis, %)."""
    from matplotlib.figure import Figure  # imported lazily: matplotlib is slow to import

    fig = Figure(figsize=(7, 3.2), dpi=110)
    ax = fig.add_subplot()
    labels = [p.day.strftime("%d.%m") for p in points]
    x = list(range(len(points)))  # positions, not the labels: "23.11" is not a number to plot
    ax.bar(x, [p.done for p in points], color="#9ec5fe", label=t(N_("Done")))
    ax.set_xticks(x, labels)
    ax.set_ylabel(t(N_("Done")))
    ax.tick_params(axis="x", labelrotation=60, labelsize=8)
    rate_ax = ax.twinx()
    rates = [None if p.rate is None else p.rate * 100 for p in points]
    rate_ax.plot(x, [r if r is not None else float("nan") for r in rates], color="#198754", marker="o")
    rate_ax.set_ylim(0, 105)
    rate_ax.set_ylabel(t(N_("On time, %")))
    ax.set_title(t(N_("On-time trend")))
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def breakdown_png(rows: Sequence[tuple[str, int, float | None]], t: Translator) -> bytes:
    """Horizontal bars per department or employee: done (bars) and the on-time share (labels)."""
    from matplotlib.figure import Figure

    rows = list(rows)[:25]  # a readable chart; the table below lists everyone
    height = max(2.2, 0.38 * len(rows) + 1.2)
    fig = Figure(figsize=(7, height), dpi=110)
    ax = fig.add_subplot()
    names = [name[:40] for name, _done, _rate in rows][::-1]
    done = [d for _name, d, _rate in rows][::-1]
    rates = [r for _name, _done, r in rows][::-1]
    y = list(range(len(names)))
    bars = ax.barh(y, done, color="#9ec5fe")
    ax.set_yticks(y, names)
    for bar, rate in zip(bars, rates, strict=True):
        label = "—" if rate is None else f"{round(rate * 100)}%"
        ax.annotate(label, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    ax.set_xlabel(t(N_("Done (label: on time, %)")))
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
