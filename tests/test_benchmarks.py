"""The benchmark code, run on tiny sizes so it cannot rot. No test asserts a time: each checks
that an implementation does the work it claims (the same numbers as ``mlp_core``), that the
discovery and the widget protocol find and drive what they should, and that a whole run writes
its tables and chart."""

import json
import sys
import textwrap
from pathlib import Path

import ipywidgets as widgets
import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:          # benchmarks/ is a folder of the repo, not a package
    sys.path.insert(0, str(ROOT))

from benchmarks import browser, lessons, machine, memory, peers, report, run, throughput  # noqa: E402
from benchmarks import widgets as wb  # noqa: E402
from benchmarks.throughput import IMPLEMENTATIONS, Measurement  # noqa: E402
from mlp_core import MLP, train  # noqa: E402

SIZES = [6, 5, 3]


def tiny_data(n=24):
    return peers.synthetic_mnist(n, SIZES[0], SIZES[-1], seed=1)


def copy_weights_to_post(net, post):
    post.W = [layer.W.copy() for layer in net.layers[1:]]
    post.b = [layer.b.T.copy() for layer in net.layers[1:]]


# ----- the implementations ---------------------------------------------------------------------
@pytest.mark.parametrize("sigmoid", ["numpy", "scipy"])
def test_the_posts_algorithm_trains_exactly_like_mlp_core(sigmoid):
    """Per-sample gradients summed over each mini-batch, in the same shuffled order, give the
    weights of the vectorised engine (batches of 7 on 24 samples: a short last batch too)."""
    X, y = tiny_data()
    net = MLP(SIZES, seed=0)
    post = peers.PostMLP(SIZES, sigmoid=sigmoid)
    copy_weights_to_post(net, post)
    train(net, X, y, epochs=1, batch_size=7, lr=0.5, seed=3, progress=False)
    post.train_epoch(X, np.eye(3)[y], 7, 0.5, np.random.default_rng(3))
    for layer, W, b in zip(net.layers[1:], post.W, post.b):
        np.testing.assert_allclose(W, layer.W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b.T, layer.b, rtol=1e-12, atol=1e-15)


def test_the_posts_shapes_are_the_posts():
    post = peers.PostMLP(SIZES)
    x = np.arange(6.0)
    y_hat = post.forward(x)
    assert y_hat.shape == (1, 3)
    assert [z.shape for z in post.z] == [(5, 1), (3, 1)]
    d_W, d_b = post.gradients(x.reshape(1, -1), np.eye(3)[:1], y_hat)
    assert [g.shape for g in d_W] == [(5, 6), (3, 5)]
    assert [g.shape for g in d_b] == [(1, 5), (1, 3)]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS, ids=lambda i: i.key)
def test_every_implementation_runs_its_epochs(impl):
    if not impl.available():
        pytest.skip(f"{impl.needs} is not installed")
    X, y = tiny_data()
    run_ = impl.make(SIZES, 5, X, y, 0.5, 0, 2)
    samples = run_()
    whole_batches = impl.key.startswith("ceiling")                    # the ceilings: 4 of 5
    assert samples == (2 * 20 if whole_batches else 2 * 24)
    assert run_() == samples                                          # again, from where it was


