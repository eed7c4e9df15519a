"""The results as markdown tables (with each target met or not) and a PNG chart."""

import math
import statistics

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from benchmarks.peers import product_flops
from benchmarks.throughput import FLOPS_PER_WEIGHT, IMPLEMENTATIONS

LABELS = {impl.key: impl.label for impl in IMPLEMENTATIONS}
LESSON_BUDGET_S = 10.0

# The targets of the one-index redesign, as (measured against, text, required ratio of the
# default mlp_core.train to it, batch sizes or None for all, networks or None for all).
RATIO_TARGETS = (
    ("torch64", "≥ 2.5× PyTorch CPU float64 at batch 10", 2.5, (10,), None),
    ("torch64", "≥ 1.4× PyTorch CPU float64 at [784, 100, 10] batch 128", 1.4, (128,),
     ((784, 100, 10),)),
    ("post", "≥ 8× the post's per-sample algorithm at batch 10", 8.0, (10,), None),
    ("sklearn", "≥ 2× scikit-learn's MLPClassifier at batch 10", 2.0, (10,), None),
    ("ceiling", "≥ 70% of the matmul ceiling at batch 128", 0.7, (128,), None),
)


def _rate(x):
    """samples/s, short: 61.2k, 1.23M, 850."""
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


def _spread(values, fmt):
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def _cases(measurements):
    """The (sizes, batch_size) cases in the order they ran."""
    return list(dict.fromkeys((m.sizes, m.batch_size) for m in measurements))


def _by_case(measurements):
    return {(m.sizes, m.batch_size, m.key): m for m in measurements}


