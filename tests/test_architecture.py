"""The engine stays pure, and every data file in questionnaires/ loads and validates."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "app" / "engine"
DATA = ROOT / "questionnaires"

FORBIDDEN = {"fastapi", "starlette", "sqlmodel", "sqlalchemy", "psycopg", "alembic", "uvicorn"}
ALLOWED_THIRD_PARTY = {"pydantic", "yaml"}
ENGINE_MODULES = sorted(ENGINE.rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_engine_has_modules() -> None:
    assert len(ENGINE_MODULES) >= 5


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda p: p.name)
def test_engine_imports_only_stdlib_pydantic_yaml_and_itself(path: Path) -> None:
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN, f"{path.name} imports {name}"
        if top == "app":
            assert name == "app.engine" or name.startswith("app.engine."), (
                f"{path.name} imports {name} from outside app.engine"
            )
        else:
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                f"{path.name} imports {name}: the engine is stdlib + pydantic + yaml only"
            )


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda p: p.name)
def test_engine_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 300


def _kind(path: Path) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    for key, kind in (
        ("items", "questionnaire"),
        ("follow_ups", "rules"),
        ("entries", "crisis"),
        ("suggestions", "texts"),
        ("talking_points", "talking"),
    ):
        if key in data:
            return kind
    raise AssertionError(f"{path.name}: unknown kind of data file")


DATA_FILES = sorted(DATA.glob("*.y*ml"))


def test_the_expected_data_files_exist() -> None:
    names = {p.name for p in DATA_FILES}
    assert {"weekly.yaml", "rules.yaml", "suggestions.yaml", "crisis_resources.yaml"} <= names


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_data_file_loads(path: Path) -> None:
    from app.engine import load_crisis, load_questionnaire, load_rules

    kind = _kind(path)
    if kind == "questionnaire":
        assert load_questionnaire(path).items
    elif kind == "rules":
        assert load_rules(path).wording.suggestions
    elif kind == "crisis":
        assert load_crisis(path).for_country("OTHER")
    elif kind == "talking":
        from app.engine.talking import load_talking_points

        assert load_talking_points(path).talking_points
    else:  # wording files are loaded through the rules file that names them
        rules = [p for p in DATA_FILES if _kind(p) == "rules"]
        assert any(load_rules(p).texts == path.name for p in rules), (
            f"{path.name} is not named by any rules file"
        )


# --- the routes: two packages, one router each; no route module leans on another ----------

ROUTES = ROOT / "app" / "routes"


def _defines_router(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return (
        any(
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "router" for t in node.targets)
            for node in tree.body
        )
        and path.name != "__init__.py"
    )


ROUTE_MODULES = sorted(p for p in ROUTES.rglob("*.py") if _defines_router(p))


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_routes_live_in_two_packages() -> None:
    assert {p.parent.name for p in ROUTE_MODULES} == {"api", "pages"}
    assert sorted(p.name for p in ROUTES.glob("*.py")) == ["__init__.py"]


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_route_module_imports_no_other_route_module(path: Path) -> None:
    """Shared page code lives in helper modules (common, settings_view, checkin_view,
    charts), never in another module's routes."""
    routes = {_dotted(p) for p in ROUTE_MODULES}
    for name in imported_modules(path):
        assert name not in routes or name == _dotted(path), f"{path.name} imports {name}"


def test_no_template_global_reaches_the_database() -> None:
    """Templates render what their handler gathered: no global opens or uses a session."""
    import inspect

    import app.main  # noqa: F401  (every route module registers its globals on import)
    from app.templating import templates

    for name, value in templates.env.globals.items():
        try:
            source = inspect.getsource(value)
        except (TypeError, OSError):
            continue  # a constant, or Jinja's own
        assert "state.db" not in source and "Session(" not in source, f"global {name}"
        assert not {"db", "session"} & set(inspect.signature(value).parameters), name
