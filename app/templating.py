"""The Jinja2 environment shared by every page."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.deps import csrf_token
from app.security import CSRF_FIELD

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD
