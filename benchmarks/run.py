"""The command line: ``python -m benchmarks [options]`` runs every part and writes the results.

``make bench`` runs it with the defaults, which the README's table comes from. The options make
small runs possible (the tests use them) without changing what a default run measures.
"""

import argparse
import json
import time
from pathlib import Path

from benchmarks import browser as browser_bench
from benchmarks import lessons as lesson_bench
from benchmarks import machine, report, throughput
from benchmarks import widgets as widget_bench
from benchmarks.memory import training_memory

PARTS = ("throughput", "memory", "lessons", "widgets", "browser")


def _networks(text):
    """"784,30,10;784,100,10" → [(784, 30, 10), (784, 100, 10)]."""
    return [tuple(int(n) for n in part.split(",")) for part in text.split(";") if part]


def _ints(text):
    return [int(n) for n in text.split(",") if n]


def parse_args(argv=None):
    """The options, with the defaults of ``make bench``."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--out", default="benchmarks/results", help="folder for the results")
    p.add_argument("--networks", type=_networks, default=_networks("784,30,10;784,100,10"),
                   help="layer sizes, ';' between networks (default: %(default)s)")
    p.add_argument("--batches", type=_ints, default=[10, 32, 128], help="e.g. 10,32,128")
    p.add_argument("--samples", type=int, default=6_400,
                   help="data set size for the fast implementations (default 6,400)")
    p.add_argument("--epochs", type=int, default=2, help="epochs per timed run (default 2)")
    p.add_argument("--repeats", type=int, default=7, help="timed runs per implementation")
    p.add_argument("--pause", type=float, default=0.1, help="seconds between runs")
    p.add_argument("--clock", choices=sorted(throughput.CLOCKS), default="wall",
                   help="wall time (default), or this process's CPU time on a busy machine")
    p.add_argument("--implementations", type=lambda s: s.split(","), default=None,
                   help="a subset of: " + ", ".join(i.key for i in throughput.IMPLEMENTATIONS))
    p.add_argument("--gemm-size", type=int, default=1024,
                   help="n of the n × n product that measures this core's rate (default 1024)")
    p.add_argument("--memory-samples", type=int, default=60_000)
    p.add_argument("--memory-network", type=lambda s: _networks(s)[0], default=(784, 100, 10))
    p.add_argument("--notebooks", default="notebooks", help="folder of the NN_*.ipynb lessons")
    p.add_argument("--lesson-repeats", type=int, default=3)
    p.add_argument("--widgets", default="mlp_core.course.widgets", help="package of the widgets")
    p.add_argument("--widget-repeats", type=int, default=20)
    p.add_argument("--browser-repeats", type=int, default=10,
                   help="measured moves per control in the browser (default 10)")
    p.add_argument("--browser-widgets", type=lambda s: s.split(","), default=None,
                   help="the widgets the browser part times, as module.Class (default: all)")
    p.add_argument("--skip", type=lambda s: s.split(","), default=[],
                   help="parts to leave out: " + ", ".join(PARTS))
    args = p.parse_args(argv)
    unknown = set(args.skip) - set(PARTS)
    if unknown:
        p.error(f"--skip: unknown part(s) {', '.join(sorted(unknown))}")
    return args


def main(argv=None):
    """Run the benchmark; print the header and progress; write results.md, results.png and
    results.json into ``--out``. Returns the results as a dict."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    facts = machine.machine_facts(argv)
    measurements, skipped, lessons, widget_rows, memory, gemm = [], {}, [], [], None, None
    browser, in_browser = None, "browser" not in args.skip
    with machine.single_threaded():
        blas = machine.blas_report()
        print("Benchmarks:", facts["command"])
        print(f"  {facts['cpu']}, {facts['cores']} cores; load average {facts['load_average']}")
        for var in machine.OPENBLAS_VARS:
            print(f"  {var}: {facts[var]}")
        print("Thread pools (threadpoolctl), one thread each:")
        for line in blas:
            print("  " + line)
        if "throughput" not in args.skip:
            print("Training throughput:")
            measurements, skipped = throughput.run_throughput(
                args.networks, args.batches, args.samples, args.repeats, args.pause,
                args.implementations, args.epochs, args.clock)
            gemm = machine.gemm_rate(args.gemm_size)
            print(f"  one {args.gemm_size} × {args.gemm_size} product: "
                  f"{gemm['median']:.1f} GFLOP/s")
        if "memory" not in args.skip:
            print("Memory while training", list(args.memory_network), "on",
                  args.memory_samples, "samples")
            memory = training_memory(args.memory_network, args.memory_samples)
        if "widgets" not in args.skip:
            print("Widgets in", args.widgets)
            widget_rows = widget_bench.time_widgets(args.widgets, args.widget_repeats)
        chosen_from = widget_rows
        if in_browser and "widgets" in args.skip and not browser_bench.missing():
            print("Widgets in", args.widgets, "in process, to choose each one's heaviest control")
            chosen_from = widget_bench.time_widgets(args.widgets, args.widget_repeats,
                                                    only=args.browser_widgets)
    if "lessons" not in args.skip:                 # their own kernels, with their own threads
        paths = lesson_bench.discover_lessons(args.notebooks)
        print(f"Lessons: {len(paths)} in {args.notebooks}")
        lessons = lesson_bench.time_lessons(paths, args.lesson_repeats)
    if in_browser:                                 # Voila's kernels and Chromium, also apart
        print("Widgets in a real browser (Voila, Chromium):")
        browser = browser_bench.time_in_browser(chosen_from, args.widgets, args.browser_repeats,
                                                args.browser_widgets)
    page = report.markdown(facts, blas, measurements, skipped, lessons, widget_rows, memory,
                           args.repeats, args.epochs, args.clock, gemm, browser)
    (out / "results.md").write_text(page)
    report.chart(measurements, lessons, widget_rows, out / "results.png")
    results = {"facts": facts, "blas": blas, "repeats": args.repeats, "epochs": args.epochs,
               "clock": args.clock, "gemm": gemm,
               "throughput": [m.as_dict() for m in measurements], "skipped": skipped,
               "memory": memory, "lessons": lessons, "widgets": widget_rows, "browser": browser,
               "seconds": round(time.perf_counter() - started, 1)}
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print()
    print(page)
    print(f"Wrote {out / 'results.md'}, results.png and results.json "
          f"in {results['seconds']:.0f} s.")
    return results