def test_pytorch_does_the_same_work_as_mlp_core():
    """One full-batch step from the same weights: the same cost (Nielsen's quadratic cost,
    batch mean) and so the same new weights, in float64."""
    torch = pytest.importorskip("torch")
    X, y = tiny_data()
    net = MLP(SIZES, seed=0)
    epoch = peers.make_torch(SIZES, 24, X, y, 0.5)
    linears = [m for m in epoch.model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for linear, layer in zip(linears, net.layers[1:]):
            linear.weight.copy_(torch.from_numpy(layer.W))
            linear.bias.copy_(torch.from_numpy(layer.b[:, 0]))
    epoch()
    train(net, X, y, epochs=1, batch_size=24, lr=0.5, seed=0, progress=False)
    for linear, layer in zip(linears, net.layers[1:]):
        np.testing.assert_allclose(linear.weight.detach().numpy(), layer.W, rtol=1e-12)
        np.testing.assert_allclose(linear.bias.detach().numpy(), layer.b[:, 0], rtol=1e-12)


def test_sklearn_is_set_up_as_plain_sgd_on_the_same_network():
    X, y = tiny_data()
    run_ = peers.make_sklearn(SIZES, 5, X, y, 0.5)
    clf = run_.model
    run_()
    before = [W.copy() for W in clf.coefs_]
    run_()                                         # continues from those weights
    assert [W.shape for W in clf.coefs_] == [(6, 5), (5, 3)]     # sklearn keeps W as (n_in, n_out)
    assert (clf.activation, clf.solver, clf.momentum, clf.alpha) == ("logistic", "sgd", 0.0, 0.0)
    assert not np.allclose(before[0], clf.coefs_[0])
    assert clf.t_ == 2 * 24                        # samples seen: the second fit went on


def test_flops_count_six_per_weight():
    m = Measurement((784, 30, 10), 10, "mlp_core", [1000.0, 2000.0, 3000.0])
    assert peers.n_weights([784, 30, 10]) == 784 * 30 + 30 * 10
    assert m.median == 2000.0
    assert m.gflops() == pytest.approx(6 * 23_820 * 2000 / 1e9)


def test_product_flops_leave_out_the_delta_into_the_inputs():
    assert peers.product_flops([784, 30, 10]) == 4 * 784 * 30 + 6 * 30 * 10
    assert peers.product_flops(SIZES) == 4 * 6 * 5 + 6 * 5 * 3


def test_the_large_product_rate_is_timed_once_per_repeat():
    gemm = machine.gemm_rate(32, repeats=3)
    assert gemm["n"] == 32 and len(gemm["gflops"]) == 3 and min(gemm["gflops"]) > 0
    assert gemm["median"] == sorted(gemm["gflops"])[1]


def test_the_ceiling_is_shown_as_a_share_of_the_large_product_rate():
    gemm = {"n": 1024, "gflops": [40.0, 42.0, 41.0], "median": 41.0}
    ceiling = Measurement((784, 100, 10), 128, "ceiling", [119_000.0])
    others = Measurement((784, 100, 10), 128, "mlp_core", [98_000.0])
    text = report.gemm_paragraph(gemm, [others, ceiling])
    assert "1024 × 1024" in text and "41.0 (40.0–42.0) GFLOP/s" in text
    rate = (4 * 784 * 100 + 6 * 100 * 10) * 119_000 / 1e9           # 38.03 GFLOP/s
    assert f"[784, 100, 10] b128: {rate:.1f} GFLOP/s, {rate / 41:.0%}" in text
    assert "mlp_core" not in text and text.count("b128") == 1


# ----- the race ---------------------------------------------------------------------------------
def test_a_race_alternates_and_records_every_run():
    X, y = tiny_data(40)
    chosen = [i for i in IMPLEMENTATIONS if i.key in ("mlp_core", "post", "ceiling")]
    results = throughput.run_case(SIZES, 10, X, y, chosen, repeats=3, pause=0, clock="cpu")
    assert [m.key for m in results] == ["mlp_core", "post", "ceiling"]
    assert all(len(m.samples_per_s) == 3 and min(m.samples_per_s) > 0 for m in results)


def test_what_is_not_installed_is_left_out_and_said(monkeypatch):
    monkeypatch.setattr(throughput, "import_torch", lambda: None)
    measured, skipped = throughput.run_throughput([tuple(SIZES)], [10], 40, 1, 0,
                                                  keys=["mlp_core", "torch64"], log=lambda *a: 0)
    assert [m.key for m in measured] == ["mlp_core"]
    assert skipped == {"torch64": "torch is not installed"}


def test_the_scipy_post_runs_only_at_batch_10():
    measured, _ = throughput.run_throughput([tuple(SIZES)], [4, 10], 64, 1, 0,
                                            keys=["post_scipy"], log=lambda *a: 0)
    assert [m.batch_size for m in measured] == [10]


def test_the_tighter_ceilings_run_at_batches_32_and_128_only():
    measured, _ = throughput.run_throughput([tuple(SIZES)], [10, 32, 128], 256, 1, 0,
                                            keys=["ceiling_gather", "ceiling_sigmoid"],
                                            log=lambda *a: 0)
    assert [(m.key, m.batch_size) for m in measured] == [
        ("ceiling_gather", 32), ("ceiling_sigmoid", 32),
        ("ceiling_gather", 128), ("ceiling_sigmoid", 128)]


# ----- memory -----------------------------------------------------------------------------------
def test_training_holds_well_under_one_extra_copy_of_the_data():
    result = memory.training_memory((784, 30, 10), n_samples=4000, batch_size=32)
    assert result["data_bytes"] == 4000 * 784 * 8
    assert 0 < result["peak_bytes"] and result["copies"] == pytest.approx(
        result["peak_bytes"] / result["data_bytes"])
    assert result["copies"] < 1.0


# ----- lessons ----------------------------------------------------------------------------------
def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def test_lessons_are_found_by_their_number_and_timed_in_a_fresh_kernel(tmp_path):
    write_notebook(tmp_path / "01_ok.ipynb", "x = 1 + 1", "print(x)")
    write_notebook(tmp_path / "02_broken.ipynb", "raise ValueError('boom')")
    write_notebook(tmp_path / "scratch.ipynb", "pass")
    write_notebook(tmp_path / "1_not_a_lesson.ipynb", "pass")
    paths = lessons.discover_lessons(tmp_path)
    assert [p.name for p in paths] == ["01_ok.ipynb", "02_broken.ipynb"]
    ok, broken = lessons.time_lessons(paths, repeats=2, log=lambda *a: 0)
    assert ok["name"] == "01_ok" and ok["error"] is None
    assert len(ok["seconds"]) == 2 and min(ok["seconds"]) > 0
    assert broken["seconds"] == [] and "boom" in broken["error"]


# ----- widgets ----------------------------------------------------------------------------------
WIDGETS = '''
import ipywidgets as widgets
from mlp_core.course.widgets.base import FigureWidget, new_figure


class Base(FigureWidget):
    """A base for other widgets: it needs arguments nobody can guess."""

    def __init__(self, controls, fig, colour):
        super().__init__(controls, fig)


class Dial(Base):
    """A slider that moves a line and redraws."""

    def __init__(self):
        self.slider = widgets.IntSlider(value=0, min=0, max=2, description="k")
        self.text = widgets.Label()
        fig = new_figure(2, 2)
        self.line, = fig.add_subplot().plot([0, 1], [0, 0])
        self.slider.observe(self._moved, names="value")
        super().__init__([widgets.Button(description="go"), widgets.HBox([self.slider])],
                         fig, "blue")

    def _moved(self, change):
        self.line.set_ydata([0, change["new"]])
        self.redraw()


class Lazy(FigureWidget):
    """A button whose callback changes the figure but leaves the redraw to someone else."""

    def __init__(self):
        fig = new_figure(2, 2)
        self.line, = fig.add_subplot().plot([0, 1], [0, 0])
        self.clicks = 0
        self.button = widgets.Button(description="more")
        self.button.on_click(self._clicked)
        super().__init__([self.button], fig)

    def _clicked(self, _):
        self.clicks += 1
        self.line.set_ydata([0, self.clicks])


class Trainer(FigureWidget):
    """Built from the course's arrays; trains one step per step() call."""

    def __init__(self, net, X, y):
        self.net, self.X, self.y, self.steps = net, X, y, 0
        super().__init__([], new_figure(2, 2))

    def step(self):
        self.steps += 1
        self.redraw()


class Pixels(FigureWidget):
    """Wants 8×8 images: the 2-D stand-ins do not fit, the digits do."""

    def __init__(self, net, X, y):
        if X.shape[1] != 64:
            raise ValueError("not square images")
        self.net = net
        super().__init__([], new_figure(2, 2))


class Declared(FigureWidget):
    """Says itself how to be built and driven."""

    def __init__(self, scale):
        self.scale, self.calls = scale, 0
        super().__init__([], new_figure(2, 2))

    @classmethod
    def bench_example(cls):
        return cls(scale=3)

    def bench_actions(self):
        return {"zoom": self.zoom}

    def zoom(self):
        self.calls += 1
        self.redraw()


class Stubborn(FigureWidget):
    """Needs something the benchmark has no stand-in for."""

    def __init__(self, teapot):
        super().__init__([], new_figure(2, 2))
'''


@pytest.fixture
def widget_package(tmp_path, monkeypatch, request):
    name = f"benchwidgets_{request.node.name.replace('[', '_').replace(']', '_')}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "toys.py").write_text(textwrap.dedent(WIDGETS))
    (package / "broken.py").write_text("raise ImportError('half written')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_widgets_are_discovered_in_every_module(widget_package):
    classes, failures = wb.discover_widgets(widget_package)
    assert [cls.__name__ for _, cls in classes] == \
        ["Base", "Dial", "Lazy", "Trainer", "Pixels", "Declared", "Stubborn"]
    assert failures == [(f"{widget_package}.broken", "ImportError: half written")]


def test_the_protocol_drives_each_kind_of_widget(widget_package):
    rows = wb.time_widgets(widget_package, repeats=3, log=lambda *a: 0)
    found = {(r["widget"], r["action"]): r for r in rows}
    assert ("toys.Base", "-") not in found                         # a base class: left out
    assert found[("toys.Dial", "slider k")]["budget_ms"] == 50     # the slider before the button
    assert found[("toys.Lazy", "button more")]["budget_ms"] == 50
    assert found[("toys.Trainer", "step")]["budget_ms"] == 100
    assert found[("toys.Pixels", "redraw")]["budget_ms"] == 50     # built from the digits
    assert len(found[("toys.Declared", "zoom")]["ms"]) == 3
    assert "teapot" in found[("toys.Stubborn", "-")]["error"]
    assert "half written" in found[(f"{widget_package}.broken", "-")]["error"]


def test_every_timed_interaction_includes_a_redraw(widget_package):
    module = sys.modules.get(f"{widget_package}.toys") or \
        __import__(f"{widget_package}.toys", fromlist=["Lazy"])
    lazy = module.Lazy()
    before = lazy.image.value
    times = wb.time_action(lazy, lazy.button.click, repeats=2, warmup=1)
    assert len(times) == 2 and lazy.clicks == 3
    assert lazy.image.value != before                  # the benchmark redrew what the click changed
    assert "redraw" not in vars(lazy)                  # and put the method back


def test_every_slider_and_choice_a_learner_can_move_is_timed():
    from mlp_core.course.widgets.base import FigureWidget, new_figure

    class Panel(FigureWidget):
        def __init__(self):
            self.kind = widgets.Dropdown(options=["x", "y", "z"], description="kind")
            controls = [widgets.IntSlider(description="a"), self.kind,
                        widgets.HBox([widgets.FloatSlider(description="a")]),
                        widgets.IntSlider(description="off", disabled=True),
                        widgets.Dropdown(options=["only"], description="fixed"),
                        widgets.Button(description="go")]
            super().__init__(controls, new_figure(2, 2))

    panel = Panel()
    found = wb.actions(panel)
    assert list(found) == ["slider a", "choice kind", "slider a'"]    # not the disabled,
    assert [(found["choice kind"](), panel.kind.value)[1] for _ in range(4)] == \
        ["y", "z", "x", "y"]                                         # the fixed, the button


def test_a_sweep_meets_every_value_once():
    s = widgets.IntSlider(value=2, min=0, max=4)
    assert wb.sweep_values(s) == [3, 4, 0, 1]
    f = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.25)
    assert wb.sweep_values(f) == [0.75, 1.0, 0.0, 0.25]
    log = widgets.FloatLogSlider(value=10, base=10, min=0, max=2, step=1)
    assert [round(v) for v in wb.sweep_values(log)] == [100, 1]
    d = widgets.Dropdown(options=["x", "y", "z"], value="y")
    assert wb.sweep_values(d) == [2, 0]                       # indices
    wb.set_value(d, 2)
    assert d.value == "z"


def test_first_visits_time_each_new_value_with_its_redraw(widget_package):
    module = sys.modules.get(f"{widget_package}.toys") or \
        __import__(f"{widget_package}.toys", fromlist=["Dial"])
    dial = module.Dial()
    slider = next(c for c in wb.controls_of(dial) if isinstance(c, widgets.IntSlider))
    seen = []
    slider.observe(lambda change: seen.append(change["new"]), "value")
    times = wb.time_first_visits(dial, slider)
    assert len(times) == len(seen) == len(set(seen)) == 2 and 0 not in seen   # 1, 2 from 0
    assert "redraw" not in vars(dial)
    rows = wb.time_widgets(widget_package, repeats=2, log=lambda *a: 0)
    dial_row = next(r for r in rows if r["widget"] == "toys.Dial" and r["action"] == "slider k")
    assert len(dial_row["first_ms"]) == len(times)
    table = report.widgets_table(rows)
    assert "first visit of each value" in table.splitlines()[0]


def test_nudge_goes_back_and_forth_within_the_ends():
    s = widgets.IntSlider(value=1, min=0, max=2)
    nudge = wb.Nudge(s)
    assert [(nudge(), s.value)[1] for _ in range(5)] == [2, 1, 0, 1, 2]
    sel = widgets.SelectionSlider(options=["a", "b"], value="b")
    nudge = wb.Nudge(sel)
    assert [(nudge(), sel.value)[1] for _ in range(3)] == ["a", "b", "a"]
    log = widgets.FloatLogSlider(value=10, base=10, min=0, max=2, step=1)
    nudge = wb.Nudge(log)
    assert [(nudge(), round(log.value))[1] for _ in range(3)] == [100, 10, 1]


def test_the_courses_widgets_are_all_found():
    from mlp_core.course.widgets.base import FigureWidget

    classes, _ = wb.discover_widgets()
    assert classes and all(issubclass(cls, FigureWidget) for _, cls in classes)


# ----- the report and a whole run ---------------------------------------------------------------
def fake(key, rate, sizes=(784, 30, 10), batch=10):
    return Measurement(sizes, batch, key, [rate * 0.9, rate, rate * 1.1])


def test_targets_say_met_or_not_met_from_the_ratios():
    big = (784, 100, 10)
    measured = [fake("mlp_core", 50_000), fake("post", 4_000), fake("torch64", 40_000),
                fake("sklearn", 20_000), fake("mlp_core", 100_000, batch=128),
                fake("ceiling", 125_000, batch=128), fake("torch64", 50_000, batch=128),
                fake("mlp_core", 90_000, big, 128), fake("torch64", 60_000, big, 128)]
    assert report.ratios(measured, "torch64") == [((784, 30, 10), 10, 1.25),
                                                  ((784, 30, 10), 128, 2.0),
                                                  (big, 128, 1.5)]
    table = report.targets_table(measured)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines()}
    assert rows["≥ 8× the post's per-sample algorithm at batch 10"].endswith("| met |")
    assert "**not met**" in rows["≥ 2.5× PyTorch CPU float64 at batch 10"]
    row = rows["≥ 1.4× PyTorch CPU float64 at [784, 100, 10] batch 128"]
    assert row.endswith("| met |") and "b128: 1.5×" in row and "784, 30" not in row
    assert "80%" in rows["≥ 70% of the matmul ceiling at batch 128"]
    assert rows["≥ 2× scikit-learn's MLPClassifier at batch 10"].endswith("| met |")
    lines = report.throughput_table(measured).splitlines()
    assert len(lines) == 2 + 3 and "50k (45k–55k)" in lines[2]


