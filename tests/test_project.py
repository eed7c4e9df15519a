"""The project's own files: dependency lists in step, every package in the wheel, the Makefile's
ways in, lessons stored as nbval expects, every public function documented."""

import importlib
import inspect
import json
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from setuptools import find_packages

import mlp_core
from mlp_core.tools.student import find_lessons

ROOT = Path(__file__).resolve().parents[1]
LESSONS = find_lessons(ROOT / "notebooks")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement(spec):
    """'ipywidgets>=8,<9' -> ('ipywidgets', '<9,>=8'): a name and its sorted constraints."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    name, rest = m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")
    return name, ",".join(sorted(filter(None, rest.split(","))))


def test_environment_yml_matches_pyproject():
    """environment.yml (conda, Binder) lists the dependencies from conda-forge, then installs
    the course with `pip install -e .`, which then finds every requirement already there. (The
    teacher's tools, the `teach` extra, come from PyPI: `pip install -e ".[teach]"`.)"""
    project = PYPROJECT["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip == [{"pip": ["-e ."]}]
    python = [d for d in conda if d.startswith("python")]
    # repo2docker reads only an exact X.Y, so conda pins the oldest Python pyproject allows
    assert python == ["python=3.11"] and project["requires-python"] == ">=3.11"
    conda = [requirement(d) for d in conda if not d.startswith(("python", "pip"))]
    assert len(conda) == len(set(conda))
    assert dict(conda) == dict(map(requirement, project["dependencies"]))


def test_distribution_name_version_and_extras():
    """Installed as backprop-from-scratch (import name mlp_core); `dev` = teach + test tools."""
    project = PYPROJECT["project"]
    assert project["name"] == "backprop-from-scratch"
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"])
    extras = project["optional-dependencies"]
    teach = dict(map(requirement, extras["teach"]))
    assert teach == {"voila": ">=0.5", "nbgrader": ">=0.9.6", "jupyter-server-mathjax": ">=0.2.6"}
    assert extras["dev"][0] == "backprop-from-scratch[teach]"
    dev = dict(map(requirement, extras["dev"][1:]))
    assert not set(dev) & set(teach), "the teacher's tools come with the teach extra"
    assert {"pytest", "nbval", "ruff", "playwright", "nbclient"} <= set(dev)


def test_the_wheel_holds_every_package_of_mlp_core():
    """setuptools' package discovery, as pyproject.toml configures it, finds every folder of
    mlp_core that has an __init__.py (mlp_core.course.widgets included) and nothing else; the
    package has no data files a wheel would need."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert isinstance(setuptools["packages"], dict), "a fixed list leaves subpackages out"
    found = set(find_packages(ROOT, **setuptools["packages"]["find"]))
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "mlp_core").rglob("__init__.py")}
    assert found == on_disk and "mlp_core.course.widgets" in found
    data = [p for p in (ROOT / "mlp_core").rglob("*") if p.is_file()
            and p.suffix not in (".py", ".pyc")]
    assert not data, f"add these to [tool.setuptools.package-data]: {data}"


def test_ci_runs_what_the_readme_says():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab:", "lab-instructor:", "test:", "notebooks:", "student:", "handout:"):
        assert f"\n{target}" in makefile
    assert "/lab/tree/$(STUDENT)/00_welcome.ipynb" in makefile      # make lab: no solutions
    assert "/lab/tree/notebooks/00_welcome.ipynb" in makefile       # make lab-instructor
    assert "--allow-root" in makefile and "$(LAB_ARGS)" in makefile
    assert "-e '.[dev]'" in makefile


def test_makefile_and_student_tool_share_the_lesson_rule():
    from mlp_core.tools.student import LESSON_RE
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(r"^LESSON_RE\s*:=\s*(.*)$", makefile, flags=re.M).group(1)
    assert rule.replace("$$", "$") == LESSON_RE.pattern


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
            if out["output_type"] == "error":   # only where the lesson fails on purpose
                assert ("raises-exception" in cell["metadata"].get("tags", [])
                        or "NBVAL_RAISES_EXCEPTION" in "".join(cell["source"])), cell["source"]
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


def test_the_readme_example_prints_what_its_comments_say(capsys):
    """The README's first Python block runs as written, and the shapes, range and accuracy its
    comments state are what it gives: 0.975, 351 of the 360 test digits."""
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, flags=re.S).group(1)
    assert "# X (1797, 64) in [0, 1], y (1797,)" in code
    stated = re.search(r"print\(net\.accuracy\(X_te, y_te\)\)\s+# ([0-9.]+): (\d+) of the (\d+)",
                       code)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out.strip()
    X, y, X_te = namespace["X"], namespace["y"], namespace["X_te"]
    assert X.shape == (1797, 64) and y.shape == (1797,) and X.min() == 0 and X.max() == 1
    assert printed == stated.group(1)
    assert len(X_te) == int(stated.group(3))
    assert round(float(printed) * len(X_te)) == int(stated.group(2))
