"""Servers and browsers, for the browser benchmark and the browser tests alike: Debian's
Chromium as they launch it, a free port, Voila started on a folder and waited for, and stopping
a process with everything it started. ``tests/processes.py`` imports these (and adds what only
tests need: skip on a laptop, fail in CI)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 30     # s for Voila to listen


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


def wait_for_port(port, process, log, timeout=START_TIMEOUT):
    """Wait until something accepts TCP connections on 127.0.0.1:port (a plain connect: an
    HTTP request to Voila would start a kernel). Raises RuntimeError, with the server's log
    ``log`` (a path), if ``process`` exits or nothing listens within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voila exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Voila did not listen on port {port} within {timeout} s:\n"
                       f"{log.read_text()}")


def start_voila(folder, port, token, log, env=None):
    """Voila serving the notebooks of ``folder`` on 127.0.0.1:``port`` with ``token``, its
    output in the file ``log``, in a session of its own (for ``stop``), once it listens.
    ``env`` (default: this process's) is given without MPLBACKEND, so kernels draw as in
    Jupyter. Returns the process; stops it and raises RuntimeError if it does not start."""
    env = {k: v for k, v in (os.environ if env is None else env).items() if k != "MPLBACKEND"}
    command = [sys.executable, "-m", "voila", str(folder), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", f"--token={token}", "--show_tracebacks=True"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder,
                                   env=env, start_new_session=True)
    try:
        wait_for_port(port, process, log)
    except BaseException:
        stop(process)
        raise
    return process
