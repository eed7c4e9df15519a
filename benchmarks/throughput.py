"""Training throughput: every implementation on every network and batch size, in one process,
repetitions alternating between implementations, summarised as medians with min–max.

For each (network, batch size) case, every implementation is built (untimed), warmed up with one
run, then timed ``repeats`` times: each round runs every implementation once, in an order that
rotates from round to round, with a short pause and a garbage collection before each run, so a
burst of load from elsewhere on the machine hits them all alike. A run is one call of the
implementation's training function for ``epochs`` epochs (as a lesson calls ``train``), so the
checks each does once per call count as they do in use.
"""

import gc
import statistics
import time
from dataclasses import dataclass, field

from benchmarks import peers
from benchmarks.machine import import_torch

#: FLOPs per weight per sample in one training step: 2 forward (z = W a), 2 for dW (BP4),
#: 2 for Wᵀ delta (BP2). A nominal count for GFLOP/s: no implementation sends a delta into the
#: inputs, so the first layer really costs 4; the ratio between implementations is unchanged.
FLOPS_PER_WEIGHT = 6

#: "wall" (perf_counter) is what a learner waits; "cpu" (process_time, the CPU time of this
#: process) leaves out the time other programs take from it, for runs on a busy machine.
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


@dataclass(frozen=True)
class Implementation:
    """One contestant: ``make(sizes, batch_size, X, y, lr, seed, epochs)`` returns ``run()``.

    ``share`` is the fraction of the samples it trains on per run (the slow ones take fewer, so
    every run lasts a comparable time); ``batches``, if set, the only batch sizes it runs at;
    ``needs``, a module that must be importable (else it is left out and the report says so).
    """

    key: str
    label: str
    make: object
    share: float = 1.0
    batches: tuple = ()
    needs: str = ""

    def available(self):
        """Whether what it needs is installed."""
        return self.needs != "torch" or import_torch() is not None


IMPLEMENTATIONS = (
    Implementation("mlp_core", "mlp_core.train", peers.make_mlp_core),
    Implementation("mlp_core_plain", "mlp_core.train(fused=False)", peers.make_mlp_core_plain),
    Implementation("post", "the post, per sample", peers.make_post, share=1 / 8),
    Implementation("post_scipy", "the post as published (scipy σ)", peers.make_post_scipy,
                   share=1 / 64, batches=(10,)),
    Implementation("sklearn", "scikit-learn MLPClassifier", peers.make_sklearn),
    Implementation("torch64", "PyTorch CPU float64", peers.make_torch, needs="torch"),
    Implementation("torch32", "PyTorch CPU float32", peers.make_torch32, needs="torch"),
    Implementation("ceiling", "numpy matmul ceiling", peers.make_matmul_ceiling),
    Implementation("ceiling_gather", "ceiling + batch gather", peers.make_matmul_gather_ceiling,
                   batches=(32, 128)),
    Implementation("ceiling_sigmoid", "ceiling + gather + σ", peers.make_matmul_sigmoid_ceiling,
                   batches=(32, 128)),
)


@dataclass
class Measurement:
    """The samples/s of one implementation on one case, one entry per timed run."""

    sizes: tuple
    batch_size: int
    key: str
    samples_per_s: list = field(default_factory=list)

    @property
    def median(self):
        """Median samples/s."""
        return statistics.median(self.samples_per_s)

    def gflops(self, value=None):
        """GFLOP/s at ``FLOPS_PER_WEIGHT`` per weight per sample (of the median by default)."""
        rate = self.median if value is None else value
        return FLOPS_PER_WEIGHT * peers.n_weights(self.sizes) * rate / 1e9

    def as_dict(self):
        """Plain numbers for results.json."""
        return {"sizes": list(self.sizes), "batch_size": self.batch_size, "key": self.key,
                "samples_per_s": self.samples_per_s, "median": self.median,
                "min": min(self.samples_per_s), "max": max(self.samples_per_s),
                "gflops": self.gflops()}


def time_once(run, pause, clock="wall"):
    """Pause, collect garbage, then time one ``run()`` on ``clock`` (a key of CLOCKS).
    Returns samples per second."""
    time.sleep(pause)
    gc.collect()
    now = CLOCKS[clock]
    start = now()
    samples = run()
    return samples / (now() - start)


def run_case(sizes, batch_size, X, y, implementations, repeats, pause=0.1, epochs=1, clock="wall",
             lr=0.5, seed=0):
    """Race ``implementations`` on one network and batch size. X (N, n_0), y (N,) labels; each
    implementation trains ``epochs`` epochs per run on its ``share`` of the N samples. Returns a
    list of Measurement."""
    runs = {}
    for impl in implementations:
        n = max(batch_size, int(len(X) * impl.share))
        runs[impl.key] = impl.make(list(sizes), batch_size, X[:n], y[:n], lr, seed, epochs)
        runs[impl.key]()                                              # warm-up, untimed
    results = {key: Measurement(tuple(sizes), batch_size, key) for key in runs}
    keys = list(runs)
    for round_ in range(repeats):
        shift = round_ % len(keys)
        for key in keys[shift:] + keys[:shift]:
            results[key].samples_per_s.append(time_once(runs[key], pause, clock))
    return list(results.values())


def run_throughput(networks, batches, n_samples, repeats, pause=0.1, keys=None, epochs=1,
                   clock="wall", log=print):
    """Every case of ``networks`` × ``batches`` on synthetic MNIST-shaped data of ``n_samples``
    rows, ``epochs`` epochs per run. ``keys`` picks implementations (default: all installed).
    Returns (measurements, skipped), skipped naming what was left out and why."""
    chosen = [impl for impl in IMPLEMENTATIONS if keys is None or impl.key in keys]
    skipped = {impl.key: f"{impl.needs} is not installed" for impl in chosen
               if not impl.available()}
    chosen = [impl for impl in chosen if impl.key not in skipped]
    measurements = []
    data = {}
    for sizes in networks:
        shape = (sizes[0], sizes[-1])
        if shape not in data:
            data[shape] = peers.synthetic_mnist(n_samples, *shape)
        X, y = data[shape]
        for batch_size in batches:
            contestants = [impl for impl in chosen
                           if not impl.batches or batch_size in impl.batches]
            if not contestants:
                continue
            log(f"  {list(sizes)} batch {batch_size}: {', '.join(i.key for i in contestants)}")
            measurements += run_case(sizes, batch_size, X, y, contestants, repeats, pause,
                                     epochs, clock)
    return measurements, skipped
