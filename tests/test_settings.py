from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import ROOT, Settings


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"`{name}`" not in readme]
    assert missing == []


def test_production_refuses_the_default_secret():
    with pytest.raises(ValidationError):
        Settings(ENVIRONMENT="production")
    with pytest.raises(ValidationError):
        Settings(ENVIRONMENT="production", SECRET_KEY="short")
    assert Settings(ENVIRONMENT="production", SECRET_KEY="x" * 40).ENVIRONMENT == "production"


def test_default_database_is_a_sqlite_file_under_data():
    url = Settings().DATABASE_URL
    assert url.startswith("sqlite:///") and "/data/" in url
