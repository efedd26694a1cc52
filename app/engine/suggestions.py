"""Next steps that follow from the signs, ordered most important first."""

from __future__ import annotations

from app.engine.change_words import early_reassurance
from app.engine.context import Context
from app.engine.signs import helping_domains, join_words
from app.engine.texts import VariantId
from app.engine.types import Sign, Suggestion, SuggestionId


def _early_good(ctx: Context, present: set[str]) -> bool:
    """Invariant 3: worsening in the first weeks while the connection is good (never read
    as early beside a risk answer: invariant 1 comes first)."""
    return "worsening" in present and ctx.early and ctx.alliance_good and not ctx.risk_answers


def _wanted(ctx: Context, signs: list[Sign]) -> set[SuggestionId]:
    """Follow-ups from the rules table plus the conditional escalations."""
    present: set[str] = {s.id for s in signs}
    wanted: set[SuggestionId] = set()
    for sign in signs:
        wanted.update(ctx.rules.follow_ups.value.get(sign.id, []))
    timing = ctx.rules.timing
    patterns = ctx.rules.patterns
    if _early_good(ctx, present):
        wanted.update(("raise_concerns", "adjust_expectations"))
    if ctx.alliance_persistent:
        wanted.add("change_therapist")
    if "no_progress" in present:
        if ctx.week >= timing.try_other_approach_from_week.value:
            wanted.add("try_other_approach")
        if ctx.week >= timing.change_therapist_from_week.value and ctx.stagnation.persistent(
            patterns.stagnation_needed.value, patterns.stagnation_min_days.value
        ):
            wanted.add("change_therapist")
    clearly_worse = any(s.id == "worsening" and s.level == "concern" for s in signs)
    if (clearly_worse or ctx.session_harm) and ctx.life_source == "therapy":
        wanted.add("pause")
    if (ctx.life_source == "outside" or ctx.low("support")) and "on_track" not in present:
        wanted.add("build_support")
    if ctx.low("motivation") and "on_track" not in present:
        wanted.update(("raise_concerns", "adjust_expectations"))
    return _guard(ctx, present, wanted)


def _guard(ctx: Context, present: set[str], wanted: set[SuggestionId]) -> set[SuggestionId]:
    """The invariants, enforced here whatever the data files say."""
    if ctx.risk_answers:
        wanted.add("urgent_help")
    # Invariant 8: a break only for a hard time the client puts down to therapy itself,
    # past the first weeks, never beside risk or hopelessness.
    if (
        ctx.risk_answers
        or "hopelessness" in present
        or ctx.life_source != "therapy"
        or ctx.week <= ctx.early_weeks
        or _early_good(ctx, present)
    ):
        wanted.discard("pause")
    if _early_good(ctx, present) or not ctx.enough_evidence:
        wanted.discard("change_therapist")
    # Invariant 9: with the start unknown, worsening is never explained as early.
    if not ctx.start_known and "worsening" in present:
        wanted.discard("adjust_expectations")
    if not ctx.profile.on_medication or "side_effects" not in present:
        wanted.discard("medication_review")
    if "on_track" in present:
        return {"keep_going"}
    wanted.discard("keep_going")
    return wanted


def _move(order: list[SuggestionId], sid: SuggestionId, index: int) -> None:
    if sid in order:
        order.remove(sid)
        order.insert(min(index, len(order)), sid)


def _order(ctx: Context, wanted: set[SuggestionId], present: set[str]) -> list[SuggestionId]:
    order = [s for s in ctx.rules.priority.value if s in wanted]
    # Invariant 12: unless the alliance itself has been poor for weeks, another therapist
    # is never the first idea.
    if not ctx.alliance_persistent and "change_therapist" in order:
        order.remove("change_therapist")
        talks = [order.index(s) for s in ("raise_concerns", "try_other_approach") if s in order]
        order.insert(max(talks, default=-1) + 1, "change_therapist")
    # The obstacles the follow-up found come right after any crisis help, but never ahead
    # of talking about sessions or a therapist that left the client worse or unheard.
    front: list[SuggestionId] = []
    if ctx.life_source == "outside" or ctx.low("support"):
        front.append("build_support")
    if ctx.low("motivation"):
        front.append("adjust_expectations")
    talk_first = {"not_heard", "weak_connection", "session_harm"} & present
    for sid in reversed(front):
        if sid not in order:
            continue
        order.remove(sid)
        talk = talk_first and "raise_concerns" in order
        order.insert(order.index("raise_concerns") + 1 if talk else 0, sid)
    _move(order, "urgent_help", 0)
    return order


