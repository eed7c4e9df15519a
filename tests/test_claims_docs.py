"""The numbers and answers that docs/teaching.md and the README state about the lessons, the
widgets and the tools, where no printed output of a lesson says them: each is computed here from
the code the lesson runs, so a change that moves one fails a test instead of leaving the guide
wrong. (Numbers a lesson prints beside its text are watched by nbval instead.)"""

import functools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from mlp_core import MLP
from mlp_core.course import checks
from mlp_core.course.mistakes import EXERCISES
from mlp_core.datasets import load_digits, make_moons, one_hot, train_test_split

ROOT = Path(__file__).resolve().parents[1]
TEACHING = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def says(text, phrase):
    """Whether ``text`` contains ``phrase``, whatever the line breaks in either."""
    return " ".join(phrase.split()) in " ".join(text.split())


def section(text, heading):
    """The text of the markdown section that starts with the line ``heading``, up to the next
    heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1:]
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", rest, re.M)]
    return rest[:ends[0]] if ends else rest


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_train, _, y_train, _ = train_test_split(X, y, 0.2, seed=0)
    return X_train, y_train


# ----- which exercises each lesson has -------------------------------------------------------

#: "(exercises 1-2)", "(exercise)" as the guide's learning goals say, per lesson
EXERCISE_COUNTS = {"01": 2, "02": 1, "03": 2, "04": 3, "05": 1, "06": 2, "07": 1, "08": 3,
                   "09": 2, "10": 1}


def test_the_guide_counts_each_lessons_exercises_right():
    counted = {}
    for grade_id in EXERCISES:
        counted[grade_id[:2]] = counted.get(grade_id[:2], 0) + 1
    assert counted == EXERCISE_COUNTS
    for heading in re.findall(r"^### \d\d · .*$", TEACHING, re.M):
        lesson = heading.split()[1]
        goals = " ".join(section(TEACHING, heading).split("**Time.**")[0].split())
        n = EXERCISE_COUNTS.get(lesson)
        if n == 1:
            assert "(exercise)" in goals or "as the exercise," in goals, lesson
        elif n:
            assert f"(exercises 1-{n})" in goals, lesson


def test_lesson_05s_exercise_is_the_tanh_softmax_network_the_guide_names():
    from mlp_core.course.checks.four_equations import backward_case

    net, _, _ = backward_case()
    assert (net.activation, net.output_activation, net.loss_name) == \
        ("tanh", "softmax", "cross_entropy")
    assert says(TEACHING, "tanh hidden layers and a softmax output with cross-entropy")


# ----- lesson 00: the preview's epoch 0 ------------------------------------------------------

def test_preview_is_at_85_percent_before_training_and_96_after_60_epochs():
    from mlp_core.course.widgets.welcome import TrainingPreview

    preview = TrainingPreview(epochs=60, every=5, seed=0)
    preview.slider.value = 0
    assert preview.label.value == "after epoch 0: training accuracy 85%"
    preview.slider.value = 60
    assert preview.label.value == "after epoch 60: training accuracy 96%"
    assert says(TEACHING, "85 % training accuracy at epoch 0 to 96 % at epoch 60")


# ----- lesson 01: NeuronWidget's predictions -------------------------------------------------

def test_neuron_widget_answers():
    from mlp_core.course.widgets.neuron import NeuronWidget

    widget = NeuronWidget(w=1.0, b=0.0)
    widget.set(5.0, 0.0)
    assert widget.summary().endswith(": 88% of x in [-10, 10]")
    widget.set(0.0, 7.0)                      # a constant neuron, saturated everywhere
    assert "flat (w = 0)" in widget.summary()
    assert widget.summary().endswith("for every x: 100% of x in [-10, 10]")
    widget.set(-2.0, 0.0)                     # w < 0 flips the curve: a falls from 1 to 0
    a = widget.curve.get_ydata()
    assert a[0] > 0.99 and a[-1] < 0.01
    assert says(TEACHING, "saturated?* (88 %), then *what does $w = 0, b = 7$ do?* (a constant "
                          "neuron, saturated everywhere)")


# ----- lesson 02: ShapesWidget, the row b ----------------------------------------------------

def test_shapes_widget_row_b_answers_for_64_30_10():
    from mlp_core.course.widgets.shapes import ShapesWidget

    widget = ShapesWidget("2, 3, 2", N=4)
    widget.text.value = "64, 30, 10"                       # typed, then Enter
    assert widget.summary() == "ShapesWidget: sizes [64, 30, 10], N = 4: 2,260 parameters"
    widget.row_bias.value = True
    widget.N.value = 1
    text = widget.summary()
    assert "layer 1: z comes out (30, 30) instead of (30, 1), silently" in text
    assert "adding its row b (1, 10) fails" in text and "stops at layer 2" in text
    widget.N.value = 30
    text = widget.summary()
    assert "right shape (30, 30) but b[j] was added to sample j" in text
    assert "adding its row b (1, 10) fails" in text and "stops at layer 2" in text
    widget.N.value = 4
    assert "stops at layer 1" in widget.summary()
    assert says(TEACHING, "parameter count (2,260)") and says(TEACHING, "move $N$ to 1 and to 30")


# ----- lesson 03: x = (0, 1) lights up the third hidden neuron -------------------------------

def test_forward_widget_third_hidden_neuron_lights_up_for_x_0_1():
    from mlp_core.course.widgets.forward import ForwardWidget

    net = MLP([2, 3, 2], seed=0)                        # lesson 03's hand-set weights
    net.layers[1].W = [[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]]
    net.layers[1].b = [[0.0], [-0.5], [0.5]]
    net.layers[2].W = [[1.0, -1.0, 0.5], [-1.0, 1.0, 0.5]]
    net.layers[2].b = [[0.0], [0.5]]
    widget = ForwardWidget(net, x=[1.0, 0.0])
    widget.sliders[0].value, widget.sliders[1].value = 0.0, 1.0
    assert "(3, 1): [-1.000, 0.000, 2.500]ᵀ → a[1] = σ(z[1]): [0.269, 0.500, 0.924]ᵀ" \
        in widget.label.value
    assert says(TEACHING, "$z = 2.5$,\n$a = 0.92$")


# ----- lesson 04: CostWidget at z = -6 -------------------------------------------------------

def test_cost_widget_at_z_minus_6():
    from mlp_core.course.widgets.cost import CostWidget

    widget = CostWidget(z=-4.0, y=1)
    widget.z_slider.value = -6.0
    assert widget.summary() == ("CostWidget: z = -6.0, a = 0.0025, y = 1; dC/dz quadratic "
                                "-0.0025, cross-entropy -0.9975")


# ----- lesson 05: BackpropStepper has L steps, not L + 1 ------------------------------------

def test_backprop_stepper_opens_on_the_output_layer_and_ends_after_two_presses():
    from mlp_core.course.widgets.backprop import BackpropStepper

    X, labels = make_moons(5, noise=0.1, seed=0)        # lesson 05's batch and network
    stepper = BackpropStepper(MLP([2, 4, 3, 2], init="normal", seed=0), X, one_hot(labels, 2))
    assert stepper.summary() == "BackpropStepper: [2, 4, 3, 2], N = 5, step 1 of 3 (net.layers[3])"
    shown = []
    for _ in range(2):
        assert not stepper.next_button.disabled
        stepper.next_button.click()
        shown.append({k: v.shape for k, v in stepper.shown().items()})
    assert stepper.step == 3 and stepper.layer_index == 1 and stepper.next_button.disabled
    assert shown == [{"delta": (5, 3), "db": (1, 3), "dW": (3, 4)},      # layer 2: delta.T
                     {"delta": (5, 4), "db": (1, 4), "dW": (4, 2)}]      # layer 1
    assert "delta[1] (4, 5) shown as delta.T (5, 4)" in stepper.caption.value
    assert says(TEACHING, "press *next step* twice") and "three times" not in TEACHING


# ----- lesson 07: the training lab's spiral --------------------------------------------------

def test_training_lab_spiral_fails_with_8_units_and_wraps_with_two_layers_of_16():
    from mlp_core.course.widgets.training_lab import TrainingLab

    small = TrainingLab(dataset="spiral", hidden_layers=1, units=8)   # the lab's other defaults
    small.button.click()
    assert small.summary().endswith("100 epochs: train loss 0.239, acc 0.61; "
                                    "test loss 0.224, acc 0.58")     # "about 60 %": it fails
    fix = TrainingLab(dataset="spiral", noise=0.05, hidden_layers=2, units=16,
                      activation="tanh", lr=1.0, batch_size=16, epochs=500)
    fix.button.click()
    assert len(fix.dataset.options) == 5                # "five 2-D datasets"
    text = fix.summary()
    assert text.endswith("500 epochs: train loss 0.023, acc 0.99; test loss 0.096, acc 0.88"), text
    assert says(TEACHING, "about 60 % accuracy with the lab's other defaults")
    assert says(TEACHING, "99 % of the training points, 88 % of the test points")
    # the learning-rate ladder of the guide, 0.01 up to 10, is on the lab's log slider
    assert fix.lr.base ** fix.lr.min <= 0.01 and fix.lr.base ** fix.lr.max == 10


# ----- lesson 09: vanishing gradients ---------------------------------------------------------

def test_each_extra_sigmoid_layer_divides_the_first_layers_speed_by_2_to_8(digits):
    from mlp_core.course.models import deep_net, gradient_norms

    first = [gradient_norms(deep_net(depth, init="xavier", seed=0), *digits)[1]
             for depth in range(1, 6)]                  # lesson 09, section 1's five charts
    factors = np.array(first[:-1]) / np.array(first[1:])
    assert np.round(factors, 1).tolist() == [4.8, 2.4, 7.8, 3.2]
    assert np.all((factors > 2) & (factors < 8))
    assert says(TEACHING, "by 2 to 8 (4.8, 2.4, 7.8 and 3.2 from one to five")


def test_gradient_bars_answers(digits):
    from mlp_core.course.widgets.pitfalls import GradientBars

    bars = GradientBars(*digits, depth=4, init="xavier", activation="sigmoid")
    assert bars.summary().endswith("layers[1] learns 88.3× slower than layers[4]")
    bars.init.value = "small"
    assert bars.summary().endswith("layers[1] learns 543× slower than layers[4]")
    bars.activation.value, bars.init.value = "relu", "he"
    assert bars.summary().endswith("layers[1] learns 5.36× slower than layers[4]")
    bars.init.value = "normal"
    assert bars.summary().endswith("layers[1] gets 67× larger steps than layers[4]")
    for phrase in ("88 times slower than the last hidden layer", "`small`, 543 times",
                   "within a factor of about 5", "layer 1 gets 67 times layer 4's steps"):
        assert says(TEACHING, phrase), phrase


# ----- lesson 10: η = 10 on the circles stops Play by itself --------------------------------

def test_playground_circles_at_lr_10_diverges_in_epoch_3_and_stops_itself():
    from mlp_core.course.widgets.playground import Playground

    playground = Playground()
    playground.controls["dataset"].value = "circles"
    playground.controls["lr"].value = 10.0
    assert playground.step(10) is False                 # stopped early, not by Pause
    assert playground.experiment.epoch == 3
    assert playground.experiment.diverged.startswith("Diverged in epoch 3 (learning rate 10)")
    assert playground.play_button.disabled and playground.step_button.disabled
    assert says(TEACHING, "Play stops by itself when it diverges, in epoch 3")


# ----- the checks' ✗ line for a learner's shape error ----------------------------------------

def test_a_shape_error_is_named_in_one_line_as_the_guide_quotes_it(capsys):
    def backward_pass():
        return np.zeros((3, 5)) + np.zeros((5, 3))

    with pytest.raises(checks.CheckFailed) as failure:
        checks.call("backward_pass", backward_pass)
    assert isinstance(failure.value, AssertionError)    # what nbgrader scores 0
    line = capsys.readouterr().out
    quoted = ("✗ your backward_pass raised ValueError: operands could not be broadcast\n"
              "   together with shapes (3,5) (5,3): check the shape of every array")
    assert says(line, quoted)
    assert says(TEACHING, quoted)


# ----- the guide's commands and files exist --------------------------------------------------

def test_every_make_target_and_test_file_the_docs_name_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    for text in (TEACHING, README.split("## Benchmarks")[0]):
        for target in re.findall(r"`make ([a-z][a-z-]*)", text):
            assert target in targets, target
        for name in re.findall(r"tests/(test_\w+\.py)", text):
            assert (ROOT / "tests" / name).is_file(), name
        for module in re.findall(r"python -m (mlp_core\.tools\.\w+)", text):
            assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module


def test_the_self_study_times_add_up_to_about_12_hours():
    spans = [tuple(map(int, m)) for m in re.findall(r"Self-study (\d+)-(\d+) min", TEACHING)]
    spans += [(60, 60)]                                 # lesson 10: "Self-study 60 min plus ..."
    assert len(spans) == 11
    low, high = (sum(s[i] for s in spans) / 60 for i in (0, 1))
    assert low <= 12 <= high
    assert says(TEACHING, "in order, about 12 hours")


# ----- README: the site's MathJax bundle ------------------------------------------------------

def test_the_bundled_mathjax_is_1_7_mb(tmp_path):
    from mlp_core.tools.site import bundle_mathjax

    assert round(bundle_mathjax(tmp_path) / 1e6, 1) == 1.7
    assert says(README, "bundled into `_site/mathjax/` (1.7 MB)")


# ----- numbers the guide quotes from the lessons' printed outputs ---------------------------

#: lesson → (text a stored output prints, phrase of docs/teaching.md or README.md quoting it)
QUOTED = {
    '00_welcome': [
        ('accuracy before training: 85.0%', '85 % training accuracy at epoch 0'),
        ('after epoch 60: training accuracy 96%', 'to 96 % at epoch 60'),
    ],
    '01_neuron': [
        ('where |z| > 5.99', '(saturation, $|z| > 5.99$)'),
        ('for x > 1.20: 88% of x in [-10, 10]', '(88 %)'),
    ],
    '02_shapes': [
        ('of [64, 30, 10]: 2260', '(2260 for `[64, 30, 10]`)'),
    ],
    '03_forward': [
        ('(largest difference below 1e-12)', 'the lesson checks it to $10^{-12}$'),
    ],
    '04_cost': [
        ('epoch 150: a = 0.9334 (quadratic)', 'quadratic crawls for about 150 epochs'),
        ('accuracy 0.6667 = fraction of class-0 samples 0.6667',
         '(the share of class 0, 2/3 there)'),
    ],
    '05_four_equations': [
        ('with W[3] updated too early: 6.0e-02', 'gives a $\\delta$ 6 % off'),
    ],
    '06_gradient_checking': [
        ('the two lines cross at ε ≈ 6e-05', 'cross near $\\varepsilon \\approx 6\\cdot10^{-5}$'),
        ('float32: u = 6.0e-08, smallest error on the grid 7e-05 at',
         "float32's best relative error is about $7\\cdot10^{-5}$"),
        ('float32: from ε = 1e-3 to 1e-1 between 7e-05 and 9e-04',
         'from about $10^{-3}$ to $10^{-1}$, where its error levels off between $7\\cdot10^{-5}$ '
         'and $9\\cdot10^{-4}$'),
    ],
    '07_training_loop': [
        ('0.0683 (after the epoch); validation 0.0612',
         'cost 0.0683 on the training set and 0.0612 on the validation set'),
    ],
    '08_digits': [
        ('test accuracy: 97.5% (351 of 360 digits)', 'to 97.5 % on the 8×8 digits'),
        ('moved one pixel right:  43.9%', 'drops it to about 44 %'),
    ],
    '09_pitfalls': [
        ('2 hidden layers: ‖db[1]‖ = 0.067, slowest hidden layer l = 1, 4.8× below',
         '(4.8, 2.4, 7.8 and 3.2 from one to five hidden layers)'),
        ('3 hidden layers: ‖db[1]‖ = 0.028, slowest hidden layer l = 1, 2.4× below',
         "divides the first layer's speed by 2 to 8"),
        ('saturated 11.3%', 'about one in nine (11 %)'),
        ("init 'xavier'  test accuracy after epochs 1, 5, 10: 67.2%, 93.9%, 96.4%",
         '9 points behind after ten epochs'),
        ("init 'normal'  test accuracy after epochs 1, 5, 10: 57.8%, 85.6%, 87.2%",
         '9 points behind after ten epochs'),
        ('η = 30   cost after 10 epochs 0.500, test accuracy 11.4%',
         'cost stuck at 0.5, 11 % accuracy'),
        ('; 90 % first in epoch 14', 'needs 14 epochs to reach 90 % test accuracy where'),
        ('; 90 % first in epoch 3', 'cross-entropy needs 3'),
    ],
    '10_playground': [
        ('sizes [2, 1, 1]: test accuracy 59.3%', '(three: 59 %, 73 %, then 100 %'),
        ('sizes [2, 2, 1]: test accuracy 73.3%', '(three: 59 %, 73 %, then 100 %'),
        ('sizes [2, 3, 1]: test accuracy 100.0%', '(three: 59 %, 73 %, then 100 %'),
        ('λ = 0   : train loss 0.001, test loss 0.492', 'against 0.492 without L2'),
        ('λ = 0.01: train loss 0.068, test loss 0.144', '0.01, with 0.144'),
        ('λ = 0.03: train loss 0.399, test loss 0.319', '0.319 at 0.03'),
        ('Diverged in epoch 3 (learning rate 10)', 'when it diverges, in epoch 3'),
    ],
}
PRINTED = [(lesson, *quote) for lesson, quotes in QUOTED.items() for quote in quotes]


@functools.cache
def printed(lesson):
    """Every text a lesson's stored code cells print, joined."""
    nb = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts)


@pytest.mark.parametrize("lesson, output, phrase", PRINTED, ids=[p[1][:30] for p in PRINTED])
def test_a_number_the_docs_quote_is_what_the_lesson_prints(lesson, output, phrase):
    assert output in printed(lesson), f"{lesson} no longer prints {output!r}"
    assert says(TEACHING, phrase) or says(README, phrase), phrase

