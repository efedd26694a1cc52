"""Reading validated YAML data files (questionnaires, rules, crisis resources)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A data file is missing, is not YAML, or does not match its schema."""


def read_yaml(path: str | Path, model: type[M]) -> M:
    """Load one YAML file into `model`; every problem is reported with the file's name."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path}: cannot read: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(f"{path}: does not match the {model.__name__} schema:\n{exc}") from exc
