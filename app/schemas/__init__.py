"""Request and response bodies of the JSON API (the contract of PRODUCT.md), one module per
area; every name is importable from here."""

from __future__ import annotations

from app.schemas.account import (
    DISPLAY_NAME_HELP,
    PHONE,
    Contact,
    DisplayName,
    ImportSafetyPlan,
    PlanLine,
    ProfileIn,
    ProfileOut,
    SafetyPlanIn,
    SafetyPlanOut,
)
from app.schemas.activity import ActivityItem, ActivityOut
from app.schemas.auth import (
    ChangePassphraseIn,
    Credentials,
    NewAccount,
    PassphraseIn,
    RecoverIn,
    SessionOut,
    SignupOut,
)
from app.schemas.checkins import (
    CheckInIn,
    CheckInPage,
    CheckInResult,
    FollowUpIn,
    QuestionnaireOut,
    SummaryOut,
)
from app.schemas.common import (
    ERRORS,
    ErrorOut,
    Message,
    UserOut,
    _Grows,
    _In,
    iso_z,
)
from app.schemas.imports import (
    ImportCheckIn,
    ImportConflict,
    ImportDoc,
    ImportField,
    ImportOut,
    ImportProfile,
    ImportSelection,
    ProfileChange,
)
from app.schemas.passkeys import CredentialJSON, PasskeyOut, RegistrationIn, SignInIn
from app.schemas.push import EndpointIn, PushKeys, PushSubscriptionIn, ReminderIn, ReminderOut

__all__ = [
    "DISPLAY_NAME_HELP",
    "ERRORS",
    "PHONE",
    "ActivityItem",
    "ActivityOut",
    "ChangePassphraseIn",
    "CheckInIn",
    "CheckInPage",
    "CheckInResult",
    "Contact",
    "CredentialJSON",
    "Credentials",
    "DisplayName",
    "EndpointIn",
    "ErrorOut",
    "FollowUpIn",
    "ImportCheckIn",
    "ImportConflict",
    "ImportDoc",
    "ImportField",
    "ImportOut",
    "ImportProfile",
    "ImportSafetyPlan",
    "ImportSelection",
    "Message",
    "NewAccount",
    "PasskeyOut",
    "PassphraseIn",
    "PlanLine",
    "ProfileChange",
    "ProfileIn",
    "ProfileOut",
    "PushKeys",
    "PushSubscriptionIn",
    "QuestionnaireOut",
    "RecoverIn",
    "RegistrationIn",
    "ReminderIn",
    "ReminderOut",
    "SafetyPlanIn",
    "SafetyPlanOut",
    "SessionOut",
    "SignInIn",
    "SignupOut",
    "SummaryOut",
    "UserOut",
    "_Grows",
    "_In",
    "iso_z",
]