def test_targets_say_where_even_the_ceiling_falls_short():
    # the matrix products alone are 1.6× scikit-learn at batch 10: 2× is out of anyone's reach
    measured = [fake("mlp_core", 90_000, batch=128), fake("ceiling", 120_000, batch=128),
                fake("sklearn", 75_000, batch=128), fake("mlp_core", 50_000),
                fake("ceiling", 32_000), fake("sklearn", 20_000)]
    assert sorted(report.out_of_reach(measured, "sklearn", 2.0)) == [
        ((784, 30, 10), 10, 1.6, "the matrix products alone (the ceiling)"),
        ((784, 30, 10), 128, 1.6, "the matrix products alone (the ceiling)")]
    table = report.targets_table(measured)
    row = next(line for line in table.splitlines() if "MLPClassifier" in line)
    assert "Out of reach" in row and "[784, 30, 10] b10: the matrix products alone" in row
    assert "1.60× as fast" in row
    assert "b128" not in row                           # the target is at batch 10 only
    assert "Out of reach" not in next(line for line in table.splitlines() if "≥ 70%" in line)


def test_the_ceiling_target_also_shows_the_tighter_ceilings():
    measured = [fake("mlp_core", 90_000, batch=128), fake("ceiling", 150_000, batch=128),
                fake("ceiling_gather", 112_500, batch=128),
                fake("ceiling_sigmoid", 100_000, batch=128)]
    row = next(line for line in report.targets_table(measured).splitlines() if "≥ 70%" in line)
    assert "[784, 30, 10] b128: 60%" in row and row.endswith("**not met** |")
    assert "Of the products and the batch gather: [784, 30, 10] b128: 80%" in row
    assert "Of the products, the batch gather and σ: [784, 30, 10] b128: 90%" in row


