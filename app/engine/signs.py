"""Which signs a check-in shows, each with plain-words reasons (*because*)."""

from __future__ import annotations

from app.engine import change_words
from app.engine.change_words import low_answers
from app.engine.context import ALLIANCE_DOMAINS, Context
from app.engine.scoring import wellness
from app.engine.trends import Pattern
from app.engine.types import SIGN_IDS, Level, Sign, SignId

_LEVEL_RANK: dict[str, int] = {"urgent": 0, "concern": 1, "watch": 2, "info": 3}
# Signs that speak about how hard things are, where the week's cause is worth naming.
# The signs a hard week's cause may explain; a week put down to life outside therapy
# never explains away how sessions or the therapist left the client feeling.
_LIFE_NOTE_SIGNS = (
    "worsening",
    "no_progress",
    "off_track",
    "hopelessness",
    "dependency",
    "on_track",
)
_THERAPY_NOTE_SIGNS = ("session_harm", "worsening", "no_progress", "off_track", "hopelessness")
_FOLLOW_UP_NOTE_SIGNS = ("off_track", "no_progress", "worsening")
NEGATIVE: frozenset[str] = frozenset(SIGN_IDS) - {"on_track", "improved"}
_ALLIANCE_SIGN: dict[str, SignId] = {"heard": "not_heard", "connection": "weak_connection"}


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def pattern_sentence(found: Pattern, what: str) -> list[str]:
    """ "X has shown in 4 separate weeks ..." (counted in weeks, never "over 0 days")."""
    if found.shown < 2:
        return []
    return [
        f"{what} has shown in {found.shown} separate weeks, among your last {found.looked} "
        "check-ins."
    ]


def _alliance(ctx: Context, domain: str, first: bool) -> tuple[Level, list[str]]:
    """`first`: the first alliance sign of this result, which carries the pattern."""
    low, drops = ctx.alliance_flags(domain)
    dropped = {item.id for item, _then, _now in drops}
    because = [item.describe(value) for item, value in low if item.id not in dropped]
    for item, then, now in drops:
        topic = item.asked or f'"{item.text}"'
        because.append(
            f'Your answer about {topic} went down from "{item.label(then)}" last time to '
            f'"{item.label(now)}" this week.'
        )
    if not because:
        because = low_answers(ctx, domain)
    if first:
        because += pattern_sentence(ctx.alliance_pattern, "Feeling unheard or disconnected")
    if ctx.band(domain) == "concern":
        return "concern", because
    because.append(
        "Even a middling answer or a small drop here is worth mentioning early, while it is "
        "easy to put right: most people rate this high."
        if low
        else "A drop here is worth mentioning early, while it is easy to put right."
    )
    return "watch", because


def _self_harm(ctx: Context) -> list[str]:
    said = [item.describe(value) for item, value in ctx.risk_answers]
    if ctx.risk_frequent:
        return [
            *said,
            "Thoughts like these coming often is a sign to get support today, not to wait.",
        ]
    return [
        *said,
        'Any answer other than "Not at all" matters, even thoughts that came once and passed, '
        "and support is available right now.",
    ]


def _session_harm(ctx: Context) -> list[str]:
    because = [item.describe(value) for item, value in ctx.session_worst]
    shown = ctx.session_pattern
    if shown.shown >= 2:
        because.append(
            f"Sessions left you feeling worse in {shown.shown} of your last {shown.looked} "
            "check-ins."
        )
    if not because:
        because = low_answers(ctx, "session_effect")
    because.append(
        "Sessions that keep leaving you worse are worth raising, even though feeling stirred "
        "up now and then can be part of therapy: the pace can usually be changed."
    )
    return because


def _hopelessness(ctx: Context) -> list[str]:
    return [
        *low_answers(ctx, "hope"),
        "Feeling this low deserves support even without thoughts of hurting yourself: "
        f"{ctx.crisis.first_line()} is there whenever you need to talk.",
    ]


def _on_track(ctx: Context) -> list[str]:
    because = ["None of the signs we look for showed up in this check-in."]
    helping = helping_domains(ctx)
    if helping:
        because.append(
            f"Your {join_words([ctx.name(d) for d in helping])} look good this week: that "
            "seems to be helping."
        )
    for domain in ctx.rules.scoring.helping_domains.value:
        band = ctx.band(domain)
        if domain == "progress" and ctx.early:
            if band == "concern":  # little progress in the first weeks is expected
                because.append(
                    "Little progress is common in the first weeks of therapy; it is still "
                    "worth telling your therapist how you see it."
                )
            continue
        if band == "watch":
            because.append(
                f"Your {ctx.name(domain)} score is in the range worth keeping an eye on; "
                "mention it to your therapist if it stays there."
            )
        elif band == "concern":
            because.append(
                f"Your {ctx.name(domain)} score is high this week; it is worth telling your "
                "therapist about it."
                if ctx.current.scores[domain].higher_is == "worse"
                else f"Your {ctx.name(domain)} score is low this week; it is worth telling "
                "your therapist about it."
            )
    return because


