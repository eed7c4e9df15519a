"""The course's benchmarks: how fast ``mlp_core`` trains, against its peers, and how quickly the
lessons run and the widgets redraw, in process and in a real browser.

Run ``make bench`` (or ``python -m benchmarks --help`` for the options). Everything but the
lessons and the browser part runs in one process with one BLAS thread for every library;
repetitions alternate between implementations and the tables give medians with min–max.
Results go to ``benchmarks/results/``: ``results.md`` (the tables the README shows),
``results.png`` (the chart) and ``results.json`` (every number).

Modules, one job each:

- ``machine``: one thread per library, what the run is measured on (BLAS kernel, versions),
  and the rate of one large matrix product on this core, the most any BLAS call here reaches;
- ``peers``: one training epoch by each implementation — ``mlp_core.train``, the post's
  per-sample algorithm, scikit-learn's ``MLPClassifier``, PyTorch (optional) — and the ceiling,
  numpy's time for only the matrix products of the same training steps (and two tighter ones
  at batches 32 and 128: with each shuffled batch gathered, and with σ too);
- ``throughput``: races them, alternating, and summarises samples/s and GFLOP/s;
- ``memory``: the memory ``train`` holds beyond the data set (tracemalloc);
- ``lessons``: each ``notebooks/NN_*.ipynb`` executed in a fresh kernel;
- ``widgets``: every ``FigureWidget`` subclass in ``mlp_core/course/widgets``, driven through a
  small protocol (see that module) and timed per interaction;
- ``browser``: each widget's heaviest control moved in a real browser (Voila, headless
  Chromium, Playwright), from the input event to the new picture painted;
- ``processes``: Chromium's command line, Voila started and waited for, processes stopped with
  all they started (the browser tests use them too);
- ``report``: the markdown tables, the targets met or not, and the chart;
- ``run``: the command line that ties them together.
"""