def throughput_table(measurements):
    """Markdown: one row per network and batch size, one column per implementation, each cell
    ``median (min–max)`` samples/s and the median GFLOP/s."""
    keys = [k for k in LABELS if any(m.key == k for m in measurements)]
    found = _by_case(measurements)
    lines = ["| network | batch | " + " | ".join(LABELS[k] for k in keys) + " |",
             "|---|---:|" + "---:|" * len(keys)]
    for sizes, batch in _cases(measurements):
        cells = []
        for k in keys:
            m = found.get((sizes, batch, k))
            cells.append("—" if m is None else
                         f"{_spread(m.samples_per_s, _rate)}<br>{m.gflops():.2f} GFLOP/s")
        lines.append(f"| {list(sizes)} | {batch} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def gemm_paragraph(gemm, measurements):
    """Markdown: the rate of one large product on this core (``machine.gemm_rate``), and the
    ceiling's products at each case as a share of it, counting only the FLOPs they do
    (``peers.product_flops``): how close the ceiling is to what this core's BLAS can do."""
    n = gemm["n"]
    text = (f"One large product on this core, numpy's {n} × {n} float64 matmul on one thread: "
            f"{_spread(gemm['gflops'], lambda x: f'{x:.1f}')} GFLOP/s.")
    shares = [f"{list(m.sizes)} b{m.batch_size}: {rate:.1f} GFLOP/s, {rate / gemm['median']:.0%}"
              for m in measurements if m.key == "ceiling"
              for rate in [product_flops(m.sizes) * m.median / 1e9]]
    if shares:
        text += (" The ceiling's products, counting only the FLOPs they do (the first layer "
                 "sends no delta to the inputs), run at: " + "; ".join(shares) + " of it.")
    return text


def ratios(measurements, key, batches=None, of="mlp_core"):
    """``of``'s median samples/s over ``key``'s, per case run by both (batch sizes limited to
    ``batches`` if given): a list of (sizes, batch_size, ratio)."""
    found = _by_case(measurements)
    out = []
    for sizes, batch in _cases(measurements):
        ours, theirs = found.get((sizes, batch, of)), found.get((sizes, batch, key))
        if ours is None or theirs is None or (batches and batch not in batches):
            continue
        out.append((sizes, batch, ours.median / theirs.median))
    return out


#: The ceilings, each a subset of a training step's work (so faster than any trainer), with
#: what the report calls them; the later ones do more of the work and so are tighter.
CEILINGS = (
    ("ceiling", "the matrix products alone (the ceiling)"),
    ("ceiling_gather", "the products and the batch gather"),
    ("ceiling_sigmoid", "the products, the batch gather and σ"),
)


def out_of_reach(measurements, key, need, batches=None):
    """The cases where even the tightest ceiling measured (the slowest of ``CEILINGS``) is
    less than ``need`` times as fast as ``key``, so no numpy trainer doing that much of the
    work could meet the target: a list of (sizes, batch, ratio, what that ceiling does)."""
    tightest = {}
    for ceiling, what in CEILINGS:
        for s, b, r in ratios(measurements, key, batches, of=ceiling):
            if (s, b) not in tightest or r < tightest[s, b][0]:
                tightest[s, b] = (r, what)
    return [(s, b, r, what) for (s, b), (r, what) in tightest.items() if r < need]


def _under(ratio):
    """A ratio below a target to two decimals, rounded down (1.4996 is 1.49, not 1.50)."""
    return f"{math.floor(ratio * 100) / 100:.2f}"


def _verdict(ok):
    return "met" if ok else "**not met**"


def targets_table(measurements, lessons=(), widget_rows=(), memory=None, browser=None):
    """Markdown: each target of the issue, what was measured, met or not; ``browser`` is the
    browser part's result (``browser.time_in_browser``), if it ran."""
    lines = ["| target | measured | |", "|---|---|---|"]
    for key, text, need, batches, networks in RATIO_TARGETS:
        found = [(s, b, r) for s, b, r in ratios(measurements, key, batches)
                 if networks is None or tuple(s) in networks]
        if not found:
            lines.append(f"| {text} | not measured | — |")
            continue
        fmt = "{:.0%}" if key == "ceiling" else "{:.1f}×"
        shown = "; ".join(f"{list(s)} b{b}: {fmt.format(r)}" for s, b, r in found)
        verdict = _verdict(min(r for *_, r in found) >= need)
        bound = [] if key == "ceiling" else [
            c for c in out_of_reach(measurements, key, need, batches)
            if networks is None or tuple(c[0]) in networks]
        for ceiling, what in CEILINGS[1:] if key == "ceiling" else ():
            tighter = ratios(measurements, ceiling, batches)
            if tighter:
                shown += f". Of {what}: " + "; ".join(
                    f"{list(s)} b{b}: {r:.0%}" for s, b, r in tighter)
        if bound:
            shown += f". Out of reach where a ceiling is under {need:g}× it: " + "; ".join(
                f"{list(s)} b{b}: {what}, {_under(r)}× as fast" for s, b, r, what in bound)
        lines.append(f"| {text} | {shown} | {verdict} |")
    timed = [lesson for lesson in lessons if lesson["seconds"]]
    if lessons:
        worst = max(timed, key=lambda r: statistics.median(r["seconds"]), default=None)
        failed = [lesson["name"] for lesson in lessons if lesson["error"]]
        shown = "none ran" if worst is None else \
            f"slowest {worst['name']}: {statistics.median(worst['seconds']):.1f} s"
        if failed:
            shown += f"; failed: {', '.join(failed)}"
        ok = not failed and all(statistics.median(r["seconds"]) < LESSON_BUDGET_S for r in timed)
        lines.append(f"| every lesson under {LESSON_BUDGET_S:.0f} s | {shown} | {_verdict(ok)} |")
    for kind, text in (("redraw", "every widget redraw under 50 ms median"),
                       ("step", "a playground step plus redraw under 100 ms")):
        rows = [r for r in widget_rows if "ms" in r
                and r["action"].startswith("step") == (kind == "step")]
        if not rows:
            continue
        over = [r for r in rows if r["median_ms"] >= r["budget_ms"]]
        worst = max(rows, key=lambda r: r["median_ms"])
        shown = f"slowest {worst['widget']} ({worst['action']}): {worst['median_ms']:.0f} ms"
        if over:
            shown += f"; {len(over)} of {len(rows)} over"
        swept = [r for r in rows if r.get("first_ms")]
        if swept:
            slow = max(swept, key=lambda r: statistics.median(r["first_ms"]))
            late = [r for r in swept if statistics.median(r["first_ms"]) >= r["budget_ms"]]
            shown += (f". First visits (each value once, from a fresh widget; not in the "
                      f"verdict): slowest {slow['widget']} ({slow['action']}), median "
                      f"{statistics.median(slow['first_ms']):.0f} ms; "
                      f"{len(late)} of {len(swept)} controls at or over the budget")
        lines.append(f"| {text} | {shown} | {_verdict(not over)} |")
    if browser is not None:
        lines.append(browser_target(browser))
    if memory is not None:
        lines.append(
            f"| training {memory['sizes']} on {memory['n_samples']:,} samples holds at most "
            f"one extra copy of the data | peak {memory['peak_bytes'] / 2**20:.0f} MiB beyond "
            f"{memory['data_bytes'] / 2**20:.0f} MiB of data: {memory['copies']:.2f} copies | "
            f"{_verdict(memory['copies'] <= 1.0)} |")
    return "\n".join(lines)


BROWSER_TARGET = "slider to new picture in a real browser under 150 ms median"
PAINTED = "new picture painted"      # what a browser move waits for, unless its row says else


def browser_target(browser):
    """Markdown: the target row of the browser part: the slowest widget's median, from the
    input event to the painted new picture (or, for a widget whose controls redraw no picture,
    the new table: it counts like the others, named), beside its in-process time; met when
    every timed widget's median is under its budget and none failed; skipped, with the reason,
    when a tool was missing."""
    if browser.get("skipped"):
        return f"| {BROWSER_TARGET} | skipped: {browser['skipped']} | skipped |"
    timed = [r for r in browser["rows"] if "ms" in r]
    failed = [r["widget"] for r in browser["rows"] if "error" in r]
    noted = [r["widget"] for r in browser["rows"] if "note" in r]
    if not timed:
        return f"| {BROWSER_TARGET} | none timed; failed: {', '.join(failed) or '-'} | " \
               f"{_verdict(False)} |"
    worst = max(timed, key=lambda r: r["median_ms"])
    over = [r for r in timed if r["median_ms"] >= r["budget_ms"]]
    shown = (f"slowest {worst['widget']} ({worst['action']}): {worst['median_ms']:.0f} ms "
             f"(in process {worst['in_process_ms']:.0f} ms); median of {browser['repeats']} "
             f"moves, {len(timed)} widgets")
    other = [f"{r['widget']} ({r['waited_for']})" for r in timed
             if r.get("waited_for", PAINTED) != PAINTED]
    if other:
        shown += f"; of which not to a new picture: {', '.join(other)}"
    if over:
        shown += f"; {len(over)} of {len(timed)} over"
    if failed:
        shown += f"; failed: {', '.join(failed)}"
    if noted:
        shown += f"; nothing to time: {', '.join(noted)}"
    return f"| {BROWSER_TARGET} | {shown} | {_verdict(not over and not failed)} |"


def browser_table(browser):
    """Markdown: per widget, its heaviest control, what its moves waited for (a new picture, or
    a new table, painted), the in-process median and the browser's median (min–max) from input
    event to that paint, how much of it came before the first change (the picture's new
    ``src``, the table's new DOM), and in how many moves the picture (table) really changed."""
    if browser.get("skipped"):
        return f"Skipped: {browser['skipped']}."
    lines = ["| widget | heaviest control | waited for | in process, ms (median) | browser: "
             "input to painted output, ms | of which input to new `src` or table, ms (median) "
             "| output changed | budget |", "|---|---|---|---:|---:|---:|---:|---:|"]
    fmt = lambda ms: f"{ms:.0f}"                                  # noqa: E731
    for r in browser["rows"]:
        if "error" in r or "note" in r:
            why = f"failed: {r['error']}" if "error" in r else f"not timed: {r['note']}"
            lines.append(f"| {r['widget']} | {r['action']} | {r.get('waited_for', '—')} | — | "
                         f"{why.replace('|', '/')} | — | — | {r.get('budget_ms', '—')} |")
            continue
        changed = sum(m["changed"] for m in r["moves"])
        to_change = statistics.median(m["to_change_ms"] for m in r["moves"])
        lines.append(f"| {r['widget']} | {r['action']} | {r.get('waited_for', PAINTED)} | "
                     f"{r['in_process_ms']:.1f} | "
                     f"{_spread(r['ms'], fmt)} | {to_change:.0f} | {changed} of {len(r['moves'])} "
                     f"| {r['budget_ms']} |")
    return "\n".join(lines)


def lessons_table(lessons):
    """Markdown: each lesson's time in a fresh kernel, median (min–max) seconds."""
    lines = ["| lesson | seconds, fresh kernel |", "|---|---:|"]
    for r in lessons:
        cell = f"failed: {r['error']}" if r["error"] else \
            _spread(r["seconds"], lambda s: f"{s:.1f}")
        lines.append(f"| {r['name']} | {cell} |")
    return "\n".join(lines)


def widgets_table(rows):
    """Markdown: each widget's action, median (min–max) milliseconds and its budget, and for a
    control the median (min–max) of its first visits to each value."""
    lines = ["| widget | interaction | ms (callback + drawing) | first visit of each value, ms "
             "| budget |", "|---|---|---:|---:|---:|"]
    fmt = lambda ms: f"{ms:.1f}"                                  # noqa: E731
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['widget']} | {r['action']} | not timed: {r['error']} | — | — |")
        else:
            first = _spread(r["first_ms"], fmt) if r.get("first_ms") else "—"
            lines.append(f"| {r['widget']} | {r['action']} | {_spread(r['ms'], fmt)} | {first} "
                         f"| {r['budget_ms']} |")
    return "\n".join(lines)


