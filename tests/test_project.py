"""The project's own files: dependency lists in step, lessons stored as nbval expects,
every public function documented."""

import importlib
import inspect
import json
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest
import yaml

import mlp_core

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def requirement(spec):
    """'ipywidgets>=8,<9' -> ('ipywidgets', '<9,>=8'): a name and its sorted constraints."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    name, rest = m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")
    return name, ",".join(sorted(filter(None, rest.split(","))))


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip == [{"pip": ["-e ."]}], "Binder installs the course package with `- pip: [-e .]`"
    python = [d for d in conda if d.startswith("python")]
    # repo2docker reads only an exact X.Y, so conda pins the oldest Python pyproject allows
    assert python == ["python=3.11"] and project["requires-python"] == ">=3.11"
    conda = dict(requirement(d) for d in conda if not d.startswith(("python", "pip")))
    pyproject = dict(requirement(d) for d in project["dependencies"])
    assert conda == pyproject


def test_ci_runs_what_the_readme_says():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab:", "test:", "notebooks:"):
        assert target in makefile
    assert "/lab/tree/notebooks/00_welcome.ipynb" in makefile


def test_there_are_lessons():
    assert LESSONS and LESSONS[0].name == "00_welcome.ipynb"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_is_stored_executed_in_order(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), "run `make notebooks` to store it afresh"
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                assert "NBVAL_RAISES_EXCEPTION" in "".join(cell["source"]), cell["source"]
    assert path.stat().st_size < 1_000_000
    text = json.dumps(nb["cells"][0]["source"]).lower()
    assert "goals" in text and "prerequisite" in text


def public_objects():
    """Every public function, class and method defined in mlp_core."""
    for info in pkgutil.walk_packages(mlp_core.__path__, "mlp_core."):
        module = importlib.import_module(info.name)
        yield info.name, module
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != info.name:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{info.name}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and (inspect.isfunction(member)
                                                    or isinstance(member, property)):
                        yield f"{info.name}.{name}.{attr}", member


def test_every_public_function_has_a_docstring():
    missing = [name for name, obj in public_objects() if not inspect.getdoc(obj)]
    assert not missing, f"add docstrings to: {missing}"
