"""Plain-words reasons for the signs about change over time: words first, then numbers."""

from __future__ import annotations

from app.engine.context import Context, Fall, Lag
from app.engine.trends import Course


def low_answers(ctx: Context, domain: str) -> list[str]:
    """Sentences for the answers in the lower half of a domain's scale, worst first."""
    pairs = ctx.answered(domain)
    low = [(it, v) for it, v in pairs if it.wellness(v) < 50] or pairs[:1]
    return [item.describe(value) for item, value in low]


def how_much(points: float) -> str:
    """A change in wellness points in plain words: 25 points is one step on every answer."""
    size = abs(points)
    if size < 10:
        return "about the same as"
    amount = "a little" if size <= 30 else "clearly" if size <= 60 else "much"
    return f"{amount} {'better' if points > 0 else 'worse'} than"


def numbers(course: Course, before: float, after: float) -> str:
    """The scores behind a sentence, with what they mean, after the words."""
    return (
        f"({course.shown(before)} then, {course.shown(after)} now, on a 0-100 scale where "
        f"{'higher' if course.higher_is == 'better' else 'lower'} is better)"
    )


def fall_sentence(ctx: Context, fall: Fall) -> str:
    course = fall.course
    name = ctx.name(course.domain)
    when = "when you started" if fall.reference == "start" else "in your best recent weeks"
    change = how_much(fall.after - fall.before)
    if fall.reliable:
        rc = ctx.rules.rc_points
        return (
            f"Your {name} is {change} {when} {numbers(course, fall.before, fall.after)}. "
            f"A change of more than {rc} points is more than everyday ups and downs."
        )
    return (
        f"Over your last two check-ins your {name} has been {change} {when} "
        f"{numbers(course, fall.before, fall.after)}: not yet a clear change, but worth watching."
    )


def worsening(ctx: Context) -> list[str]:
    because = [fall_sentence(ctx, fall) for fall in ctx.falls]
    if any(f.reference == "best" for f in ctx.falls):
        because.append(
            "Falling back after a better stretch is common and not a verdict, but it is worth "
            "talking about before it settles in."
        )
    if early_reassurance(ctx):
        because.append(
            "You are in the first weeks of therapy, when feeling worse for a while is common "
            "and often passes."
        )
    return because


def early_reassurance(ctx: Context) -> bool:
    """Invariants 1, 3 and 9: only with a known start, a good connection, some hope, and
    never beside a risk answer."""
    return (
        ctx.early and ctx.alliance_good and ctx.band("hope") != "concern" and not ctx.risk_answers
    )


def counted_from_first(ctx: Context) -> str:
    return "" if ctx.start_known else ", counting from your first check-in"


def off_track(ctx: Context, lags: list[Lag]) -> list[str]:
    names = [ctx.name(lag.course.domain) for lag in lags]
    weeks = lags[0].weeks
    when = (
        f"by week {ctx.week} of therapy{counted_from_first(ctx)}"
        if weeks == ctx.week
        else f"{weeks} weeks after they start checking in"
    )
    because = [
        f"Most people who start where you started feel somewhat better {when}; your "
        f"{' and your '.join(names)} {'has' if len(names) == 1 else 'have'} changed less than that."
    ]
    explained = {fall.course.domain for fall in ctx.falls}  # the worsening sign says it
    for lag in lags:
        course = lag.course
        if course.domain not in explained:
            because.append(
                f"Your {ctx.name(course.domain)} is {how_much(course.now - course.start)} when "
                f"you started {numbers(course, course.start, course.now)}."
            )
    because.append(
        "It is early enough to change course: talking about it now gives you and your "
        "therapist time to adjust."
        if ctx.week <= ctx.rules.timing.no_progress_concern_from_week.value
        else "It is a warning, not a verdict: talking about it now helps you and your "
        "therapist change course."
    )
    return because


def no_progress(ctx: Context) -> list[str]:
    because = [f"You are in week {ctx.week} of therapy{counted_from_first(ctx)}."]
    found = list(ctx.courses.values())
    for course in found:
        because.append(
            f"Your {ctx.name(course.domain)} is {how_much(course.now - course.start)} when "
            f"you started {numbers(course, course.start, course.now)}."
        )
    if found:
        because.append(
            f"A change of more than {ctx.rules.rc_points} points would count as real "
            "improvement; about half of people in therapy get there by week 8."
        )
    else:
        because.append(
            "You have no earlier check-ins here to compare with yet, so this week's answers "
            "are all we can go on."
        )
        because.extend(low_answers(ctx, "progress"))
    if found and ctx.week >= ctx.rules.timing.try_other_approach_from_week.value:
        because.append("Progress has been flat for a long time now.")
    return because


def improved(ctx: Context) -> list[str]:
    because = []
    for course in ctx.improvements:
        because.append(
            f"Your {ctx.name(course.domain)} is {how_much(course.now - course.start)} when "
            f"you started {numbers(course, course.start, course.now)}: more than the "
            f"{ctx.rules.rc_points} points we count as a real change."
        )
        if ctx.band(course.domain) == "good":
            because.append(
                f"Your {ctx.name(course.domain)} is now in the range we count as good: that "
                "looks like recovery in this area."
            )
    return because
