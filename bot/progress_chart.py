"""The /stats chart: minutes per week by activity, as stacked bars in a small PNG.

matplotlib is imported and the Agg (file-only, no display) backend selected inside the function,
so importing this module costs nothing and never touches a GUI toolkit.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from bot.coach.progress import WeekTotals

WIDTH_PX, HEIGHT_PX, DPI = 800, 500, 100
# Colour-blind-safe palette (Okabe-Ito), then greys for anything beyond it.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
OTHER_COLOUR = "#999999"
MAX_SERIES = len(PALETTE)


LEGEND_CHARS = 20


def _short(name: str) -> str:
    """"Turbo trainer or indoor bike" -> "Turbo trainer": the legend has little room."""
    name = name.split(" (")[0].split(" or ")[0]
    return name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1] + "…"


def render_weekly_minutes(weeks: Sequence[WeekTotals], names: Mapping[str, str]) -> bytes:
    """PNG bytes: one bar per week (oldest left), stacked by activity, labelled with `names`.

    Activities beyond the palette are folded into "Other" so the legend stays readable.
    """
    import matplotlib

    matplotlib.use("Agg")
    # A bare Figure, not pyplot: no global figure registry, so it is safe in a worker thread
    # (the handler renders off the event loop) and needs no plt.close().
    from matplotlib.figure import Figure

    totals: dict[str, float] = {}
    for week in weeks:
        for activity_id, minutes in week.minutes_by_activity.items():
            totals[activity_id] = totals.get(activity_id, 0.0) + minutes
    ranked = [a for a, m in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if m > 0]
    shown = ranked[: MAX_SERIES - 1] if len(ranked) > MAX_SERIES else ranked
    folded = [a for a in ranked if a not in shown]

    labels = [week.monday.strftime("%d %b") for week in weeks]
    positions = list(range(len(weeks)))
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    ax = fig.subplots()
    bottoms = [0.0] * len(weeks)
    series = [(_short(names.get(a, a)), [w.minutes_by_activity.get(a, 0.0) for w in weeks],
               colour)
              for a, colour in zip(shown, PALETTE, strict=False)]
    if folded:
        series.append(("Other", [sum(w.minutes_by_activity.get(a, 0.0) for a in folded)
                                 for w in weeks], OTHER_COLOUR))
    for label, values, colour in series:
        ax.bar(positions, values, bottom=bottoms, label=label, color=colour, width=0.7)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.set_xticks(positions, labels)
    ax.set_ylabel("Minutes")
    ax.set_title("Cross-training minutes per week (weeks start Monday)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if series:
        # Outside the plot, on the right: inside it would cover the tallest bars.
        # Top of the stack first, as the eye reads the bars.
        handles, labels_ = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels_[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small", frameon=False)
    else:
        ax.text(0.5, 0.5, "No sessions logged yet", transform=ax.transAxes,
                ha="center", va="center", color="#666666")
    ax.set_ylim(bottom=0, top=max([*bottoms, 10.0]) * 1.1)
    fig.subplots_adjust(left=0.09, right=0.76, top=0.9, bottom=0.1)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
