"""The client's safety plan (one row per account)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import SafetyPlan


def safety_plan_of(db: Session, user_id: int) -> SafetyPlan | None:
    return db.exec(select(SafetyPlan).where(SafetyPlan.user_id == user_id)).first()
