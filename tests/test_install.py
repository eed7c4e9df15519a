"""The course as a hub or a learner installs it: a wheel built from this repository, installed
with a plain `pip install` into a fresh virtual environment (no editable link, dependencies from
PyPI or pip's cache), runs lessons copied to a folder outside the repository, in a kernel that
really is that environment's Python.

Slow by nature (a venv and its dependencies, three lessons in fresh kernels): about 90 s with
pip's cache warm on a 2-core machine.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# 00 opens the course, 03 checks exercises, 10 imports the most widgets.
RUN = ["00_welcome.ipynb", "03_forward.ipynb", "10_playground.ipynb"]
KERNEL = "backprop-install-test"          # a name no user-level kernelspec has
MARK = "INSTALL-TEST"
PROBE = (f"import sys, mlp_core\nprint('{MARK}', 'mlp_core', mlp_core.__file__)\n"
         f"print('{MARK}', 'python', sys.executable)")
# Not copied to build the wheel: the repository's own build/ (whose stale files setuptools could
# put in a wheel), the venvs, and what the course writes.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info",
                                    "student", "_site", "__pycache__", ".*_cache", ".hypothesis",
                                    ".ipynb_checkpoints")


def clean_env(tmp, venv):
    """The environment for the fresh venv's commands: its bin/ first, nothing pointing back at
    the repository or its .venv, and Jupyter's and IPython's user folders in ``tmp``, so a
    user-level kernelspec or config cannot take over."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH", "PYTHONHOME")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", MPLBACKEND="Agg",
               JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
               IPYTHONDIR=str(tmp / "ipython"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def run(cmd, cwd, env=None, timeout=900):
    """Run ``cmd``; fail the test with its output when it fails."""
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def build_wheel(tmp):
    """Build the course's wheel, as `pip wheel --no-deps` does, from a copy of the repository
    (so the build writes nothing into it). Returns the wheel's path."""
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp / "wheels", src],
        cwd=tmp)
    (wheel,) = (tmp / "wheels").glob("*.whl")
    return wheel


def site_packages(venv):
    """The venv's site-packages folder."""
    (folder,) = (venv / "lib").glob("python3.*/site-packages")
    return folder


@pytest.fixture(scope="module")
def install(tmp_path_factory):
    """A fresh venv with the wheel installed and a kernelspec of its own Python."""
    tmp = tmp_path_factory.mktemp("install")
    wheel = build_wheel(tmp)
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp)
    env = clean_env(tmp, venv)
    # A plain install; --no-compile only skips writing .pyc files up front (half the time here),
    # Python compiles what the lessons import as they import it.
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", wheel],
        cwd=tmp, env=env)
    run([venv / "bin" / "python", "-m", "ipykernel", "install", "--prefix", venv,
         "--name", KERNEL, "--display-name", "install test"], cwd=tmp, env=env)
    return {"tmp": tmp, "venv": venv, "wheel": wheel, "env": env}


def test_the_wheel_holds_the_widgets_and_only_the_package(install):
    names = zipfile.ZipFile(install["wheel"]).namelist()
    assert install["wheel"].name.startswith("backprop_from_scratch-")
    assert "mlp_core/course/widgets/__init__.py" in names
    assert "mlp_core/course/widgets/playground.py" in names and "mlp_core/tools/site.py" in names
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"mlp_core"}, "no tests, benchmarks or notebooks in the wheel"


def test_the_fresh_venv_imports_the_installed_package(install):
    venv = install["venv"]
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    out = run([venv / "bin" / "python", "-c",
               "import mlp_core, mlp_core.course.widgets, mlp_core.course.widgets.playground; "
               "print(mlp_core.__file__)"], cwd=install["tmp"], env=install["env"])
    where = Path(out.strip())
    assert where.is_relative_to(site_packages(venv)) and not where.is_relative_to(ROOT)
    run([venv / "bin" / "python", "-m", "pip", "check"], cwd=install["tmp"], env=install["env"])


def may_raise(cell):
    """A cell the lesson means to raise (nbval's marker, or nbclient's tag)."""
    return ("NBVAL_RAISES_EXCEPTION" in cell.source
            or "raises-exception" in cell.metadata.get("tags", []))


@pytest.fixture(scope="module")
def executed(install):
    """The lessons in RUN, copied outside the repository with a probe cell appended, executed
    by the venv's own `jupyter nbconvert` in its own kernel. Returns {name: notebook}."""
    folder = install["tmp"] / "lessons"
    folder.mkdir()
    for name in RUN:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        nbformat.write(nb, folder / name)
    run([install["venv"] / "bin" / "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--inplace", "--allow-errors", f"--ExecutePreprocessor.kernel_name={KERNEL}",
         "--ExecutePreprocessor.timeout=300", *RUN], cwd=folder, env=install["env"], timeout=900)
    return {name: nbformat.read(folder / name, as_version=4) for name in RUN}


def probe(nb):
    """{"mlp_core": path, "python": path} as the probe cell printed them."""
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return dict(line.split(" ", 2)[1:] for line in text.splitlines() if line.startswith(MARK))


@pytest.mark.parametrize("name", RUN)
def test_lesson_runs_from_the_installed_package(executed, install, name):
    nb = executed[name]
    errors = [(i, out.ename, out.evalue) for i, cell in enumerate(nb.cells)
              if cell.cell_type == "code" and not may_raise(cell)
              for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors, json.dumps(errors, ensure_ascii=False)
    seen = probe(nb)
    assert set(seen) == {"mlp_core", "python"}, nb.cells[-1].outputs
    assert Path(seen["python"]).parent == install["venv"] / "bin", "the kernel is the venv's"
    assert Path(seen["mlp_core"]).is_relative_to(site_packages(install["venv"]))
    assert not Path(seen["mlp_core"]).is_relative_to(ROOT)
