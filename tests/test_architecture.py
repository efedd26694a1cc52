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


# tests/ and bench/: what both need lives in tests/support, which stands on its own; bench/
# uses nothing else from tests/, and neither reaches around the import system.

SHARED = ROOT / "tests" / "support"


def _python_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*.py")
        if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
    )


def _imports_resolved(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of each import; relative ones resolved, `from m import x` as m.x."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _outside_support(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for line, name in _imports_resolved(path)
        if name.split(".")[0] == "tests"
        and name != "tests.support"
        and not name.startswith("tests.support.")
    ]


def _sys_path_edits(tree: ast.AST) -> list[int]:
    def is_sys_path(node: ast.AST) -> bool:
        if isinstance(node, ast.Subscript):
            node = node.value
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        )

    lines = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        edits = any(is_sys_path(t) for t in targets)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            edits |= is_sys_path(node.func.value) or (
                node.func.attr == "addsitedir"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "site"
            )
        if isinstance(node, ast.ImportFrom) and node.module == "sys":
            edits |= any(alias.name == "path" for alias in node.names)
        if edits:
            lines.append(getattr(node, "lineno", 0))
    return lines


def test_tests_support_imports_nothing_else_from_tests() -> None:
    files = _python_files(SHARED)
    assert SHARED / "__init__.py" in files and len(files) > 1
    problems = [problem for path in files for problem in _outside_support(path)]
    assert not problems, problems


def test_benches_import_only_tests_support_from_tests() -> None:
    files = _python_files(ROOT / "bench")
    assert len(files) > 1
    problems = [problem for path in files for problem in _outside_support(path)]
    assert not problems, problems


