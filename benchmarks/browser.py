"""Latency as a student feels it: from moving a control in a real browser to the new picture on
screen, for the heaviest control of each widget.

Which control: for every widget the in-process part (``benchmarks/widgets.py``) timed, the
control (slider, drop-down or toggle, or button) whose in-process median was the slowest in the
same run, among those whose callback redraws the picture itself to a new one. Actions that are
not a control a learner moves (a playground's ``step()``, a plain ``redraw()``, a widget's own
``bench_actions()``) are not candidates; a widget with none is reported, not timed. With
``--skip widgets`` the run times the widgets in process first, for this choice only.

**A widget whose controls never redraw the picture** (the shapes widget: its batch N only
rewrites the table of shapes) is timed on its slowest control all the same, to the output that
control does change: the text output (an HTML or Label widget, ``widgets.text_output_of``)
it rewrites, the shape table. Its row says so (``output`` and ``waited_for``: "new table
painted" instead of "new picture painted"), and the target counts it like the others.

How: each widget gets a notebook of its own that builds it exactly as the in-process part does
(``widgets.example``) and marks the chosen control and the output to wait for (the figure's
``<img>``, or the text output) with a CSS class.
Voila serves them from a temporary folder on 127.0.0.1 (kernels with one BLAS thread, as
``make bench`` runs); headless Debian Chromium (``/usr/bin/chromium``), driven by Playwright,
opens one page at a time and, after 2 unmeasured moves, makes ``repeats`` (default 10) moves:

- a slider: focus its handle, press ArrowRight (ArrowLeft), one notch, reversing at the ends;
- a drop-down: focus the ``<select>``, press ArrowDown (ArrowUp), reversing at the ends;
- toggle or radio buttons: click the next option, wrapping round;
- a button: click it; when it is disabled (a stepper at its last step), the first enabled
  button beside it (back), which enables it again.

What is measured, all on the page's clock (``performance.now()``):

- **start**: the ``timeStamp`` of the move's first input event (``keydown`` or ``pointerdown``),
  seen by a capture listener on ``window``, before the widget's own handlers;
- **stop**: a ``MutationObserver`` sees the figure ``<img>`` get a new ``src`` (the kernel's
  callback ran, drew the PNG, and the new image arrived over the websocket), then the image's
  ``decode()`` resolves and two ``requestAnimationFrame`` callbacks later (the first runs
  before the next paint, the second after that frame was produced) the clock stops: the new
  picture has been painted. For a text output (the shape table) the observer watches that
  widget's DOM node instead (its children and text), and the two frames follow its first
  change: the new table has been painted.

So a move's time is the keyboard or mouse event, the widget's JavaScript, the websocket round
trip, the kernel's callback and redraw, the PNG's transfer, decode and one frame. A move whose
callback sets the picture more than once is measured to the first new picture; the next move
waits until the picture has stayed the same for ``QUIET_MS``. Every measured move records a
hash of the pixels shown before it and of the picture it measured (drawn on a canvas), or of
the text output's text: the picture (the table) changed when they differ. Target: under 150 ms
median per control.
"""

import importlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import processes
from benchmarks import widgets as widget_bench

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 150
WARMUP = 2
QUIET_MS = 300         # the picture stays the same this long before the next move
PAGE_TIMEOUT = 120     # s for a page to execute its notebook and show the widget
MOVE_TIMEOUT = 20      # s for one move's new picture
KINDS = ("slider", "choice", "button")     # the actions that are a control a learner moves
NO_CONTROL = "no slider, drop-down or button timed in process"
NO_OUTPUT = "its slowest control redraws neither the picture nor a text output"
PICTURE = "image"      # the attribute of a FigureWidget that shows its figure

NOTEBOOK = '''import importlib
import sys

sys.path[:0] = {paths!r}
from benchmarks import widgets as wb

widget = wb.example(getattr(importlib.import_module({module!r}), {cls!r}))
control = wb.control_of(wb.actions(widget)[{label!r}])
control.add_class("bench-control")
getattr(widget, {output!r}).add_class("bench-output")
widget'''

