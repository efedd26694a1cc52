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

__all__ = [
    "DISPLAY_NAME_HELP",
    "ERRORS",
    "PHONE",
    "ChangePassphraseIn",
    "CheckInIn",
    "CheckInPage",
    "CheckInResult",
    "Contact",
    "CredentialJSON",
    "Credentials",
    "DisplayName",
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
    "QuestionnaireOut",
    "RecoverIn",
    "RegistrationIn",
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