def markdown(facts, blas, measurements, skipped, lessons, widget_rows, memory, repeats, epochs,
             clock="wall", gemm=None, browser=None):
    """The whole results page; ``gemm``, if measured, is ``machine.gemm_rate``'s result, and
    ``browser``, if that part ran, ``browser.time_in_browser``'s."""
    cpu = f"{facts['cpu']}, {facts['cores']} cores, {facts['memory_gib']} GiB, {facts['os']}"
    versions = ", ".join(f"{name} {facts[name]}" for name in
                         ("python", "numpy", "scikit-learn", "matplotlib", "torch")
                         if facts.get(name))
    load = " / ".join(f"{x:.2f}" for x in facts["load_average"])
    parts = [
        "# Benchmark results",
        "",
        f"Command: `{facts['command']}`, {facts['date']}.",
        "",
        f"- Machine: {cpu}; load average at the start {load} (1, 5, 15 min).",
        f"- Versions: {versions}.",
        f"- OPENBLAS_CORETYPE: {facts['OPENBLAS_CORETYPE']}; "
        f"OPENBLAS_L2_SIZE: {facts['OPENBLAS_L2_SIZE']}.",
        "- Thread pools, as threadpoolctl reports them during the run (one thread each):",
        *[f"  - {line}" for line in blas],
    ]
    if measurements:
        parts += [
            "", "## Training throughput", "",
            f"Samples per second ({'wall time' if clock == 'wall' else 'CPU time'}), median "
            f"(min–max) of {repeats} runs alternating between the implementations, and GFLOP/s "
            f"at {FLOPS_PER_WEIGHT} FLOPs per weight per sample. "
            "Synthetic MNIST-shaped data (float64 pixel values), sigmoid layers, plain SGD. "
            f"A run is one call of each library's training function for {epochs} epoch(s), "
            "on the whole data set except: " + ", ".join(
                f"{impl.label}, 1/{round(1 / impl.share)} of it" for impl in IMPLEMENTATIONS
                if impl.share < 1) + ".", "",
            throughput_table(measurements)]
        if gemm is not None:
            parts += ["", gemm_paragraph(gemm, measurements)]
        if skipped:
            parts += ["", "Not run: " + "; ".join(f"{LABELS[k]} ({why})"
                                                  for k, why in skipped.items()) + "."]
    parts += ["", "## Targets", "",
              targets_table(measurements, lessons, widget_rows, memory, browser)]
    if lessons:
        parts += ["", "## Lessons", "", lessons_table(lessons)]
    if widget_rows:
        parts += ["", "## Widgets", "", widgets_table(widget_rows)]
    if browser is not None:
        parts += ["", "## Widgets in a real browser", ""]
        if not browser.get("skipped"):
            parts += [
                f"Each widget's heaviest control (its slowest in-process median above) moved "
                f"{browser['repeats']} times, after {browser['warmup']} unmeasured moves, in "
                "headless Chromium driven by Playwright, the lesson served by Voila; median "
                "(min–max) ms from the input event (`keydown` or `pointerdown`, its "
                "`timeStamp`) to the new picture painted (the `<img>`'s new `src`, its "
                "`decode()`, then two animation frames); for a widget none of whose controls "
                "redraws the picture, to the new text output (the shape table) painted (its "
                "DOM changed, then two animation frames), as its row says. See "
                "`benchmarks/browser.py`.", ""]
        parts += [browser_table(browser)]
    return "\n".join(parts) + "\n"