# On the page: the clock, started by the input event and stopped by the painted new output:
# the figure's <img> (a picture) or a text output's node (a table).
READY_JS = """node => node.tagName === 'IMG' ? node.src.startsWith('blob:') && node.complete
                                     : node.innerText.trim() !== ''"""
INSTALL_JS = """node => {
    const picture = node.tagName === 'IMG';
    const bench = window.__bench = {armed: false, stray: 0, picture};
    bench.hash = async () => {     // of the pixels shown, or of the text shown
        let data = new TextEncoder().encode(node.innerText);
        if (picture) {
            const canvas = document.createElement('canvas');
            canvas.width = node.naturalWidth;
            canvas.height = node.naturalHeight;
            const g = canvas.getContext('2d');
            g.drawImage(node, 0, 0);
            data = g.getImageData(0, 0, canvas.width, canvas.height).data;
        }
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
        return [...digest.slice(0, 12)].map(b => b.toString(16).padStart(2, '0')).join('');
    };
    const start = event => {
        if (bench.armed && bench.t0 === null) {
            bench.t0 = event.timeStamp;
            bench.listener = performance.now();
            bench.event = event.type + (event.key ? ' ' + event.key : '');
        }
    };
    for (const type of ['keydown', 'pointerdown', 'mousedown'])
        window.addEventListener(type, start, {capture: true});
    new MutationObserver(() => {
        const now = performance.now();
        if (!bench.armed || bench.t0 === null) { bench.stray += 1; return; }
        bench.mutations.push(now);
        if (bench.mutations.length > 1) return;
        const src = node.src;
        const decoded = picture ? node.decode() : Promise.resolve();
        decoded.catch(error => { bench.decodeError = String(error); }).then(() => {
            bench.decoded = performance.now();
            requestAnimationFrame(() => requestAnimationFrame(async () => {
                bench.painted = performance.now();
                bench.sameSrc = node.src === src;
                bench.hashAfter = await bench.hash();
            }));
        });
    }).observe(node, picture ? {attributes: true, attributeFilter: ['src']}
                             : {childList: true, subtree: true, characterData: true});
}"""
ARM_JS = """async () => {
    const bench = window.__bench;
    bench.armed = false;
    const before = await bench.hash();
    Object.assign(bench, {armed: true, t0: null, listener: null, event: null, mutations: [],
                          decoded: null, painted: null, hashBefore: before, hashAfter: null,
                          decodeError: null, sameSrc: null});
}"""
DISARM_JS = "() => { window.__bench.armed = false; window.__bench.t0 = null; }"
PAINTED_JS = "() => window.__bench.hashAfter !== null"
QUIET_JS = """quiet => {
    const b = window.__bench;
    return performance.now() - Math.max(b.painted, ...b.mutations) > quiet;
}"""
READ_JS = """() => {
    const b = window.__bench;
    b.armed = false;
    return {t0: b.t0, listener: b.listener, event: b.event, mutation: b.mutations[0],
            decoded: b.decoded, painted: b.painted, changes: b.mutations.length,
            picture: b.picture,
            hash_before: b.hashBefore, hash_after: b.hashAfter, same_src: b.sameSrc,
            decode_error: b.decodeError};
}"""

# A slider's value as exactly as the page knows it (noUiSlider's own, its aria-valuenow is
# rounded to one decimal), and its read-out; a drop-down's selected index.
VALUE_JS = """e => {
    if (e.tagName === 'SELECT') return String(e.selectedIndex);
    const slider = e.closest('.noUi-target'), box = e.closest('.widget-slider');
    const readout = box && box.querySelector('.widget-readout');
    return [slider && slider.noUiSlider ? slider.noUiSlider.get() : '', e.ariaValueNow,
            readout ? readout.textContent : ''].join(' | ');
}"""


