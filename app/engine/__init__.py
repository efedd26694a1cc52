"""Pure scoring and rules engine for the weekly check-in (stdlib + pydantic + yaml only)."""

from app.engine.crisis import CrisisDirectory, CrisisEntry, CrisisLine, load_crisis
from app.engine.evaluate import evaluate
from app.engine.history import (
    History,
    HistoryWindow,
    IncompleteHistory,
    history_window,
    split_history,
)
from app.engine.loading import DataFileError
from app.engine.questionnaire import Item, Note, Questionnaire, load_questionnaire
from app.engine.rules import RuleSet, load_rules
from app.engine.scoring import DATA_DIR, default_rules, score, therapy_week
from app.engine.trend_summary import (
    DomainTrend,
    ScoredCheckIn,
    TrendPoint,
    domain_trends,
    taken_since,
)
from app.engine.trends import start_value
from app.engine.types import (
    DOMAINS,
    SIGN_IDS,
    SUGGESTION_IDS,
    Band,
    CheckInRecord,
    Domain,
    DomainScore,
    Evaluation,
    HigherIs,
    Level,
    Profile,
    Sign,
    SignId,
    Suggestion,
    SuggestionId,
)

__all__ = [
    "DATA_DIR",
    "DOMAINS",
    "SIGN_IDS",
    "SUGGESTION_IDS",
    "Band",
    "CheckInRecord",
    "CrisisDirectory",
    "CrisisEntry",
    "CrisisLine",
    "DataFileError",
    "Domain",
    "DomainScore",
    "DomainTrend",
    "Evaluation",
    "HigherIs",
    "History",
    "HistoryWindow",
    "IncompleteHistory",
    "Item",
    "Level",
    "Note",
    "Profile",
    "Questionnaire",
    "RuleSet",
    "ScoredCheckIn",
    "Sign",
    "SignId",
    "Suggestion",
    "SuggestionId",
    "TrendPoint",
    "default_rules",
    "domain_trends",
    "evaluate",
    "history_window",
    "load_crisis",
    "load_questionnaire",
    "load_rules",
    "score",
    "split_history",
    "start_value",
    "taken_since",
    "therapy_week",
]