def test_out_of_reach_takes_the_tightest_ceiling_of_each_case():
    # [784, 100, 10] b128: the products alone are 1.6× PyTorch, with the gather and σ only 1.3×
    big = (784, 100, 10)
    measured = [fake("mlp_core", 80_000, big, 128), fake("torch64", 62_500, big, 128),
                fake("ceiling", 100_000, big, 128), fake("ceiling_gather", 93_750, big, 128),
                fake("ceiling_sigmoid", 81_250, big, 128),
                fake("mlp_core", 50_000), fake("torch64", 20_000), fake("ceiling", 90_000)]
    assert report.out_of_reach(measured, "torch64", 1.4) == [
        (big, 128, 1.3, "the products, the batch gather and σ")]
    assert report.out_of_reach(measured, "torch64", 1.2) == []
    assert report._under(1.4996) == "1.49"             # under 1.5 never reads as 1.50
    row = next(line for line in report.targets_table(measured).splitlines()
               if "[784, 100, 10] batch 128" in line)
    assert "[784, 100, 10] b128: the products, the batch gather and σ, 1.30× as fast" in row
    assert row.endswith("**not met** |")


class CountingRows(np.ndarray):
    """An array that records the rows each ``X[idx]`` with an index array asks for."""

    def __getitem__(self, key):
        if isinstance(key, np.ndarray):
            self.asked.append(sorted(key.tolist()))
        return np.asarray(self).__getitem__(key)