def missing():
    """Why the browser part cannot run here (Playwright, Voila or Chromium missing), or None."""
    for module, install in (("playwright.sync_api", "pip install playwright"),
                            ("voila", "pip install voila")):
        try:
            importlib.import_module(module)
        except ImportError:
            return f"{module.split('.')[0]} is not installed ({install})"
    if not Path(processes.CHROMIUM).exists():
        return f"{processes.CHROMIUM} is missing (apt-get install chromium)"
    return None


def heaviest(widget_rows, only=None):
    """{widget: row} of each widget's slowest control in ``widget_rows`` (the in-process part's
    rows): of its actions of kind slider, choice or button, those that redraw the picture
    itself to a new one, or, when none does, all of them; of these, the one with the largest
    median. A widget with no such action maps to None. ``only``, if given, limits the widgets
    (names as ``module.Class``)."""
    controls = {}
    for row in widget_rows:
        name = row["widget"]
        if only and name not in only or row["action"] == "-":
            continue
        controls.setdefault(name, [])
        if "ms" in row and row["action"].split(" ", 1)[0] in KINDS:
            controls[name].append(row)
    return {name: max(rows, key=lambda r: (r.get("redraws", True), r["median_ms"]),
                      default=None) for name, rows in controls.items()}


def output_of(package, widget, row):
    """The attribute of ``widget`` (``module.Class`` in ``package``) whose change the browser
    waits for when the control of ``row`` moves: ``PICTURE`` when it redraws the picture, else
    the text output it rewrites (``widgets.text_output_of``), or None."""
    if row.get("redraws", True):
        return PICTURE
    module, cls = widget.rsplit(".", 1)
    return widget_bench.text_output_of(
        getattr(importlib.import_module(f"{package}.{module}"), cls), row["action"])


def waited_for(output):
    """What a move of a control whose ``output`` (``output_of``) is measured waits for."""
    return "new picture painted" if output == PICTURE else f"new {output} painted"


def write_notebook(folder, package, widget, label, output=PICTURE):
    """Write ``folder/<widget>.ipynb``, which shows ``widget`` (``module.Class`` in
    ``package``) built as the in-process part builds it, the control behind action ``label``
    marked ``bench-control`` and the output to wait for (its attribute ``output``: the
    figure's image, or a text output) ``bench-output``. Returns its name."""
    import nbformat

    module, cls = widget.rsplit(".", 1)
    top = importlib.import_module(package.split(".")[0])
    paths = list(dict.fromkeys([str(ROOT), str(Path(top.__path__[0]).parent)]))
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK.format(
        paths=paths, module=f"{package}.{module}", cls=cls, label=label, output=output))]
    name = f"{widget}.ipynb"
    nbformat.write(nb, Path(folder) / name)
    return name


class Mover:
    """One control on the page and how a learner moves it: ``move(arm)`` makes one move, calling
    ``arm()`` just before the input event that makes it (again, if the first was lost at an
    end of a slider or a drop-down). Returns what was done."""

    def __init__(self, control):
        self.control = control
        self.direction = 1
        if control.locator(".noUi-handle").count():
            self.kind, self.target = "slider", control.locator(".noUi-handle").first
            self.keys = ("ArrowLeft", "ArrowRight")
        elif control.locator("select").count():
            self.kind, self.target = "dropdown", control.locator("select").first
            self.keys = ("ArrowUp", "ArrowDown")
        elif control.locator("button.widget-toggle-button").count():
            self.kind, self.options = "toggle", control.locator("button.widget-toggle-button")
        elif control.locator("input[type=radio]").count():
            self.kind, self.options = "radio", control.locator("input[type=radio]")
        else:
            self.kind = "button"

    def _value(self):
        return self.target.evaluate(VALUE_JS)

    def move(self, arm):
        """One move of the control; see the class."""
        if self.kind in ("slider", "dropdown"):
            self.target.focus()
            for _ in range(2):
                before = self._value()
                arm()
                key = self.keys[self.direction > 0]
                self.target.press(key)
                if self._value() != before:
                    now = self._value()
                    return f"{key} ({before.split(' | ')[0]} → {now.split(' | ')[0]})"
                self.direction = -self.direction          # at an end: the other way
            raise RuntimeError(f"the {self.kind} did not move either way")
        if self.kind in ("toggle", "radio"):
            on = self.options.evaluate_all(
                "els => els.findIndex(e => e.classList.contains('mod-active') || e.checked)")
            target = (on + 1) % self.options.count()
            arm()
            self.options.nth(target).click()
            return f"click option {target}"
        if self.control.is_disabled():       # a stepper at its last step: back, then on again
            other = self.control.locator("xpath=..").locator("button:not([disabled])").first
            arm()
            other.click()
            return f"click {other.inner_text().strip()!r} (this one is disabled)"
        arm()
        self.control.click()
        return "click"


