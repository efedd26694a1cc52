"""What every HTML page shares: rendering, the CSRF check, form reading, display words."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from app.bodies import FORM_LIMIT
from app.engine import DOMAINS, CrisisEntry
from app.security import CSRF_FIELD, csrf_valid
from app.services.catalog import Catalog
from app.services.checkins import Result
from app.templating import because, nice_date, short_date, templates

EXPIRED = (
    "Sorry, this page was open too long, so we couldn't send it safely. "
    "Everything you entered is still here: please send it again."
)
ARROWS = {1: "↑", -1: "↓", 0: "→"}
# Where a hard week came from is context for one week, not a state with a trend to show.
SHOWN_DOMAINS = tuple(d for d in DOMAINS if d != "life_events")
# Phone numbers inside contact text ("Call 116 123", "Call or text 9-8-8"): three digits or more.
_NUMBER = re.compile(r"\d[\d -]*\d")
_KEYWORD = re.compile(r"[Tt]ext ([A-Z]{2,}) to")  # "Text SHOUT to 85258"


# The biggest page form (the check-in: an answer per item and a few more) has under 40.
MAX_FIELDS = 200


async def read_form(request: Request) -> FormData:
    """The submitted form. The edge already bounds the whole body (app/middleware.py); this
    bounds its parts: one file (the import's), MAX_FIELDS fields, none over the form limit.
    Past them Starlette answers 400."""
    return await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=FORM_LIMIT)


FormDep = Annotated[FormData, Depends(read_form)]


def field(form: FormData, name: str) -> str:
    """A submitted text value, or "" (missing, or a file where text was expected). NUL
    characters are dropped: no text the app keeps has one, and PostgreSQL refuses them."""
    value = form.get(name)
    return value.replace("\x00", "") if isinstance(value, str) else ""


def csrf_ok(request: Request, form: FormData) -> bool:
    # The same settings as the `csrf_token` template global that made the token.
    secret = request.app.state.settings.SECRET_KEY
    return csrf_valid(secret, request.state.csrf_cookie, field(form, CSRF_FIELD) or None)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything else (other sites, //host) is "/"."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def domain_name(catalog: Catalog, domain: str) -> str:
    name = catalog.rules.wording.domain_name(domain)
    return name[:1].upper() + name[1:]


_COUNT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def start_sentence(checkins: int, whose: str = "your", start: str = "Start") -> str:
    """What "Start" means, for however many first check-ins the baseline averaged."""
    if checkins <= 1:
        return f"{start} is {whose} first check-in."
    count = _COUNT_WORDS[checkins - 1] if checkins <= len(_COUNT_WORDS) else str(checkins)
    return f"{start} is the average of {whose} first {count} check-ins."


def direction_words(higher_is: str) -> str:
    return "higher is better" if higher_is == "better" else "higher is worse"


def tone(change: int, higher_is: str) -> str:
    """'better', 'worse' or 'same' for a change in a domain score."""
    if change == 0:
        return "same"
    return "better" if (change > 0) == (higher_is == "better") else "worse"


def _links(text: str, can_text: bool) -> list[dict[str, str]]:
    """Tap-to-call and tap-to-text links; a text-only line ("Text SHOUT to 85258") gets
    no call link, and its keyword goes into the message."""
    links = []
    text_only = text.lower().startswith("text")
    keyword = _KEYWORD.search(text)
    body = f"?body={keyword.group(1)}" if keyword else ""
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) < 3:
            continue
        shown = match.group().strip()
        if not text_only:
            links.append({"href": f"tel:{digits}", "text": f"Call {shown}"})
        if can_text or text_only:
            links.append({"href": f"sms:{digits}{body}", "text": f"Text {shown}"})
    return links


def crisis_view(entry: CrisisEntry) -> dict[str, Any]:
    """A country's crisis lines with tap-to-call (and tap-to-text) links."""
    return {
        "name": entry.name,
        "emergency": entry.emergency,
        "emergency_links": _links(entry.emergency, can_text=False),
        "lines": [
            {
                "name": line.name,
                "contact": line.contact,
                "hours": line.hours,
                "links": _links(line.contact, can_text="text" in line.contact.lower()),
            }
            for line in entry.lines
        ],
    }


def urgent_steps(result: Result, entry: CrisisEntry) -> list[str]:
    """The urgent_help steps (the safety plan) minus sentences the crisis box already shows."""
    shown = set(entry.sentences())
    for suggestion in result.suggestions:
        if suggestion.id == "urgent_help":
            return [step for step in suggestion.steps if step not in shown]
    return []


__all__ = ["because", "nice_date", "short_date"]  # the page modules import them from here
