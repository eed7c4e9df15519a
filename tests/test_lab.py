"""`make lab` puts a learner in the student lessons, without solutions: the test runs it for real
(student writer, then JupyterLab) in a copy of the course, reads the URL JupyterLab prints, and
asks the running server, through Jupyter's contents API, what it serves.

The copy holds only the Makefile and notebooks/; make reuses this repository's .venv
(``VENV=...``, and ``-o`` so it never reinstalls it), so nothing is written into the
repository's student/ folder. About 15 s; every process it starts is stopped.
"""

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from processes import free_port, stop

from mlp_core.tools.student import find_lessons, student_version

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
TOKEN = "lab-test-token"
START_TIMEOUT = 180     # seconds for the student writer and JupyterLab to start

pytestmark = pytest.mark.skipif(shutil.which("make") is None or not (VENV / "bin").is_dir(),
                                reason="needs make and the course's .venv (make setup)")


def make_env(tmp):
    """This environment without an outer make's flags and variables, with Jupyter's user
    config and runtime files in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"))
    return env


def course_copy(tmp):
    """A copy of what `make lab` needs: the Makefile and the instructor lessons."""
    copy = tmp / "course"
    copy.mkdir()
    shutil.copy(ROOT / "Makefile", copy / "Makefile")
    shutil.copytree(ROOT / "notebooks", copy / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return copy


def make_command(copy, target, port=None):
    """make -C copy TARGET with the repository's venv, which make must not rebuild."""
    cmd = ["make", "-C", str(copy), "-o", str(VENV / ".installed"), f"VENV={VENV}", target]
    if port:
        cmd.append(f"LAB_ARGS=--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
                   f"--ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}")
    return cmd


def read_lines(stream, lines):
    """Put each line of ``stream`` on the queue ``lines`` (a reader thread)."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def wait_for_url(lines, port, log):
    """The lab URL JupyterLab prints for ``port``; every line read is appended to ``log``."""
    pattern = re.compile(rf"http://127\.0\.0\.1:{port}(/\S*)")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        log.append(line)
        if m := pattern.search(line):
            return m.group(1)
    pytest.fail("JupyterLab printed no URL:\n" + "".join(log[-40:]))


def wait_for_port(port, process, timeout=60):
    """Wait until something accepts TCP connections on ``port``: Jupyter Server prints its URL
    before its event loop binds the socket."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listens on port {port} (make exited with {process.poll()})")


@pytest.fixture
def lab(tmp_path):
    """`make lab` running in a copy of the course. Yields (copy, port, URL path it printed)."""
    copy, port = course_copy(tmp_path), free_port()
    process = subprocess.Popen(make_command(copy, "lab", port), env=make_env(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines, log = queue.Queue(), []
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        url = wait_for_url(lines, port, log)
        wait_for_port(port, process)
        yield copy, port, url
    finally:
        stop(process)


def contents(port, path):
    """The Jupyter contents-API model of ``path`` (a folder or a notebook, with content)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents/{path}?content=1",
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def served_notebooks(port, folder):
    """{name: notebook model} for every notebook the server lists in ``folder``."""
    listing = contents(port, folder)["content"]
    return {item["name"]: contents(port, item["path"]) for item in listing
            if item["type"] == "notebook"}


def sources(cells):
    """The (cell_type, source) of each cell, source as one string."""
    return [(c["cell_type"], "".join(c["source"])) for c in cells]


def snapshot(folder):
    """{name: (size, mtime)} of every file in ``folder``; None when there is no such folder."""
    if not folder.is_dir():
        return None
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.fixture
def repo_student():
    """The repository's own student/ folder as it was before the test."""
    return snapshot(ROOT / "student")


def test_make_lab_opens_the_student_lesson_00_without_solutions(repo_student, lab):
    copy, port, url = lab
    assert url.startswith("/lab/tree/student/00_welcome.ipynb"), url
    assert "token=" in url

    lesson = contents(port, "student/00_welcome.ipynb")
    assert lesson["path"] == "student/00_welcome.ipynb" and lesson["type"] == "notebook"
    on_disk = nbformat.read(copy / "student" / "00_welcome.ipynb", as_version=4)
    expected, _ = student_version(nbformat.read(copy / "notebooks" / "00_welcome.ipynb", 4))
    assert sources(lesson["content"]["cells"]) == sources(on_disk.cells) == sources(expected.cells)

    student = served_notebooks(port, "student")
    instructor = served_notebooks(port, "notebooks")
    lessons = [p.name for p in find_lessons(copy / "notebooks")]
    assert sorted(student) == lessons, "exactly the lessons, no .new copy"
    solved = [n for n in lessons if "### BEGIN SOLUTION" in json.dumps(instructor[n])]
    assert solved, "the instructor lessons hold solutions"
    leaks = [n for n, model in student.items() if "### BEGIN SOLUTION" in json.dumps(model)]
    assert not leaks, f"solutions served to a learner in {leaks}"
    for name in solved:
        assert "raise NotImplementedError()" in json.dumps(student[name]), name
    assert snapshot(ROOT / "student") == repo_student, "the repository's student/ is untouched"


def test_make_lab_instructor_opens_the_lessons_with_solutions(tmp_path):
    copy = course_copy(tmp_path)
    done = subprocess.run([*make_command(copy, "lab-instructor"), "-n", "LAB_ARGS=--port 8899"],
                          env=make_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (command,) = [line for line in done.stdout.splitlines() if " lab " in line]
    assert "--allow-root" in command and command.endswith("--port 8899")
    assert "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb" in command
    assert "mlp_core.tools.student" not in done.stdout