def measure_page(context, url, repeats, warmup=WARMUP):
    """Open ``url`` (a notebook written by ``write_notebook``) in the browser ``context``, make
    ``warmup`` then ``repeats`` moves of its marked control and return one dict per measured
    move: ``ms`` (input event to the marked output painted anew), ``to_change_ms`` (to its
    first change: the picture's new ``src``, the table's new DOM), ``decode_ms`` (new ``src``
    to decoded; None for a text output), ``event``, ``move``, ``changes`` (how many times the
    observer saw it change), ``changed`` (the pixels, or the text, differ from those shown
    before the move) and the hashes. Raises RuntimeError with what the page shows when
    something does not happen in time."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(PAGE_TIMEOUT * 1000)
    try:
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_load_state("load")
            output = page.locator(".bench-output").first
            control = page.locator(".bench-control").first
            control.wait_for()
            page.wait_for_function(READY_JS, arg=output.element_handle())
        except Exception as error:
            shown = page.evaluate("() => document.body ? document.body.innerText : ''")
            raise RuntimeError(f"no widget within {PAGE_TIMEOUT} s ({error}); JavaScript "
                               f"errors: {errors}; page: {shown[-1500:]!r}") from None
        control.scroll_into_view_if_needed()
        output.evaluate(INSTALL_JS)
        page.set_default_timeout(MOVE_TIMEOUT * 1000)
        mover = Mover(control)
        moves = []
        for i in range(warmup + repeats):
            done = mover.move(lambda: page.evaluate(ARM_JS))
            try:
                page.wait_for_function(PAINTED_JS, polling=10)
            except Exception:
                page.evaluate(DISARM_JS)
                raise RuntimeError(f"move {i + 1} ({done}): the output did not change within "
                                   f"{MOVE_TIMEOUT} s; JavaScript errors: {errors}") from None
            page.wait_for_function(QUIET_JS, arg=QUIET_MS, polling=50)
            seen = page.evaluate(READ_JS)
            if i < warmup:
                continue
            moves.append({
                "ms": round(seen["painted"] - seen["t0"], 2),
                "to_change_ms": round(seen["mutation"] - seen["t0"], 2),
                "decode_ms": round(seen["decoded"] - seen["mutation"], 2)
                if seen["picture"] else None,
                "listener_lag_ms": round(seen["listener"] - seen["t0"], 2),
                "event": seen["event"], "move": done, "changes": seen["changes"],
                "changed": seen["hash_before"] != seen["hash_after"],
                "hash_before": seen["hash_before"], "hash_after": seen["hash_after"],
                "decode_error": seen["decode_error"]})
        if errors:
            raise RuntimeError(f"JavaScript errors: {errors}")
        return moves
    finally:
        page.close()


def time_in_browser(widget_rows, package="mlp_core.course.widgets", repeats=10, only=None,
                    log=print):
    """The browser part: each widget's heaviest control (``heaviest``) moved ``repeats`` times
    in Chromium, served by Voila. Returns ``{"skipped": reason}`` when a tool is missing, else
    ``{"skipped": None, "repeats", "warmup", "budget_ms", "rows"}``: one row per widget with
    ``widget``, ``action`` (the in-process label), ``output`` and ``waited_for`` (what each move
    waited for: ``output_of``, ``waited_for``), ``in_process_ms`` (its in-process median), ``ms``
    (the browser times), ``median_ms``, ``moves`` (``measure_page``'s dicts) and ``budget_ms``;
    or ``error`` instead of the times, or ``note`` when there was nothing to time."""
    why = missing()
    if why:
        log(f"  skipped: {why}")
        return {"skipped": why}
    chosen = heaviest(widget_rows, only)
    rows = [{"widget": name, "action": "-", "error": "no such widget timed in process"}
            for name in only or () if name not in chosen]
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        folder = Path(tmp)
        served = {}
        for widget, row in chosen.items():
            output = row and output_of(package, widget, row)
            if output is None:
                rows.append({"widget": widget, "action": row["action"] if row else "-",
                             "note": NO_OUTPUT if row else NO_CONTROL})
            else:
                row = {**row, "output": output}
                served[widget] = (row, write_notebook(folder, package, widget, row["action"],
                                                      output))
        try:
            if served:
                rows += _serve_and_time(folder, served, repeats, log)
        except Exception as err:       # Voila or Chromium did not start: say so, go on
            first = (str(err).strip().splitlines() or [""])[0]
            log(f"  not timed: {err}")
            rows += [{"widget": widget, "action": row["action"], "budget_ms": BUDGET_MS,
                      "error": f"{type(err).__name__}: {first}"[:300]}
                     for widget, (row, _) in served.items()]
    order = list(chosen)
    rows.sort(key=lambda r: order.index(r["widget"]) if r["widget"] in order else -1)
    return {"skipped": None, "repeats": repeats, "warmup": WARMUP, "budget_ms": BUDGET_MS,
            "rows": rows}


def _serve_and_time(folder, served, repeats, log):
    """Voila on ``folder``, one Chromium, and ``_timed`` for each of ``served``
    ({widget: (in-process row, notebook name)}); everything started is stopped at the end."""
    port, token = processes.free_port(), secrets.token_hex(16)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    from playwright.sync_api import sync_playwright

    voila = processes.start_voila(folder, port, token, folder / "voila.log", env)
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(folder / "profile"), executable_path=processes.CHROMIUM,
                args=processes.CHROMIUM_ARGS, headless=True,
                viewport={"width": 1280, "height": 900})
            try:
                return [_timed(context, f"http://127.0.0.1:{port}/voila/render/{name}"
                               f"?token={token}", widget, row, repeats, log)
                        for widget, (row, name) in served.items()]
            finally:
                context.close()
    finally:
        processes.stop(voila)


def _timed(context, url, widget, row, repeats, log):
    """One widget's row of ``time_in_browser``."""
    out = {"widget": widget, "action": row["action"], "output": row["output"],
           "waited_for": waited_for(row["output"]), "in_process_ms": row["median_ms"],
           "budget_ms": BUDGET_MS}
    started = time.perf_counter()
    try:
        moves = measure_page(context, url, repeats)
    except Exception as err:       # (reported in the table, the run goes on)
        log(f"  {widget} ({row['action']}): not timed: {err}")
        first = (str(err).strip().splitlines() or [""])[0]
        return {**out, "error": f"{type(err).__name__}: {first}"[:300]}
    ms = [m["ms"] for m in moves]
    log(f"  {widget} ({row['action']}, {out['waited_for']}): median "
        f"{statistics.median(ms):.0f} ms in the browser, "
        f"{row['median_ms']:.0f} ms in process ({time.perf_counter() - started:.0f} s)")
    return {**out, "ms": ms, "median_ms": statistics.median(ms), "moves": moves}


if __name__ == "__main__":        # a quick look: python -m benchmarks.browser neuron.NeuronWidget
    names = sys.argv[1:] or None
    rows = widget_bench.time_widgets(repeats=5, log=print, only=names)
    print(time_in_browser(rows, repeats=3, only=names))