def test_the_gather_ceilings_gather_a_new_batch_every_step():
    X, y = tiny_data()                                  # 24 samples: 4 whole batches of 5
    for make, batches in ((peers.make_matmul_gather_ceiling, 4),
                          (peers.make_matmul_sigmoid_ceiling, 4), (peers.make_matmul_ceiling, 0)):
        counted = X.view(CountingRows)
        counted.asked = []
        run_ = make(SIZES, 5, counted, y, 0.5, 0, 2)
        counted.asked.clear()                           # (building it may look at X)
        assert run_() == 40
        assert len(counted.asked) == 2 * batches
        if batches:                                     # each epoch: 20 different samples
            assert len({i for rows in counted.asked[:4] for i in rows}) == 20


def test_the_sigmoid_ceiling_applies_sigma_to_every_layer_of_every_step(monkeypatch):
    X, y = tiny_data()                                  # 4 whole batches of 5, 2 layers
    for make, calls in ((peers.make_matmul_sigmoid_ceiling, 2 * 4 * 2),
                        (peers.make_matmul_gather_ceiling, 0)):
        seen = []
        monkeypatch.setattr(peers, "expit", lambda z, out, seen=seen: seen.append(z.shape) or out)
        assert make(SIZES, 5, X, y, 0.5, 0, 2)() == 40
        assert len(seen) == calls and set(seen) <= {(n, 5) for n in SIZES[1:]}


