"""How much memory ``train`` holds beyond the data set.

tracemalloc follows numpy's allocations too, so its peak while ``train`` runs, minus what was
allocated before, is what training adds on top of the caller's X and y: the target is at most
one extra copy of X (what a float32 or uint8 data set costs once converted to float64).
"""

import tracemalloc

from benchmarks import peers
from mlp_core import MLP, train


def training_memory(sizes=(784, 100, 10), n_samples=60_000, batch_size=128, epochs=1, seed=0):
    """Train ``sizes`` on ``n_samples`` synthetic MNIST-shaped float64 samples under tracemalloc.

    Returns a dict: ``data_bytes`` (X's size), ``peak_bytes`` (the most held at once by
    training, beyond what existed before the call) and ``copies`` (their ratio).
    """
    X, y = peers.synthetic_mnist(n_samples, sizes[0], sizes[-1], seed)
    net = MLP(list(sizes), seed=seed)
    train(net, X[:batch_size], y[:batch_size], epochs=1, batch_size=batch_size, lr=0.5,
          progress=False)                    # imports and first-call caches, not traced
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        train(net, X, y, epochs=epochs, batch_size=batch_size, lr=0.5, seed=seed,
              progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    extra = peak - before
    return {"sizes": list(sizes), "n_samples": n_samples, "batch_size": batch_size,
            "data_bytes": X.nbytes, "peak_bytes": extra, "copies": extra / X.nbytes}
