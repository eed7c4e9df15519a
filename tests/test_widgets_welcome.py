"""Lesson 00's training preview, driven without a browser."""

import pytest

from mlp_core.course.widgets.welcome import TrainingPreview


@pytest.fixture(scope="module")
def preview():
    return TrainingPreview(epochs=20, every=5, seed=0)


def test_moving_the_slider_redraws_and_reports(preview):
    first_image, first_label = preview.image.value, preview.label.value
    assert first_label.startswith("after epoch 0: training accuracy")
    preview.slider.value = 20
    assert preview.label.value.startswith("after epoch 20")
    assert preview.label.value != first_label
    assert preview.image.value != first_image
    assert list(preview.marker.get_xdata()) == [20]
    preview.slider.value = 0
    assert preview.image.value == first_image               # the same snapshot, the same picture


def test_saved_output_has_a_picture_and_a_stable_line(preview):
    bundle = preview._repr_mimebundle_()
    assert bundle["image/png"]
    assert bundle["text/plain"] == TrainingPreview(epochs=20, every=5, seed=0).summary()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_training_improves_the_fit(preview):
    losses = preview.losses
    assert losses[-1] < 0.7 * losses[0]