def test_a_small_run_writes_the_tables_the_chart_and_the_numbers(tmp_path, widget_package):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "01_tiny.ipynb", "print(1)")
    out = tmp_path / "results"
    results = run.main(["--out", str(out), "--networks", "6,5,3", "--batches", "4,10",
                        "--samples", "40", "--repeats", "2", "--pause", "0", "--gemm-size", "32",
                        "--implementations", "mlp_core,post,post_scipy,sklearn,ceiling",
                        "--memory-samples", "200", "--memory-network", "6,5,3",
                        "--notebooks", str(notebooks), "--lesson-repeats", "1",
                        "--widgets", widget_package, "--widget-repeats", "2",
                        "--skip", "browser"])           # (tests/test_bench_browser.py)
    page = (out / "results.md").read_text()
    for heading in ("## Training throughput", "## Targets", "## Lessons", "## Widgets"):
        assert heading in page
    assert "kernel" in page and "OPENBLAS_CORETYPE" in page
    assert "| [6, 5, 3] | 10 |" in page and "| 01_tiny |" in page
    assert (out / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / "results.json").read_text())
    assert len(saved["throughput"]) == len(results["throughput"]) == 2 * 4 + 1
    assert saved["memory"]["sizes"] == [6, 5, 3]
    assert saved["gemm"]["n"] == 32 and "One large product on this core" in page


