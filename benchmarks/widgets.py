"""Each widget's redraw time: one interaction (the callback plus drawing the figure), median of 20.

Widgets are found when the benchmark runs: every ``FigureWidget`` subclass defined in a module of
``mlp_core.course.widgets``. Each is driven through this small protocol; a widget may define either
method to say how it is used, and the defaults cover the usual cases.

``bench_example()`` (a classmethod) returns a widget as a lesson would show it. Default:
    ``cls()``; when the constructor has required parameters named after the course's arrays
    (``net``, ``X``, ``Y``, ``y``, ``sizes``), small seeded stand-ins: first 40 moons and
    ``MLP([2, 4, 2])``, then 100 digits and ``MLP([64, 16, 10])``. A class that still cannot be
    built is reported, not timed; one that other widgets subclass (a base such as
    ``BlitFigureWidget``) is left out.
``bench_actions()`` returns ``{label: action}``: each action does what one user interaction does,
    callback and redraw included. Default: ``"step"`` for a ``step()`` method (a playground's
    training step, which redraws), and every enabled control a learner moves: each slider moved
    by one notch (back and forth) and each drop-down or toggle set to its next option; or, for a
    widget with none of those, its first button clicked (``Press``: its neighbour while it is
    disabled), or else a plain ``redraw()``.

An action that did not call ``redraw()`` (a callback that only changes artists) gets one, inside
the timing, so every figure is counted as drawn. Budgets: 100 ms for an action whose label starts
with "step" (a training step plus redraw), 50 ms for the others.

Moves back and forth revisit a few values, which a widget may have cached pictures for; so
every slider and drop-down is also swept once through all its values from a fresh widget
(``time_first_visits``), and those first visits are reported beside the medians.
"""

import importlib
import inspect
import pkgutil
import statistics
import time

import ipywidgets as widgets

from mlp_core.course.widgets.base import FigureWidget

SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider,
           widgets.SelectionSlider)
CHOICES = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)
BUDGET_MS = 50
STEP_BUDGET_MS = 100


def budget_ms(label):
    """The redraw budget of an action: 100 ms for a training step plus redraw, else 50 ms."""
    return STEP_BUDGET_MS if label.startswith("step") else BUDGET_MS


def discover_widgets(package="mlp_core.course.widgets"):
    """Every ``FigureWidget`` subclass defined in a module of ``package``, in module order.

    Returns (classes, failures): classes as ``(module, class)`` pairs, failures as
    ``(module, message)`` for the modules that could not be imported."""
    pkg = importlib.import_module(package)
    classes, failures = [], []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        name = f"{package}.{info.name}"
        try:
            module = importlib.import_module(name)
        except Exception as err:  # (a broken module must not stop the benchmark)
            failures.append((name, f"{type(err).__name__}: {err}"))
            continue
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, FigureWidget)
                    and obj is not FigureWidget and obj.__module__ == name):
                classes.append((name, obj))
    return classes, failures


def stand_ins():
    """Small seeded stand-ins for the constructor parameters named after the course's arrays:
    one dict for 2-D points, one for 8×8 digits, tried in that order."""
    from mlp_core import MLP
    from mlp_core.datasets import load_digits, make_moons

    X, y = make_moons(40, noise=0.1, seed=0)
    yield {"net": MLP([2, 4, 2], seed=0), "X": X, "Y": y, "y": y, "sizes": [2, 4, 2]}
    X, y = load_digits()
    X, y = X[:100], y[:100]
    yield {"net": MLP([64, 16, 10], seed=0), "X": X, "Y": y, "y": y, "sizes": [64, 16, 10]}