def test_no_module_in_app_rebinds_a_global() -> None:
    """What an app needs (settings, engine, keys) hangs on the app, so two apps in one
    process (tests, the CLI beside a server) never see each other's."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    ]
    assert not found, found


def test_tests_import_nothing_from_bench() -> None:
    """A bench is a program that prints figures; what a test shares with it lives in
    tests/support."""
    problems = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _python_files(ROOT / "tests")
        for line, name in _imports_resolved(path)
        if name.split(".")[0] == "bench"
    ]
    assert not problems, problems


def test_no_test_or_bench_edits_sys_path() -> None:
    files = _python_files(ROOT / "tests") + _python_files(ROOT / "bench")
    problems = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        for line in _sys_path_edits(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not problems, f"sys.path edited at {problems}: import packages from the root instead"


@pytest.mark.parametrize(
    "source",
    [
        "sys.path.insert(0, str(ROOT))",
        "sys.path.append('..')",
        "sys.path[:0] = ['..']",
        "sys.path += ['..']",
        "sys.path = ['..']",
        "del sys.path[0]",
        "from sys import path",
        "site.addsitedir('..')",
    ],
)
def test_the_sys_path_check_sees_each_way_of_editing_it(source: str) -> None:
    assert _sys_path_edits(ast.parse(source))
    assert not _sys_path_edits(ast.parse("print(sys.path[0], len(sys.path))"))


# --- every query lives in app/repositories; the session plumbing in app/database --------

APP = ROOT / "app"
QUERY_HOMES = (APP / "repositories", APP / "database")
# Called by name: a session opened, or a statement built, outside its home.
QUERY_NAMES = {"Session", "select", "text", "update", "delete", "insert"}
# Called on anything: running a statement.
QUERY_METHODS = {"exec", "execute", "exec_driver_sql"}
# Called on a session (`db`, `session`, `s`, `request.state.db`): its unit of work.
SESSION_METHODS = {"add", "add_all", "flush", "delete", "get", "merge", "refresh", "begin_nested"}
SESSION_NAMES = {"db", "session", "s"}
# Transaction control (commit, rollback) stays allowed: a route undoing a failed form, the
# reminders committing each claim before a push.


def _sql_imports(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it is, for names bound to sqlalchemy/sqlmodel or their contents."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in {"sqlalchemy", "sqlmodel"}:
                    names[(alias.asname or alias.name).split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
            "sqlalchemy",
            "sqlmodel",
        }:
            names |= {alias.asname or alias.name: alias.name for alias in node.names}
    return names


def _is_session(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in SESSION_NAMES
    return isinstance(node, ast.Attribute) and node.attr == "db"


def query_calls(source: str) -> list[str]:
    """`line: call` for each query made in `source` (code only: comments and docstrings
    are not calls)."""
    tree = ast.parse(source)
    from_sql = _sql_imports(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            query = func.id in {"Session", "select"} or from_sql.get(func.id) in QUERY_NAMES
        elif isinstance(func, ast.Attribute):
            query = (
                func.attr in QUERY_METHODS
                or (func.attr in SESSION_METHODS and _is_session(func.value))
                or (
                    func.attr in QUERY_NAMES
                    and isinstance(func.value, ast.Name)
                    and func.value.id in from_sql
                )
            )
        else:
            query = False
        if query:
            found.append(f"{node.lineno}: {ast.unparse(func)}(...)")
    return found


APP_MODULES = sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


def test_queries_live_in_repositories_only() -> None:
    outside = [p for p in APP_MODULES if not any(p.is_relative_to(home) for home in QUERY_HOMES)]
    assert len(outside) > 20
    problems = [
        f"{path.relative_to(ROOT)}:{call}"
        for path in outside
        for call in query_calls(path.read_text(encoding="utf-8"))
    ]
    assert not problems, f"queries outside app/repositories and app/database: {problems}"


def test_the_repositories_do_hold_the_queries() -> None:
    homes = [p for p in APP_MODULES if p.is_relative_to(APP / "repositories")]
    assert sum(len(query_calls(p.read_text(encoding="utf-8"))) for p in homes) > 40


@pytest.mark.parametrize(
    "source",
    [
        "with Session(engine) as db: pass",
        "from sqlmodel import select\nselect(User)",
        "import sqlalchemy as sa\nsa.update(User)",
        "from sqlalchemy import text\nrow = s.exec(text('SELECT 1'))",
        "db.execute(query)",
        "db.add(row)",
        "db.flush()",
        "db.delete(row)",
        "session.get(User, 1)",
        "request.state.db.add(row)",
        "with db.begin_nested(): pass",
        "from sqlalchemy import delete as remove\nremove(User)",
    ],
)
def test_the_query_check_sees_each_kind_of_query(source: str) -> None:
    assert query_calls(source), source


@pytest.mark.parametrize(
    "source",
    [
        '"""Every query goes through db.add(row) and select(User) in a repository."""',
        "# db.execute(query) in a comment",
        "repo.add(db, row)",
        "checkins.delete(db, catalog, user, checkin_id)",
        "wanted.update(ids)\nseen.add(key)\nlater.add_task(work)",
        "db.commit()\ndb.rollback()",
        "def delete(db): pass\ndelete(db)",
    ],
)
def test_the_query_check_lets_the_rest_be(source: str) -> None:
    assert not query_calls(source), source


# --- every module of the app can be read in one sitting ----------------------------------

MODULE_LINES = 300


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_every_app_module_stays_under_300_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines < MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it"


# --- the engine lives on app.state, handed on explicitly ----------------------------------

DATABASE_PACKAGE = APP / "database"
ENGINE_ACCESSORS = ("get_engine", "set_engine")
# Calls that make an engine or a session: never kept in a module-level name.
ENGINE_MAKERS = {
    "make_engine",
    "create_engine",
    "Session",
    "RequestSession",
    "sessionmaker",
    "scoped_session",
    "Database",
}
ENGINE_TYPES = {"Engine", "Session", "RequestSession", "Database", "sessionmaker"}


def _called(node: ast.AST | None) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return ""


def _mentions(annotation: ast.AST | None, names: set[str]) -> bool:
    return annotation is not None and any(
        (isinstance(n, ast.Name) and n.id in names)
        or (isinstance(n, ast.Attribute) and n.attr in names)
        for n in ast.walk(annotation)
    )


def engine_globals(source: str, *, in_database: bool) -> list[str]:
    """Module-level engines or sessions, `global` statements that could rebind one, and the
    old accessors' names: what would let code reach the database without being handed it."""
    tree = ast.parse(source)
    found = [f"name {name}" for name in ENGINE_ACCESSORS if name in source]
    for node in ast.walk(tree):
        if isinstance(node, ast.Global) and (
            in_database
            or any(w in n.lower() for n in node.names for w in ("engine", "session", "db"))
        ):
            found.append(f"line {node.lineno}: global {', '.join(node.names)}")
    for node in tree.body:
        value = getattr(node, "value", None)
        annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        if _called(value) in ENGINE_MAKERS or _mentions(annotation, ENGINE_TYPES):
            found.append(f"line {node.lineno}: module-level engine or session")
    return found


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_no_module_level_engine_or_session(path: Path) -> None:
    """The engine is `app.state.db.engine` (the command line makes its own) and is passed
    to whatever needs it, e.g. `own_transaction(engine)`: no module keeps one."""
    source = path.read_text(encoding="utf-8")
    assert not engine_globals(source, in_database=DATABASE_PACKAGE in path.parents), path


@pytest.mark.parametrize(
    "source",
    [
        "_engine: Engine | None = None",
        "_engine = None\ndef set_engine(engine):\n    global _engine\n    _engine = engine",
        "def use():\n    global _db\n    _db = make()",
        "engine = make_engine(URL)",
        "engine = sqlalchemy.create_engine(URL)",
        "SessionLocal = sessionmaker(bind=engine)",
        "session: Session | None = None",
        "from app.database import get_engine",
    ],
)
def test_the_engine_check_sees_each_kind_of_global(source: str) -> None:
    assert engine_globals(source, in_database=False), source


@pytest.mark.parametrize(
    "source",
    [
        "SessionDep = Annotated[Session, Depends(get_session)]",
        "def make(url: str) -> Engine:\n    engine = make_engine(url)\n    return engine",
        "_keyring: Keyring | None = None\ndef set_keyring(k):\n    global _keyring\n    _keyring = k",
        "log = logging.getLogger('app.database')",
    ],
)
def test_the_engine_check_lets_the_rest_be(source: str) -> None:
    assert not engine_globals(source, in_database=False), source


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_request_and_response_bodies_live_in_schemas(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    models = [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == "BaseModel" for b in node.bases)
    ]
    assert models == [], f"{path.name} defines {models}: they belong in app/schemas/"
