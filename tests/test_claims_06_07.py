"""The numbers lessons 06 and 07 state in their text that no cell beside them prints: the
training lab's experiments of lesson 07 (section 5), run as a learner would run them."""

import pytest

from mlp_core.course.widgets.training_lab import TrainingLab


def trained(**controls):
    """A TrainingLab with ``controls`` (the rest at their defaults), after one press of Train."""
    lab = TrainingLab(**controls)
    lab.button.click()
    return lab


@pytest.fixture(scope="module")
def spiral():
    """Lesson 07's capacity experiment: the spiral at noise 0.05, η = 1, batch 16, 500 epochs,
    with 1 hidden layer of 8 units and with 2 of 16 tanh units."""
    settings = dict(dataset="spiral", noise=0.05, activation="tanh", lr=1.0, batch_size=16,
                    epochs=500)
    return {"1 x 8": trained(hidden_layers=1, units=8, **settings),
            "2 x 16": trained(hidden_layers=2, units=16, **settings)}


def test_the_spiral_fails_with_one_hidden_layer_of_8_units(spiral):
    h = spiral["1 x 8"].history
    assert spiral["1 x 8"].sizes == [2, 8, 2]
    assert h.accuracy[-1] < 0.8 and h.val_accuracy[-1] < 0.8


def test_two_hidden_layers_of_16_wrap_around_both_arms(spiral):
    h = spiral["2 x 16"].history
    assert spiral["2 x 16"].sizes == [2, 16, 16, 2]
    assert h.accuracy[-1] >= 0.95 and h.val_accuracy[-1] >= 0.85
    assert h.loss[-1] < spiral["1 x 8"].history.loss[-1] / 4


def test_sigmoid_hidden_units_learn_the_moons_more_slowly_than_tanh():
    """Experiment 4: the lab's defaults (moons, noise 0.2, [2, 8, 2], η = 1, batch 8, 100
    epochs) with sigmoid hidden units against tanh: a higher training loss all along."""
    sigmoid, tanh = trained(activation="sigmoid"), trained(activation="tanh")
    assert sigmoid.sizes == tanh.sizes == [2, 8, 2]
    for epoch in (10, 25, 50, 100):
        assert sigmoid.history.loss[epoch - 1] > tanh.history.loss[epoch - 1]
    assert sigmoid.history.loss[-1] > 1.5 * tanh.history.loss[-1]