def chart(measurements, lessons, widget_rows, path):
    """A PNG at ``path``: training throughput (log scale, min–max bars), then lesson times and
    widget redraw times against their budgets, when there are any."""
    panels = 1 + bool(lessons) + bool(widget_rows)
    fig = Figure(figsize=(11, 4.2 * panels), dpi=80, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(panels, 1, squeeze=False)[:, 0]
    ax = axes[0]
    cases = _cases(measurements)
    keys = [k for k in LABELS if any(m.key == k for m in measurements)]
    found = _by_case(measurements)
    colours = ["#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#777777"]
    width = 0.8 / max(len(keys), 1)
    for i, key in enumerate(keys):
        xs, med, lo, hi = [], [], [], []
        for j, (sizes, batch) in enumerate(cases):
            m = found.get((sizes, batch, key))
            if m is not None:
                xs.append(j + (i - (len(keys) - 1) / 2) * width)
                med.append(m.median)
                lo.append(m.median - min(m.samples_per_s))
                hi.append(max(m.samples_per_s) - m.median)
        ax.bar(xs, med, width, yerr=[lo, hi], label=LABELS[key],
               color=colours[i % len(colours)], capsize=2)
    ax.set_yscale("log")
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, top * 8)                  # room for the legend above the bars
    ax.set_xticks(range(len(cases)), [f"{list(s)}\nbatch {b}" for s, b in cases])
    ax.set_ylabel("training samples / s (log)")
    ax.set_title("training throughput, one BLAS thread (median, min–max)")
    if keys:
        ax.legend(fontsize=8, ncols=4, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    row = 1
    if lessons:
        ax = axes[row]
        row += 1
        names = [r["name"] for r in lessons]
        med = [statistics.median(r["seconds"]) if r["seconds"] else np.nan for r in lessons]
        ax.barh(names, med, color="#0072B2")
        ax.axvline(LESSON_BUDGET_S, color="#D55E00", ls="--", label=f"{LESSON_BUDGET_S:.0f} s")
        ax.invert_yaxis()
        ax.set_xlabel("seconds, fresh kernel (median)")
        ax.set_title("lesson execution time")
        ax.legend(fontsize=8)
    if widget_rows:
        ax = axes[row]
        rows = [r for r in widget_rows if "ms" in r]
        ax.barh([f"{r['widget']} · {r['action']}" for r in rows],
                [r["median_ms"] for r in rows],
                color=["#009E73" if r["median_ms"] < r["budget_ms"] else "#D55E00"
                       for r in rows])
        ax.axvline(50, color="#777777", ls="--", label="50 ms")
        ax.axvline(100, color="#777777", ls=":", label="100 ms (a training step)")
        ax.invert_yaxis()
        ax.set_xlabel("ms per interaction, callback + drawing (median of 20)")
        ax.set_title("widget redraw time (green: within budget)")
        ax.legend(fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
    fig.savefig(path)