def _variant(ctx: Context, sid: SuggestionId, present: set[str]) -> list[VariantId]:
    """The situation-specific wording this step takes, most specific first."""
    found: list[VariantId] = []
    if sid == "urgent_help":
        if ctx.risk_frequent:
            found.append("urgent_help_frequent")
        elif all(item.wellness(value) >= 75 for item, value in ctx.risk_answers):
            found.append("urgent_help_brief")
    elif sid == "raise_concerns":
        if "session_harm" in present:
            found.append("raise_concerns_session_harm")
        if "off_track" in present:
            found.append("raise_concerns_off_track")
    elif sid == "adjust_expectations":
        if not _early_good(ctx, present):
            found.append("adjust_expectations_motivation")
        elif not early_reassurance(ctx):
            found.append("adjust_expectations_pacing")
    elif sid == "change_therapist":
        if not ctx.alliance_persistent:
            found.append("change_therapist_stagnation")
    elif sid == "build_support" and ctx.low("support"):
        found.append("build_support_low_support")
    return found


def _extra_steps(ctx: Context, sid: SuggestionId, present: set[str]) -> tuple[list[str], str]:
    """Steps (put first; last for pause) and a `why` addition that depend on this check-in."""
    crisis = ctx.crisis
    if sid == "urgent_help":
        return crisis.sentences(), ""
    if sid == "pause":
        # Placed last by `suggest`: the plan comes first, the numbers stay with it.
        return [
            f"Keep the crisis numbers with you during the break: {crisis.first_line()}. "
            + crisis.emergency_sentence()
        ], ""
    life_step = (
        "This week was hard mostly because of life outside therapy: lean on the people and "
        "routines that steady you, and tell your therapist what is going on."
    )
    if sid == "build_support":
        steps = [life_step] if ctx.life_source == "outside" else []
        if "hopelessness" in present:
            steps.append(
                f"If hope keeps sinking, you can talk to {crisis.first_line()} at any time, "
                "even without thoughts of hurting yourself."
            )
        return steps, ""
    if sid == "keep_going":
        best = helping_domains(ctx)
        steps = [life_step] if ctx.life_source == "outside" else []
        if not best:
            return steps, " Nothing stands out yet as clearly helping, which is normal early on."
        helping = join_words([ctx.rules.wording.helping(d) or ctx.name(d) for d in best])
        steps.insert(0, f"Keep making room for what seems to be helping: {helping}.")
        return steps, f" What seems to be helping most: {join_words([ctx.name(d) for d in best])}."
    return [], ""


def suggest(ctx: Context, signs: list[Sign]) -> list[Suggestion]:
    """Deduplicated next steps, most important first, with this check-in's details."""
    present: set[str] = {s.id for s in signs}
    result = []
    for sid in _order(ctx, _wanted(ctx, signs), present):
        text = ctx.rules.wording.suggestions[sid]
        title, why, own = text.title, text.why, list(text.steps)
        variant_steps: list[str] = []
        for variant_id in _variant(ctx, sid, present):
            variant = ctx.rules.wording.variant(variant_id)
            title, why = variant.title or title, variant.why or why
            variant_steps += variant.steps
            if variant.instead:
                own = []
        extra, why_extra = _extra_steps(ctx, sid, present)
        if sid == "urgent_help" and ctx.crisis.means_safety:
            own.append(ctx.crisis.means_safety)
        steps = [*own, *extra] if sid == "pause" else [*extra, *variant_steps, *own]
        result.append(Suggestion(id=sid, title=title, why=why + why_extra, steps=steps))
    return result
