"""What a run is measured on, and one thread for every library.

numpy's OpenBLAS and PyTorch's OpenMP workers disturb each other when the implementations are
interleaved on two cores, so the benchmark limits every thread pool to one thread, after every
library that brings one has been loaded (threadpoolctl only sees the libraries already loaded).
"""

import contextlib
import datetime
import os
import platform
import statistics
import sys
import time
from importlib import metadata

import numpy as np

#: Set on some machines because older OpenBLAS builds misbehave on their CPU; ``make bench``
#: unsets both for its own command, and the report says what they were.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def import_torch():
    """The ``torch`` module if it is installed (the optional ``bench`` extra), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def load_libraries():
    """Import every library whose thread pool the benchmark must limit: scikit-learn (and the
    scipy it loads) and, when installed, torch."""
    import scipy.linalg  # noqa: F401  (loads scipy's own OpenBLAS)
    import sklearn.neural_network  # noqa: F401

    import_torch()


@contextlib.contextmanager
def single_threaded(threads=1):
    """Within the block, every BLAS and OpenMP pool (threadpoolctl) and torch's intra-op pool
    run ``threads`` threads; the previous limits come back afterwards."""
    from threadpoolctl import threadpool_limits

    load_libraries()
    torch = import_torch()
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def gemm_rate(n=1024, repeats=5):
    """This core's rate at one large matrix product, about the most a BLAS call here reaches:
    numpy's (n, n) @ (n, n) in float64, 2n³ FLOPs, timed ``repeats`` times after a warm-up
    (call it inside ``single_threaded``). Returns {"n": n, "gflops": [one per product],
    "median": their median}."""
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    C = A @ B                                                   # warm-up, untimed
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(A, B, out=C)
        rates.append(2 * n**3 / (time.perf_counter() - start) / 1e9)
    return {"n": n, "gflops": rates, "median": statistics.median(rates)}


def blas_report():
    """One line per thread pool threadpoolctl sees: the library, its version, the kernel it
    chose for this CPU (OpenBLAS's ``architecture``), its threading layer and thread count;
    then torch's own BLAS, which threadpoolctl cannot see. Returns a list of strings."""
    from threadpoolctl import threadpool_info

    lines = []
    for info in threadpool_info():
        kernel = info.get("architecture") or "-"
        lines.append(
            f"{info['internal_api']} {info.get('version') or '?'} ({info['prefix']}): "
            f"kernel {kernel}, threading {info.get('threading_layer', '-')}, "
            f"{info['num_threads']} thread(s), {os.path.basename(info['filepath'])}"
        )
    torch = import_torch()
    if torch is not None:
        config = torch.__config__.show()
        blas = next((part.split("=")[1] for part in config.replace(",", " ").split()
                     if part.startswith("BLAS_INFO=")), "?")
        capability = next((line.split(":")[1].strip() for line in config.splitlines()
                           if "CPU capability" in line), "?")
        lines.append(f"torch {torch.__version__}: BLAS {blas}, CPU capability {capability}, "
                     f"{torch.get_num_threads()} intra-op thread(s)")
    return lines


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return round(kib / 2**20)
    except (OSError, ValueError, IndexError):
        return None


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_facts(argv=None):
    """The facts a reader needs to compare two runs: command, date, CPU, cores, memory, OS,
    library versions, the OpenBLAS variables and the load average when the run started."""
    args = sys.argv[1:] if argv is None else list(argv)
    facts = {
        "command": " ".join(["python -m benchmarks", *args]),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": _version("scikit-learn"),
        "matplotlib": _version("matplotlib"),
        "torch": _version("torch"),
        "threadpoolctl": _version("threadpoolctl"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    for var in OPENBLAS_VARS:
        facts[var] = os.environ.get(var, "unset")
    return facts