def helping_domains(ctx: Context, top: int = 2) -> list[str]:
    """The best-scoring domains in their good band (what seems to be helping)."""
    good = [
        (wellness(ctx.current.scores[d]), -i, d)
        for i, d in enumerate(ctx.rules.scoring.helping_domains.value)
        if ctx.band(d) == "good"
    ]
    return [d for _, _, d in sorted(good, reverse=True)[:top]]


def _sign(ctx: Context, sign_id: SignId, level: Level, because: list[str]) -> Sign:
    title = ctx.rules.wording.signs[sign_id].title
    return Sign(id=sign_id, level=level, title=title, because=because)


def find_signs(ctx: Context) -> list[Sign]:
    """All signs for the current check-in, urgent first, then by level and contract order."""
    signs: list[Sign] = []
    level: Level
    if ctx.risk_answers:
        signs.append(_sign(ctx, "self_harm_risk", "urgent", _self_harm(ctx)))
    for domain in ALLIANCE_DOMAINS:
        if domain in ctx.alliance_signs_due:
            first = not any(s.id in _ALLIANCE_SIGN.values() for s in signs)
            alliance_level, because = _alliance(ctx, domain, first)
            signs.append(_sign(ctx, _ALLIANCE_SIGN[domain], alliance_level, because))
    if ctx.session_harm or ctx.session_hard:
        level = "concern" if ctx.session_harm else "watch"
        signs.append(_sign(ctx, "session_harm", level, _session_harm(ctx)))
    if ctx.falls:
        reliable = any(f.reliable for f in ctx.falls)
        level = "concern" if reliable and not ctx.early else "watch"
        signs.append(_sign(ctx, "worsening", level, change_words.worsening(ctx)))
    if ctx.lags:
        signs.append(_sign(ctx, "off_track", "watch", change_words.off_track(ctx, ctx.lags)))
    if ctx.stagnant and ctx.week >= 6:
        late = ctx.week >= ctx.rules.timing.no_progress_concern_from_week.value
        signs.append(
            _sign(ctx, "no_progress", "concern" if late else "watch", change_words.no_progress(ctx))
        )
    if ctx.band("coping") == "concern":
        signs.append(_sign(ctx, "dependency", "concern", low_answers(ctx, "coping")))
    if ctx.band("hope") == "concern":
        signs.append(_sign(ctx, "hopelessness", "concern", _hopelessness(ctx)))
    if ctx.profile.on_medication and ctx.band("side_effects") == "concern":
        signs.append(_sign(ctx, "side_effects", "concern", low_answers(ctx, "side_effects")))
    if not signs:
        signs.append(_sign(ctx, "on_track", "info", _on_track(ctx)))
    if ctx.improvements:
        signs.append(_sign(ctx, "improved", "info", change_words.improved(ctx)))
    signs.sort(key=lambda s: (_LEVEL_RANK[s.level], SIGN_IDS.index(s.id)))
    return _add_follow_up_notes(ctx, _add_life_note(ctx, signs))


def life_sentence(ctx: Context) -> str | None:
    if ctx.life_source == "outside":
        return (
            "You said this hard week was mostly about life outside therapy, so it may say "
            "more about what is going on around you than about the therapy itself."
        )
    if ctx.life_source == "therapy":
        return (
            "You said this hard week was mostly about therapy itself; that is worth telling "
            "your therapist."
        )
    return None


def _add_life_note(ctx: Context, signs: list[Sign]) -> list[Sign]:
    """Name what made the week hard once, on the sign it explains best."""
    where = _THERAPY_NOTE_SIGNS if ctx.life_source == "therapy" else _LIFE_NOTE_SIGNS
    return _note_on(signs, life_sentence(ctx), where)


def _add_follow_up_notes(ctx: Context, signs: list[Sign]) -> list[Sign]:
    """What the follow-up answers say about why things are off course (the support tool)."""
    notes = []
    if ctx.low("support"):
        notes.append(
            "You said there is hardly anyone outside therapy you can lean on right now; that "
            "is one of the most common reasons therapy stalls, and one that can be worked on."
        )
    if ctx.low("motivation"):
        notes.append(
            "You said you have little energy for therapy at the moment; smaller steps for a "
            "while can fit better than more effort."
        )
    for note in notes:
        signs = _note_on(signs, note, _FOLLOW_UP_NOTE_SIGNS)
    return signs


def _note_on(signs: list[Sign], note: str | None, where: tuple[str, ...]) -> list[Sign]:
    """Add `note` to the first of the signs it may explain, in the order of `where`."""
    if note is None:
        return signs
    present = {s.id for s in signs}
    target = next((sign_id for sign_id in where if sign_id in present), None)
    return [
        s.model_copy(update={"because": [*s.because, note]}) if s.id == target else s for s in signs
    ]
