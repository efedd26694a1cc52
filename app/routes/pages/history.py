"""Page: trends per domain since therapy started, as SVG charts and as a table."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.engine import DomainTrend
from app.routes.pages.common import (
    SHOWN_DOMAINS,
    direction_words,
    domain_name,
    nice_date,
    render,
    short_date,
    start_sentence,
    tone,
)
from app.services import checkins
from app.services.catalog import Catalog

router = APIRouter(include_in_schema=False)

# Chart geometry in SVG user units; the SVG scales to the screen width.
WIDTH, HEIGHT = 320, 172
LEFT, RIGHT, TOP, BOTTOM = 34, 310, 8, 150
BAND_WORDS = {
    "good": "the good range",
    "watch": "the range worth watching",
    "concern": "the range of concern",
}


def _y(value: float) -> float:
    return round(TOP + (100 - value) * (BOTTOM - TOP) / 100, 1)


def _bands(catalog: Catalog, domain: str, higher_is: str) -> list[dict[str, Any]]:
    """Shaded good and concern ranges, turned from the wellness reading into raw values."""
    rule = catalog.rules.bands.get(domain)  # type: ignore[call-overload]
    if rule is None:
        return []
    if higher_is == "better":
        spans = [("good", rule.watch_below, 100), ("concern", 0, rule.concern_below)]
    else:
        spans = [("good", 0, 100 - rule.watch_below), ("concern", 100 - rule.concern_below, 100)]
    return [
        {"kind": kind, "y": _y(hi), "h": round(_y(lo) - _y(hi), 1)}
        for kind, lo, hi in spans
        if hi > lo
    ]


def _chart(catalog: Catalog, domain: str, trend: DomainTrend) -> dict[str, Any]:
    points = trend.points
    start, end = points[0].taken_at.timestamp(), points[-1].taken_at.timestamp()
    span = end - start
    plotted = []
    for point in points:
        share = (point.taken_at.timestamp() - start) / span if span else 0.5
        when = nice_date(point.taken_at)
        week = f" (week {point.therapy_week})" if point.therapy_week else ""
        plotted.append(
            {
                "x": round(LEFT + share * (RIGHT - LEFT), 1),
                "y": _y(point.value),
                "label": f"{when}{week}: {point.value}",
            }
        )
    name = domain_name(catalog, domain)
    feel = tone(trend.change_from_start, trend.higher_is)
    count = len(points)
    first_on, last_on = nice_date(points[0].taken_at), nice_date(points[-1].taken_at)
    if count == 1:
        desc = f"One check-in so far, on {first_on}: {trend.latest}."
    else:
        moved = "no change" if feel == "same" else feel
        when = f"on {first_on}" if first_on == last_on else f"from {first_on} to {last_on}"
        desc = (
            f"{count} check-ins {when}. Start {trend.start}, "
            f"now {trend.latest}: {moved}. {start_sentence(trend.start_checkins)}"
        )
    desc += (
        f" Scale 0 to 100, {direction_words(trend.higher_is)}. The latest value is in "
        f"{BAND_WORDS.get(points[-1].band, 'no particular range')}."
    )
    return {
        "domain": domain,
        "title": f"{name} over time",
        "desc": desc,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "plot_width": RIGHT - LEFT,
        "bands": _bands(catalog, domain, trend.higher_is),
        "ticks": [{"value": v, "y": _y(v)} for v in (0, 50, 100)],
        "points": plotted,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in plotted),
        "first_label": short_date(points[0].taken_at),
        "last_label": short_date(points[-1].taken_at),
    }


def _table(domains: dict[str, DomainTrend]) -> list[dict[str, Any]]:
    """One row per check-in, oldest first, with the value of each domain."""
    rows: dict[str, dict[str, Any]] = {}
    for domain, trend in domains.items():
        for point in trend.points:
            row = rows.setdefault(
                point.checkin_id,
                {
                    "id": point.checkin_id,
                    "date": nice_date(point.taken_at),
                    "week": point.therapy_week,
                    "values": {},
                    "at": point.taken_at,
                },
            )
            row["values"][domain] = point.value
    return sorted(rows.values(), key=lambda row: row["at"])


@router.get("/history", response_class=HTMLResponse)
def history(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    before: Annotated[str | None, Query(max_length=200)] = None,
    deleted: Annotated[str | None, Query(max_length=1)] = None,
) -> Response:
    summary = checkins.summary(db, catalog, user)
    domains = {d: summary.domains[d] for d in SHOWN_DOMAINS if d in summary.domains}
    rows, older = checkins.page(db, user, 20, before)
    context = {
        "user": user,
        "nav": "history",
        "started": nice_date(user.therapy_started_on),
        "count": summary.checkin_count,
        "charts": [_chart(catalog, d, trend) for d, trend in domains.items()],
        "columns": [
            {
                "domain": d,
                "name": domain_name(catalog, d),
                "direction": direction_words(trend.higher_is),
            }
            for d, trend in domains.items()
        ],
        "rows": _table(domains),
        "past": [
            {"id": r.id, "date": nice_date(r.taken_at), "week": r.therapy_week, "urgent": r.urgent}
            for r in rows
        ],
        "older": older,
        "message": "The check-in was deleted, and the results after it were worked out "
        "again without it."
        if deleted
        else None,
    }
    return render(request, "history.html", context)
