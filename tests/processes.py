"""What the tests that start servers and browsers share: whether a missing tool skips or fails
(it fails in CI), and, from ``benchmarks/processes.py`` (one place for the benchmark and the
tests), Debian's Chromium as they launch it, a free port, Voila, and stopping a process with
everything it started."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:          # benchmarks/ is a folder of the repo, not a package
    sys.path.insert(0, str(ROOT))

from benchmarks.processes import (  # noqa: E402, F401  (re-exported for the tests)
    CHROMIUM,
    CHROMIUM_ARGS,
    descendants,
    free_port,
    process_start,
    start_voila,
    stop,
    wait_for_port,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition, why):
    """Skip when a browser tool is missing, except in CI, where that is a failure."""
    if not condition:
        (pytest.fail if IN_CI else pytest.skip)(why + (" (CI=true: required)" if IN_CI else ""))
