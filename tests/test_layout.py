"""The folders show the architecture: ``mlp_core/`` is the engine, ``mlp_core/course/`` what the
lessons use, ``mlp_core/tools/`` the notebook tooling. No module imports "upward": the engine
imports nothing from course or tools, and no check module imports a widget."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mlp_core"
ENGINE = sorted(p for p in PACKAGE.glob("*.py"))
CHECKS = sorted((PACKAGE / "course" / "checks").glob("*.py"))
LESSON_CHECKS = ["neuron", "shapes", "forward", "cost", "four_equations", "gradient_checking",
                 "training_loop", "digits", "pitfalls", "playground"]


def imported_modules(path):
    """Every module a file imports (absolute names; relative imports resolved to mlp_core)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_engine_is_the_top_level_only():
    assert {p.stem for p in ENGINE} == {"__init__", "activations", "datasets", "fused",
                                        "gradcheck", "losses", "network", "train", "validate"}
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} \
        == {"course", "tools"}


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_the_engine_imports_nothing_from_course_or_tools(path):
    upward = {m for m in imported_modules(path)
              if m.startswith(("mlp_core.course", "mlp_core.tools"))}
    assert not upward, f"{path.name} imports {sorted(upward)}"


@pytest.mark.parametrize("path", CHECKS, ids=lambda p: p.name)
def test_no_check_module_imports_a_widget(path):
    widgets = {m for m in imported_modules(path) if m.startswith("mlp_core.course.widgets")}
    assert not widgets, f"{path.name} imports {sorted(widgets)}"


def test_one_check_module_per_lesson_with_an_exercise():
    assert sorted(p.stem for p in CHECKS if p.stem != "__init__") == sorted(LESSON_CHECKS)


def test_an_upward_import_would_be_caught(tmp_path):
    """The import reader sees ``from mlp_core.course.widgets import x`` and plain imports."""
    bad = tmp_path / "bad.py"
    bad.write_text("import mlp_core.tools.site\nfrom mlp_core.course.widgets.neuron import N\n")
    assert {"mlp_core.tools.site", "mlp_core.course.widgets.neuron"} <= imported_modules(bad)
