"""Next steps that follow from the signs, ordered most important first."""

from __future__ import annotations

from app.engine.context import Context
from app.engine.signs import helping_domains, join_words
from app.engine.types import Sign, Suggestion, SuggestionId


def _wanted(ctx: Context, signs: list[Sign]) -> set[SuggestionId]:
    """Follow-ups from the rules table plus the conditional escalations."""
    present: set[str] = {s.id for s in signs}
    wanted: set[SuggestionId] = set()
    for sign in signs:
        wanted.update(ctx.rules.follow_ups.value.get(sign.id, []))
    timing = ctx.rules.timing
    patterns = ctx.rules.patterns
    early_good = "worsening" in present and ctx.early and ctx.alliance_ok
    if early_good:
        wanted.update(("raise_concerns", "adjust_expectations"))
    if ctx.alliance_run.at_least(
        patterns.alliance_run_checkins.value, patterns.alliance_run_min_days.value
    ):
        wanted.add("change_therapist")
    if "no_progress" in present:
        if ctx.week >= timing.try_other_approach_from_week.value:
            wanted.add("try_other_approach")
        if ctx.week >= timing.change_therapist_from_week.value and ctx.stagnation_run.at_least(
            patterns.stagnation_run_checkins.value, patterns.stagnation_run_min_days.value
        ):
            wanted.add("change_therapist")
    if (
        "worsening" in present
        and not early_good
        and ctx.band("distress") == "concern"
        and ctx.life_source != "outside"
    ):
        wanted.add("pause")
    if ctx.life_source == "outside" and "on_track" not in present:
        wanted.add("build_support")
    return _guard(ctx, present, wanted, early_good)


def _guard(
    ctx: Context, present: set[str], wanted: set[SuggestionId], early_good: bool
) -> set[SuggestionId]:
    """The invariants, enforced here whatever the data files say."""
    if ctx.risk_answers:
        wanted.add("urgent_help")
        wanted.discard("pause")
    if early_good:
        wanted.difference_update(("change_therapist", "pause"))
    if not ctx.enough_evidence:
        wanted.discard("change_therapist")
    if not ctx.profile.on_medication or "side_effects" not in present:
        wanted.discard("medication_review")
    if "on_track" in present:
        return {"keep_going"}
    wanted.discard("keep_going")
    return wanted


def _order(ctx: Context, wanted: set[SuggestionId]) -> list[SuggestionId]:
    order = [s for s in ctx.rules.priority.value if s in wanted]
    if ctx.life_source == "outside" and "build_support" in order:
        order.remove("build_support")
        order.insert(1 if order and order[0] == "urgent_help" else 0, "build_support")
    if "urgent_help" in order:
        order.remove("urgent_help")
        order.insert(0, "urgent_help")
    return order


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
    for sid in _order(ctx, _wanted(ctx, signs)):
        text = ctx.rules.wording.suggestions[sid]
        extra, why_extra = _extra_steps(ctx, sid, present)
        steps = [*text.steps, *extra] if sid == "pause" else [*extra, *text.steps]
        result.append(Suggestion(id=sid, title=text.title, why=text.why + why_extra, steps=steps))
    return result
