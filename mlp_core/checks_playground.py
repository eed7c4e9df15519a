"""Checks for lesson 10, the playground.

Like ``mlp_core.checks``: each prints one short line (✓, ✗ with a hint, or "not done yet" for an
exercise that still raises ``NotImplementedError``), never raises, and returns True or False.
"""

from dataclasses import fields

from mlp_core.widgets.playground import Experiment, Settings

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
    if e.diverged:
        print(f"✗ training diverged {where}: {e.diverged}")
        return False
    if acc >= at_least:
        print(f"✓ test accuracy {100 * acc:.1f}% ≥ {100 * at_least:.0f}% {where}")
        return True
    print(f"✗ test accuracy {100 * acc:.1f}% < {100 * at_least:.0f}% {where}: train longer "
          "(more steps) or check the settings")
    return False


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


def check_spiral(settings, epochs=SPIRAL_EPOCHS):
    """The spiral exercise: ✓ when ``settings`` (a dict, see ``spiral_result``) reach a test
    accuracy of at least ``SPIRAL_TARGET`` after ``epochs`` epochs from seed 0; otherwise a
    hint that tells under-fitting (the training points are not separated either), over-fitting
    and divergence apart."""
    name = "spiral_settings"
    if settings is None:
        print(f"… {name}: not done yet. Write your answer in the cell above, then run this again.")
        return False
    try:
        e = spiral_result(settings, epochs)
    except ValueError as err:
        print(f"✗ {name}: {err}")
        return False
    if e.diverged:
        print(f"✗ {name}: training diverged. {e.diverged}")
        return False
    test, train = e.accuracy(), e.accuracy("train")
    got = (f"test accuracy {100 * test:.1f}%, train {100 * train:.1f}%, after {e.epoch} epochs, "
           f"sizes {e.net.sizes}")
    if test >= SPIRAL_TARGET:
        print(f"✓ the spiral is separated: {got} (≥ {100 * SPIRAL_TARGET:.0f}% needed)")
        return True
    if train < SPIRAL_TARGET:
        hint = ("the network does not even separate the training points: give it more neurons "
                "or layers (the spiral needs many bends), or a learning rate that moves faster")
    else:
        hint = ("it fits the training points but not the test points: the boundary is too "
                "wiggly between them; try a little L2 or a different activation")
    print(f"✗ {name}: {got}; {hint}")
    return False