def example(cls):
    """A widget of class ``cls`` built by its ``bench_example()``, or by the defaults above.
    Raises TypeError naming the parameters it could not fill."""
    if hasattr(cls, "bench_example"):
        return cls.bench_example()
    required = [p for p in inspect.signature(cls).parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if not required:
        return cls()
    error = None
    for known in stand_ins():
        missing = [p.name for p in required if p.name not in known]
        if missing:
            raise TypeError(f"needs {', '.join(missing)}: define bench_example()")
        try:
            return cls(**{p.name: known[p.name] for p in required})
        except Exception as err:     # these stand-ins do not fit: try the next ones
            error = err
    raise TypeError(f"{type(error).__name__} from every stand-in for "
                    f"{', '.join(p.name for p in required)} ({error}): "
                    "define bench_example()") from error


def controls_of(widget):
    """Every control inside ``widget``, depth first, in display order."""
    for child in getattr(widget, "children", ()):
        yield child
        yield from controls_of(child)


class Press:
    """Clicks a button; while it is disabled (a stepper at its last step), the first enabled
    other button of the widget (its "back"), so every call changes something, as the browser
    part's clicks do."""

    def __init__(self, button, others):
        self.button, self.others = button, others

    def __call__(self):
        enabled = [b for b in (self.button, *self.others) if not b.disabled]
        if enabled:
            enabled[0].click()


class Nudge:
    """Moves a slider one notch per call, back and forth between its ends."""

    def __init__(self, slider):
        self.slider = slider
        self.direction = 1

    def __call__(self):
        s = self.slider
        if isinstance(s, widgets.SelectionSlider):
            if not 0 <= s.index + self.direction < len(s.options):
                self.direction = -self.direction
            s.index = s.index + self.direction
            return
        if isinstance(s, widgets.FloatLogSlider):
            lo, hi = s.base ** s.min, s.base ** s.max
            factor = s.base ** s.step
            if not lo <= (s.value * factor if self.direction > 0 else s.value / factor) <= hi:
                self.direction = -self.direction
            s.value = s.value * factor if self.direction > 0 else s.value / factor
            return
        if not s.min <= s.value + self.direction * s.step <= s.max:
            self.direction = -self.direction
        s.value = s.value + self.direction * s.step


class NextOption:
    """Sets a drop-down (or toggle) to its next option per call, wrapping around."""

    def __init__(self, choice):
        self.choice = choice

    def __call__(self):
        self.choice.index = (self.choice.index + 1) % len(self.choice.options)


def sweep_values(control):
    """Every value of a slider or drop-down but the current one, in the order a sweep visits
    them: the values above the current one rising, then from the lowest up to it (so each value
    is met once, never twice)."""
    if isinstance(control, (widgets.SelectionSlider, *CHOICES)):
        values, now = list(range(len(control.options))), control.index
    elif isinstance(control, widgets.FloatLogSlider):
        n = round((control.max - control.min) / control.step)
        values = [control.base ** (control.min + k * control.step) for k in range(n + 1)]
        now = min(range(n + 1), key=lambda k: abs(values[k] - control.value))
    else:
        n = round((control.max - control.min) / control.step)
        values = [control.min + k * control.step for k in range(n + 1)]
        now = min(range(n + 1), key=lambda k: abs(values[k] - control.value))
    return values[now + 1:] + values[:now]


def set_value(control, value):
    """Move ``control`` to ``value`` (an index for drop-downs and selection sliders)."""
    if isinstance(control, (widgets.SelectionSlider, *CHOICES)):
        control.index = value
    else:
        control.value = value


def time_first_visits(widget, control):
    """Milliseconds of each move of ``control`` to a value not shown before, from a fresh
    ``widget``: what a learner waits for on the first sweep of a slider, when no cached
    picture can help."""
    draw = widget.redraw
    calls = [0]

    def counted():
        calls[0] += 1
        return draw()

    widget.redraw = counted
    try:
        times = []
        for value in sweep_values(control):
            before = calls[0]
            start = time.perf_counter()
            set_value(control, value)
            if calls[0] == before:
                draw()
            times.append((time.perf_counter() - start) * 1e3)
    finally:
        del widget.redraw
    return times


def actions(widget):
    """``{label: action}`` for ``widget``: its ``bench_actions()``, or the defaults above."""
    if hasattr(widget, "bench_actions"):
        return dict(widget.bench_actions())
    found = {}
    if callable(getattr(widget, "step", None)):
        found["step"] = widget.step
    controls = [c for c in controls_of(widget) if not getattr(c, "disabled", False)]
    moved = 0
    for control in controls:
        if isinstance(control, SLIDERS):
            kind, action = "slider", Nudge(control)
        elif isinstance(control, CHOICES) and len(control.options) > 1:
            kind, action = "choice", NextOption(control)
        else:
            continue
        label = f"{kind} {control.description or type(control).__name__}"
        while label in found:                       # two controls with the same description
            label += "'"
        found[label] = action
        moved += 1
    button = next((c for c in controls if isinstance(c, widgets.Button)), None)
    if not moved and button is not None and not found:
        others = [c for c in controls_of(widget) if isinstance(c, widgets.Button)
                  and c is not button]
        found[f"button {button.description}"] = Press(button, others)
    if not found:
        found["redraw"] = widget.redraw
    return found


def time_action(widget, action, repeats=20, warmup=2, redrew=None):
    """Milliseconds per call of ``action()``, ``repeats`` times after ``warmup`` untimed calls.
    A call that did not redraw the widget gets a ``redraw()`` inside its timing. ``redrew``, if
    given, is a list: each timed call appends whether it redrew the widget by itself to a
    picture that differs from the one before (a redraw of the same picture, such as the training
    lab's batch size before any training, changes nothing a learner sees)."""
    draw = widget.redraw
    calls = [0]

    def counted():
        calls[0] += 1
        return draw()

    widget.redraw = counted                 # the callbacks call self.redraw(): count them
    try:
        times = []
        for i in range(warmup + repeats):
            before, shown = calls[0], widget.image.value
            start = time.perf_counter()
            action()
            drawn = calls[0] > before
            if not drawn:
                draw()
            if i >= warmup:
                times.append((time.perf_counter() - start) * 1e3)
                if redrew is not None:
                    redrew.append(drawn and widget.image.value != shown)
    finally:
        del widget.redraw
    return times


def time_widgets(package="mlp_core.course.widgets", repeats=20, log=print, only=None):
    """Every widget of ``package`` (or those named in ``only``, as ``module.Class``), every
    action. Returns one dict per (widget, action): ``widget``, ``action``, ``ms`` (the times),
    ``median_ms``, ``budget_ms``, ``first_ms`` (``time_first_visits``, for a slider or a
    drop-down) and ``redraws`` (a timed call redrew the picture by itself, to a new picture:
    a stepper's "next" does until its last step); or ``error``
    instead of ``ms`` when the widget could not be built or driven."""
    classes, failures = discover_widgets(package)
    rows = [{"widget": name, "action": "-", "error": f"import failed: {msg}"}
            for name, msg in failures if not only]
    bases = {base for _, cls in classes for base in cls.__mro__[1:]}
    for module, cls in classes:
        name = f"{module.rsplit('.', 1)[-1]}.{cls.__name__}"
        if only and name not in only:
            continue
        try:
            widget = example(cls)
        except Exception as err:  # (reported in the table, the run goes on)
            if cls in bases:
                continue                          # a base class for other widgets
            rows.append({"widget": name, "action": "-",
                         "error": f"{type(err).__name__}: {err}"[:200]})
            log(f"  {name}: not built: {err}")
            continue
        for label, action in actions(widget).items():
            try:
                redrew = []
                ms = time_action(widget, action, repeats, redrew=redrew)
                swept = isinstance(control_of(action), (*SLIDERS, *CHOICES))
                first = first_visits(cls, label) if swept else []
            except Exception as err:
                rows.append({"widget": name, "action": label,
                             "error": f"{type(err).__name__}: {err}"[:200]})
                continue
            rows.append({"widget": name, "action": label, "ms": ms,
                         "median_ms": statistics.median(ms), "budget_ms": budget_ms(label),
                         "first_ms": first, "redraws": any(redrew)})
    return rows


def first_visits(cls, label):
    """``time_first_visits`` for the control behind action ``label`` of a fresh ``cls``."""
    widget = example(cls)
    return time_first_visits(widget, control_of(actions(widget)[label]))


def control_of(action):
    """The control behind an action of ``actions()``: the slider of a ``Nudge``, the drop-down
    (or toggle) of a ``NextOption``, the button of a ``Press`` or whose ``click`` it is; None
    for any other action (a ``step()``, a ``redraw()``, what a widget's ``bench_actions()``
    returns)."""
    control = (getattr(action, "slider", None) or getattr(action, "choice", None)
               or getattr(action, "button", None))
    owner = getattr(action, "__self__", None)
    if control is None and isinstance(owner, widgets.Button) and action == owner.click:
        control = owner
    return control


TEXT_OUTPUTS = (widgets.HTML, widgets.HTMLMath, widgets.Label)


def text_output_of(cls, label):
    """The name of the attribute of a fresh ``cls`` (built by ``example``) holding the text
    output (an HTML, HTMLMath or Label widget) that action ``label`` changes, the first in
    attribute order (the shapes widget's batch N: ``"table"``); None when it changes none."""
    widget = example(cls)
    texts = {name: w for name, w in vars(widget).items() if isinstance(w, TEXT_OUTPUTS)}
    before = {name: w.value for name, w in texts.items()}
    actions(widget)[label]()
    return next((name for name, w in texts.items() if w.value != before[name]), None)
