"""A small SVG trend chart for the talking-points sheet, readable in black and white.

Each series has its own line pattern and marker shape and is labelled at its end, so
nothing depends on colour; the caption repeats the numbers as text.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from app.routes.pages.common import crisis_view, direction_words, short_date, start_sentence
from app.schemas import Sheet, TrendItem, TrendSeries
from app.services.catalog import Catalog

WIDTH, HEIGHT = 360, 128
LEFT, RIGHT, TOP, BOTTOM = 30, 262, 8, 106
STYLES = ("solid", "dashed", "dotted")
MARKERS = ("circle", "square", "triangle")


def _x(moment: datetime, start: datetime, span: float) -> float:
    share = (moment - start).total_seconds() / span if span else 0.5
    return round(LEFT + share * (RIGHT - LEFT), 1)


def _y(value: float) -> float:
    return round(TOP + (100 - value) * (BOTTOM - TOP) / 100, 1)


def _spread(ends: list[float], gap: float = 12.0) -> list[float]:
    """End labels nudged apart so two lines ending close together stay readable."""
    order = sorted(range(len(ends)), key=lambda i: ends[i])
    placed = list(ends)
    for before, after in itertools.pairwise(order):
        placed[after] = max(placed[after], placed[before] + gap)
    return [min(p, BOTTOM + 8) for p in placed]


def _from(entry: TrendSeries) -> str:
    if entry.start is None:
        return f"{entry.first} at first"
    return f"{entry.start} at the start"


def chart(trend: TrendItem | None) -> dict[str, Any] | None:
    if trend is None or not trend.series:
        return None
    moments = [p.at for s in trend.series for p in s.points]
    start, end = min(moments), max(moments)
    span = (end - start).total_seconds()
    series: list[dict[str, Any]] = []
    for index, entry in enumerate(trend.series[: len(STYLES)]):
        points = [
            {"x": _x(p.at, start, span), "y": _y(p.value), "v": p.value} for p in entry.points
        ]
        name = entry.name[:1].upper() + entry.name[1:]
        series.append(
            {
                "name": name,
                "style": STYLES[index],
                "marker": MARKERS[index],
                "points": points,
                "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                "end_y": points[-1]["y"],
                "latest": entry.latest,
                "text": (
                    f"{name}: {_from(entry)}, "
                    f"{entry.latest} now ({direction_words(entry.higher_is)})."
                ),
            }
        )
    # Sheets shared before the start was kept say "at first": their number is the first one.
    counts = [
        e.start_checkins
        for e in trend.series
        if e.start is not None and e.start_checkins is not None
    ]
    note = start_sentence(max(counts), whose="my", start="The start") if counts else None
    for item, label_y in zip(series, _spread([s["end_y"] + 4 for s in series]), strict=True):
        item["label_y"] = label_y
    first = min(p.at for p in trend.series[0].points)
    last = max(moments)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "bottom": BOTTOM,
        "label_x": RIGHT + 6,
        "ticks": [{"value": v, "y": _y(v)} for v in (0, 50, 100)],
        "series": series,
        "first_label": short_date(first),
        "last_label": short_date(last),
        "single": len(moments) == len(trend.series),
        "start_note": note,
    }


def sheet_view(catalog: Catalog, sheet: Sheet, country: str | None) -> dict[str, Any]:
    """What the sheet template needs besides the sheet: crisis lines and the chart."""
    crisis = crisis_view(catalog.crisis.for_country(country)) if country else None
    return {"sheet": sheet, "crisis": crisis, "chart": chart(sheet.trend)}