def test_the_command_line_refuses_unknown_parts():
    with pytest.raises(SystemExit):
        run.parse_args(["--skip", "everything"])


# ----- the browser part, without a browser (tests/test_bench_browser.py runs it) -------------
def test_the_browser_part_moves_each_widgets_slowest_control_that_redraws_if_any():
    def row(widget, action, median, **more):
        return {"widget": widget, "action": action, "ms": [median], "median_ms": median,
                "budget_ms": 50, **more}

    rows = [row("a.A", "slider x", 10), row("a.A", "choice kind", 30), row("a.A", "step", 90),
            row("b.B", "redraw", 5), row("c.C", "slider n", 40, redraws=False),
            row("c.C", "button go", 20), {"widget": "d.D", "action": "-", "error": "broken"},
            {"widget": "e.E", "action": "slider y", "error": "raised"},
            row("f.F", "slider N", 18, redraws=False), row("f.F", "slider M", 9, redraws=False)]
    chosen = browser.heaviest(rows)
    assert {name: r and r["action"] for name, r in chosen.items()} == \
        {"a.A": "choice kind", "b.B": None, "c.C": "button go", "e.E": None, "f.F": "slider N"}
    assert list(browser.heaviest(rows, only=["c.C"])) == ["c.C"]


def test_a_control_that_redraws_no_picture_is_timed_to_the_text_it_changes():
    shapes = {"widget": "shapes.ShapesWidget", "action": "slider batch N", "redraws": False}
    package = "mlp_core.course.widgets"
    assert browser.output_of(package, "shapes.ShapesWidget", shapes) == "table"
    assert browser.output_of(package, "neuron.NeuronWidget", {"action": "slider w"}) == "image"
    assert browser.waited_for("table") == "new table painted"
    assert browser.waited_for(browser.PICTURE) == "new picture painted"


