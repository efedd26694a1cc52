"""Every query of the app, one module per resource; each name is also here, so
`from app import repositories as repo` and `repo.user_by_id(...)` keep working.
"""

from __future__ import annotations

from app.repositories.activity import (
    activity_of,
    add_activity,
)
from app.repositories.checkins import (
    Earlier,
    EarlierWindow,
    checkin_by_client_id,
    checkin_by_id,
    checkins_after,
    checkins_page,
    checkins_since,
    delete_checkin,
    history_before,
    history_window,
    insert_checkin,
    latest_checkins,
    previous_checkin,
    users_with_checkins,
)
from app.repositories.common import (
    add,
    flush,
)
from app.repositories.notes import (
    ENCRYPTED_TABLES,
    recent_notes,
    replace_stored_text,
    stored_texts,
)
from app.repositories.passkeys import (
    count_passkeys,
    delete_passkey,
    passkey_by_credential_id,
    passkey_of,
    passkeys_of,
    prune_challenges,
    take_challenge,
)
from app.repositories.push import (
    claim_push_week,
    delete_push_subscription,
    insert_push_subscription,
    push_subscription_by_endpoint,
    push_subscriptions_with_users,
)
from app.repositories.ratelimit import (
    REDIS_PREFIX,
    add_rate_event,
    clear_rate_events,
    prune_rate_events,
    rate_events_since,
    redis_add_event,
    redis_clear_events,
    redis_events_since,
)
from app.repositories.safety_plan import (
    safety_plan_of,
)
from app.repositories.schema import (
    migration_version,
)
from app.repositories.sessions import (
    delete_expired_sessions,
    delete_session,
    delete_session_of,
    delete_sessions_except,
    session_by_token_hash,
    sessions_of,
    touch_session,
    user_by_token_hash,
)
from app.repositories.sharing import (
    count_share_open,
    live_share_link_count,
    share_link_by_token_hash,
    share_link_of,
    share_links_of,
    talking_selection,
)
from app.repositories.users import (
    delete_user,
    unused_recovery_codes,
    use_recovery_code,
    user_by_id,
    user_by_username,
)

__all__ = [
    "ENCRYPTED_TABLES",
    "REDIS_PREFIX",
    "Earlier",
    "EarlierWindow",
    "activity_of",
    "add",
    "add_activity",
    "add_rate_event",
    "checkin_by_client_id",
    "checkin_by_id",
    "checkins_after",
    "checkins_page",
    "checkins_since",
    "claim_push_week",
    "clear_rate_events",
    "count_passkeys",
    "count_share_open",
    "delete_checkin",
    "delete_expired_sessions",
    "delete_passkey",
    "delete_push_subscription",
    "delete_session",
    "delete_session_of",
    "delete_sessions_except",
    "delete_user",
    "flush",
    "history_before",
    "history_window",
    "insert_checkin",
    "insert_push_subscription",
    "latest_checkins",
    "live_share_link_count",
    "migration_version",
    "passkey_by_credential_id",
    "passkey_of",
    "passkeys_of",
    "previous_checkin",
    "prune_challenges",
    "prune_rate_events",
    "push_subscription_by_endpoint",
    "push_subscriptions_with_users",
    "rate_events_since",
    "recent_notes",
    "redis_add_event",
    "redis_clear_events",
    "redis_events_since",
    "replace_stored_text",
    "safety_plan_of",
    "session_by_token_hash",
    "sessions_of",
    "share_link_by_token_hash",
    "share_link_of",
    "share_links_of",
    "stored_texts",
    "take_challenge",
    "talking_selection",
    "touch_session",
    "unused_recovery_codes",
    "use_recovery_code",
    "user_by_id",
    "user_by_token_hash",
    "user_by_username",
    "users_with_checkins",
]
