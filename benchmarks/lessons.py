"""Each lesson's execution time: the notebook run top to bottom in a fresh kernel, as a learner's
"Restart and run all" (or ``jupyter nbconvert --execute``) does, kernel start-up included.

Lessons are found when the benchmark runs: every ``notebooks/NN_*.ipynb``. The notebooks are
executed in memory and never written back.
"""

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from mlp_core.tools.student import find_lessons


def discover_lessons(notebooks="notebooks"):
    """The lesson notebooks ``NN_topic.ipynb`` in the folder ``notebooks``, in teaching order
    (``mlp_core.tools.student.find_lessons``: a kept ``.new`` copy is not one)."""
    return find_lessons(notebooks)


def run_lesson(path, timeout=600):
    """Execute the notebook at ``path`` once in a fresh kernel, with the notebook's folder as the
    working directory. Returns the wall time in seconds; raises CellExecutionError if a cell
    fails."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def time_lessons(paths, repeats=3, log=print):
    """Run every lesson ``repeats`` times, alternating between lessons. Returns one dict per
    lesson: ``name``, ``seconds`` (one per run) and ``error`` (the first failure, or None)."""
    results = [{"name": Path(p).stem, "seconds": [], "error": None} for p in paths]
    for _ in range(repeats):
        for path, result in zip(paths, results):
            if result["error"] is not None:
                continue
            try:
                result["seconds"].append(run_lesson(path))
            except (CellExecutionError, TimeoutError, RuntimeError) as err:
                result["error"] = str(err).strip().splitlines()[-1][:200]
                log(f"  {result['name']}: failed: {result['error']}")
    return results
