"""The chapter-8 style augmentation example learns digits from a few hundred real MNIST images."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "augmented_mnist.py"


def _example():
    spec = importlib.util.spec_from_file_location("augmented_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_augmented_convnet_trains_with_fit_on_real_digits(shared_datasets, capsys):
    module = _example()
    argv = ["--data", str(shared_datasets / "mnist"), "--train", "400", "--test", "500"]
    model, history, (loss, accuracy) = module.main([*argv, "--epochs", "8"])
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    assert accuracy > 0.5  # ten classes: chance is 0.1
    assert "test accuracy on 500 held-out images" in capsys.readouterr().out
    # The augmentation stage is active in training only: inference is deterministic, and the
    # stage changes the images when called in training mode.
    augmentation = model.get_layer("data_augmentation")
    (_, _), (x_test, _) = module.load(str(shared_datasets / "mnist"), 1, 500)
    batch = x_test[:16]
    np.testing.assert_array_equal(model.predict(batch, verbose=0), model.predict(batch, verbose=0))
    np.testing.assert_array_equal(augmentation.predict(batch, verbose=0), batch)
    assert not np.allclose(augmentation(batch, training=True).numpy(), batch)
