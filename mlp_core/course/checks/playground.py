"""Checks for lesson 10, the playground.

Like ``mlp_core.course.checks``: each prints one short line, ✓ (and returns True), or ✗ with a
hint or "not done yet" for an exercise that still raises ``NotImplementedError`` (and raises
``CheckFailed``). The trainer is ``mlp_core.course.models.Experiment``, the playground's own.
"""

from dataclasses import fields

from mlp_core.course.checks import call, exercise, fail, passed
from mlp_core.course.models import Experiment, Settings

SPIRAL_EPOCHS = 300       # the training the spiral exercise gets
SPIRAL_TARGET = 0.90      # the test accuracy it must reach
DATA_SETTINGS = ("dataset", "noise", "train_percent")
NETWORK_SETTINGS = tuple(f.name for f in fields(Settings) if f.name not in DATA_SETTINGS)


def check_test_accuracy(experiment, at_least):
    """✓ when the experiment's network classifies at least ``at_least`` (a fraction) of its
    test points right. experiment: an ``Experiment`` (a ``Playground``'s ``experiment``)."""
    e = experiment
    acc = e.accuracy()
    where = f"after {e.epoch} epochs on {e.settings.dataset} from seed {e.seed}"
    name = "the test accuracy"
    if e.diverged:
        fail(name, f"training diverged {where}: {e.diverged}")
    if acc < at_least:
        fail(name, f"test accuracy {100 * acc:.1f}% < {100 * at_least:.0f}% {where}: train "
                   "longer (more steps) or check the settings")
    return passed(f"test accuracy {100 * acc:.1f}% ≥ {100 * at_least:.0f}% {where}")


def spiral_result(settings, epochs=SPIRAL_EPOCHS, seed=0):
    """Train the spiral (noise and split as the playground's defaults) with the learner's
    network and training settings for ``epochs`` epochs. settings: a dict with keys among
    ``NETWORK_SETTINGS``. Returns the ``Experiment``; ValueError names a key or value that is
    not a playground setting."""
    if not isinstance(settings, dict):
        raise ValueError(f"return a dict of settings, like {{'neurons': 8}}, not a "
                         f"{type(settings).__name__}")
    data = sorted(set(settings) & set(DATA_SETTINGS))
    if data:
        raise ValueError(f"leave the data as it is ({', '.join(data)}): change only "
                         + ", ".join(NETWORK_SETTINGS))
    unknown = sorted(set(settings) - set(NETWORK_SETTINGS))
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)}: choose among "
                         + ", ".join(NETWORK_SETTINGS))
    experiment = Experiment(Settings(dataset="spiral", **settings), seed=seed)
    for _ in range(epochs):
        if not experiment.run_epoch():
            break
    return experiment


@exercise("spiral_settings")
def check_spiral(spiral_settings, epochs=SPIRAL_EPOCHS):
    """The spiral exercise: ✓ when the settings that the learner's ``spiral_settings()``
    returns (a dict, see ``spiral_result``) reach a test
    accuracy of at least ``SPIRAL_TARGET`` after ``epochs`` epochs from seed 0; otherwise a
    hint that tells under-fitting (the training points are not separated either), over-fitting
    and divergence apart."""
    name = "spiral_settings"
    settings = call(name, spiral_settings)
    try:
        e = spiral_result(settings, epochs)
    except (ValueError, TypeError) as err:
        fail(name, f"{name}: {err}")
    if e.diverged:
        fail(name, f"{name}: training diverged. {e.diverged}")
    test, train = e.accuracy(), e.accuracy("train")
    got = (f"test accuracy {100 * test:.1f}%, train {100 * train:.1f}%, after {e.epoch} epochs, "
           f"sizes {e.net.sizes}")
    if test >= SPIRAL_TARGET:
        return passed(f"the spiral is separated: {got} (≥ {100 * SPIRAL_TARGET:.0f}% needed)")
    if train < SPIRAL_TARGET:
        hint = ("the network does not even separate the training points: give it more neurons "
                "or layers (the spiral needs many bends), or a learning rate that moves faster")
    else:
        hint = ("it fits the training points but not the test points: the boundary is too "
                "wiggly between them; try a little L2 or a different activation")
    fail(name, f"{name}: {got}; {hint}")