def test_a_missing_browser_is_reported_as_skipped_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "missing", lambda: "/usr/bin/chromium is missing (apt-get)")
    results = run.main(["--out", str(tmp_path), "--skip", "throughput,memory,lessons,widgets"])
    assert results["browser"] == {"skipped": "/usr/bin/chromium is missing (apt-get)"}
    page = (tmp_path / "results.md").read_text()
    assert "| slider to new picture in a real browser under 150 ms median | skipped: " \
        "/usr/bin/chromium is missing (apt-get) | skipped |" in page
    assert "## Widgets in a real browser\n\nSkipped: /usr/bin/chromium is missing" in page
    assert json.loads((tmp_path / "results.json").read_text())["browser"]["skipped"]


def test_the_browser_table_and_target_say_met_or_not():
    move = {"ms": 90.0, "to_change_ms": 40.0, "changed": True}
    part = {"skipped": None, "repeats": 2, "warmup": 2, "budget_ms": 150, "rows": [
        {"widget": "a.A", "action": "slider x", "in_process_ms": 12.0, "budget_ms": 150,
         "ms": [80.0, 100.0], "median_ms": 90.0, "moves": [move, {**move, "changed": False}]},
        {"widget": "b.B", "action": "-", "note": browser.NO_CONTROL},
        {"widget": "s.S", "action": "slider N", "in_process_ms": 18.0, "budget_ms": 150,
         "output": "table", "waited_for": "new table painted", "ms": [70.0, 75.0],
         "median_ms": 72.5, "moves": [{**move, "ms": 70.0}, {**move, "ms": 75.0}]}]}
    target = report.browser_target(part)
    assert "slowest a.A (slider x): 90 ms (in process 12 ms)" in target
    assert "3 widgets" not in target and "2 widgets" in target    # the table one counts
    assert "not to a new picture: s.S (new table painted)" in target
    assert "b.B" in target and target.endswith("| met |")
    table = report.browser_table(part).splitlines()
    assert table[2] == "| a.A | slider x | new picture painted | 12.0 | 90 (80–100) | 40 | " \
        "1 of 2 | 150 |"
    assert "not timed: no slider" in table[3]
    assert table[4] == "| s.S | slider N | new table painted | 18.0 | 72 (70–75) | 40 | " \
        "2 of 2 | 150 |"
    part["rows"][2]["median_ms"] = 151.0                   # the table's budget counts too
    assert report.browser_target(part).endswith("| **not met** |")
    part["rows"][2]["median_ms"] = 72.5
    part["rows"][0]["median_ms"] = 150.0
    assert report.browser_target(part).endswith("| **not met** |")
    part["rows"].append({"widget": "c.C", "action": "slider n", "error": "TimeoutError: x"})
    assert "failed: c.C" in report.browser_target(part)


def test_a_redraw_of_the_same_picture_does_not_count_as_redrawing():
    """The training lab's batch size, before any training, redraws the same untrained picture
    (a browser shows no change, so it cannot be the heaviest control timed there); its dataset
    draws new points."""
    rows = {row["action"]: row for row in wb.time_widgets(only=["training_lab.TrainingLab"],
                                                           repeats=2, log=lambda *_: None)}
    assert rows["choice batch size"]["redraws"] is False
    assert rows["choice dataset"]["redraws"] is True


def test_a_steppers_button_goes_back_at_its_last_step_so_every_press_redraws():
    """Lesson 05's stepper has three steps: pressed 2 + 20 times, "next step" alone would stop
    changing anything after the second press; ``Press`` then clicks "back", as the browser
    part does, so the timed presses redraw a new picture."""
    rows = wb.time_widgets(only=["backprop.BackpropStepper"], repeats=4, log=lambda *_: None)
    assert [(row["action"], row["redraws"]) for row in rows] == [("button next step ▶", True)]
