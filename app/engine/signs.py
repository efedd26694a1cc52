"""Which signs a check-in shows, each with plain-words reasons (*because*)."""

from __future__ import annotations

from app.engine.context import Context
from app.engine.scoring import wellness
from app.engine.trends import Change, Run
from app.engine.types import SIGN_IDS, Level, Sign, SignId

_LEVEL_RANK: dict[str, int] = {"urgent": 0, "concern": 1, "watch": 2, "info": 3}
# Signs that speak about how hard things are, where the week's cause is worth naming.
_LIFE_NOTE_SIGNS = ("worsening", "no_progress", "hopelessness", "dependency", "on_track")


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def low_answers(ctx: Context, domain: str) -> list[str]:
    """Sentences for the answers in the lower half of a domain's scale, worst first."""
    pairs = ctx.answered(domain)
    low = [(it, v) for it, v in pairs if it.wellness(v) < 50] or pairs[:1]
    return [item.describe(value) for item, value in low]


def run_sentence(run: Run) -> list[str]:
    if run.checkins < 2:
        return []
    return [
        f"Feeling unheard or disconnected has now shown in {run.checkins} check-ins in a row, "
        f"over {round(run.days)} days."
    ]


def change_sentence(ctx: Context, change: Change) -> str:
    verb = "rose" if change.after > change.before else "fell"
    since = "your first check-in" if change.baseline_size == 1 else "your first check-ins"
    return (
        f"Your {ctx.name(change.domain)} score {verb} from {change.before} to {change.after} "
        f"since {since}, more than the {change.rc_points} points we count as a real change."
    )


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


def _self_harm(ctx: Context) -> list[str]:
    return [item.describe(value) for item, value in ctx.risk_answers] + [
        'Any answer other than "Not at all" matters, and support is available right now.'
    ]


def _worsening(ctx: Context) -> list[str]:
    because = [change_sentence(ctx, change) for change in ctx.worsened]
    if ctx.early:
        because.append(
            "Feeling worse for a while in the first weeks of therapy is common and often passes."
        )
    return because


def _no_progress(ctx: Context) -> list[str]:
    counted = "" if ctx.profile.therapy_started_on else ", counting from your first check-in"
    because = [f"You are in week {ctx.week} of therapy{counted}."]
    found = list(ctx.changes.values())
    for change in found:
        because.append(
            f"Your {ctx.name(change.domain)} score was {change.before} in your first "
            f"check-ins and is {change.after} now."
        )
    if found:
        because.append(
            f"Neither has improved by more than the {ctx.rules.rc_points} points we count as a "
            "real change."
            if len(found) > 1
            else f"That is not more than the {ctx.rules.rc_points} points we count as a real "
            "change."
        )
    else:
        because.append("There are no earlier check-ins to compare with yet.")
        because.extend(low_answers(ctx, "progress"))
    if found and ctx.week >= ctx.rules.timing.try_other_approach_from_week.value:
        because.append("Progress has been flat for a long time now.")
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
            f"What seems to be helping: {join_words([ctx.name(d) for d in helping])} "
            "look good this week."
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
    if ctx.risk_answers:
        signs.append(_sign(ctx, "self_harm_risk", "urgent", _self_harm(ctx)))
    alliance: tuple[tuple[SignId, str], ...] = (
        ("not_heard", "heard"),
        ("weak_connection", "connection"),
    )
    for sign_id, domain in alliance:
        if ctx.band(domain) == "concern":
            because = low_answers(ctx, domain) + run_sentence(ctx.alliance_run)
            signs.append(_sign(ctx, sign_id, "concern", because))
    if ctx.worsened:
        level: Level = "watch" if ctx.early else "concern"
        signs.append(_sign(ctx, "worsening", level, _worsening(ctx)))
    if ctx.stagnant and ctx.week >= 6:
        late = ctx.week >= ctx.rules.timing.no_progress_concern_from_week.value
        signs.append(_sign(ctx, "no_progress", "concern" if late else "watch", _no_progress(ctx)))
    if ctx.band("coping") == "concern":
        signs.append(_sign(ctx, "dependency", "concern", low_answers(ctx, "coping")))
    if ctx.band("hope") == "concern":
        signs.append(_sign(ctx, "hopelessness", "concern", _hopelessness(ctx)))
    if ctx.profile.on_medication and ctx.band("side_effects") == "concern":
        signs.append(_sign(ctx, "side_effects", "concern", low_answers(ctx, "side_effects")))
    if not signs:
        signs.append(_sign(ctx, "on_track", "info", _on_track(ctx)))
    signs.sort(key=lambda s: (_LEVEL_RANK[s.level], SIGN_IDS.index(s.id)))
    return _add_life_note(ctx, signs)


def _add_life_note(ctx: Context, signs: list[Sign]) -> list[Sign]:
    """Name what made the week hard once, on the sign it explains best."""
    note = life_sentence(ctx)
    if note is None:
        return signs
    candidates = [s.id for s in signs if s.id in _LIFE_NOTE_SIGNS]
    candidates += [s.id for s in signs if s.id != "self_harm_risk"]
    target = candidates[0] if candidates else None
    return [
        s.model_copy(update={"because": [*s.because, note]}) if s.id == target else s for s in signs
    ]
