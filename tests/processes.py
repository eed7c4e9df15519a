"""What the tests that start servers and browsers share: Debian's Chromium as they launch it,
whether a missing tool skips or fails (it fails in CI), a free port, and stopping a process
with everything it started."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition, why):
    """Skip when a browser tool is missing, except in CI, where that is a failure."""
    if not condition:
        (pytest.fail if IN_CI else pytest.skip)(why + (" (CI=true: required)" if IN_CI else ""))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_start(pid):
    """(parent id, start time) of a process from /proc, or None once it is gone. The start
    time tells a process from a later one that reuses its id."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[19])


def descendants(pid):
    """{id: start time} of every living descendant of process ``pid``."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        info = process_start(stat.parent.name)
        if info:
            children.setdefault(info[0], []).append((int(stat.parent.name), info[1]))
    found, todo = {}, [pid]
    while todo:
        for child, start in children.get(todo.pop(), []):
            found[child] = start
            todo.append(child)
    return found


def stop(process):
    """Stop a process started with start_new_session=True, its group and all its descendants
    (Jupyter kernels run in sessions of their own): SIGTERM first, SIGKILL what is left."""
    family = descendants(process.pid)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    deadline = time.monotonic() + 5
    for pid, start in family.items():
        while (info := process_start(pid)) and info[1] == start:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.1)


