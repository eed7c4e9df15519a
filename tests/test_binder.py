"""Binder: repo2docker installs environment.yml, then runs ``postBuild`` in the repository, which
must leave the student versions of the lessons where the README's Binder badge opens them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from mlp_core.tools.student import find_lessons

REPO = Path(__file__).resolve().parent.parent


def test_postbuild_writes_student_lessons_for_the_badge(tmp_path):
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    subprocess.run(["bash", str(REPO / "postBuild")], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=300)
    written = find_lessons(tmp_path / "student")
    assert [p.name for p in written] == [p.name for p in find_lessons(REPO / "notebooks")]
    for path in written:
        text = "".join(c.source for c in nbformat.read(path, as_version=4).cells)
        assert "### BEGIN SOLUTION" not in text
    assert "urlpath=lab/tree/student/00_welcome.ipynb" in (REPO / "README.md").read_text()
