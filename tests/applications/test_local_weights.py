"""Applications load weights from a zoo entry (`weights="zoo:<name>"`) or a local model file."""

import pytest
import torch

from strata import applications, models, zoo


def mobilenet(weights=None, classes=3, include_top=True):
    return applications.MobileNet(
        alpha=0.25,
        input_shape=(32, 32, 3),
        classes=classes,
        classifier_activation=None,
        weights=weights,
        include_top=include_top,
    )


def outputs(model, image):
    model.eval()
    with torch.inference_mode():
        return model(image)


IMAGE = torch.rand(2, 32, 32, 3, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def zoo_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STRATA_ZOO", str(tmp_path / "zoo"))
    return tmp_path / "zoo"


def test_weights_from_a_zoo_entry(zoo_dir):
    trained = mobilenet()
    zoo.save(trained, "my-mobilenet", tags=["vision"])
    loaded = mobilenet(weights="zoo:my-mobilenet")
    expected = outputs(trained, IMAGE)
    torch.testing.assert_close(outputs(loaded, IMAGE), expected, rtol=0, atol=0)
    assert not torch.equal(outputs(mobilenet(), IMAGE), expected)


def test_weights_from_a_whole_model_file_given_as_a_path(tmp_path):
    trained = mobilenet()
    path = tmp_path / "mobilenet.keras"
    trained.save(str(path))
    loaded = mobilenet(weights=path)  # a pathlib.Path, and a model file rather than weights
    torch.testing.assert_close(outputs(loaded, IMAGE), outputs(trained, IMAGE), rtol=0, atol=0)


def test_an_unknown_zoo_entry_is_named(zoo_dir):
    zoo.save(mobilenet(), "my-mobilenet")
    with pytest.raises(ValueError, match=r"weights='zoo:my-mobilent'.*Closest names"):
        mobilenet(weights="zoo:my-mobilent")
    with pytest.raises(ValueError, match="zoo entry name expected"):
        mobilenet(weights="zoo:../escape")


def test_a_zoo_entry_of_another_architecture_is_refused(zoo_dir):
    zoo.save(mobilenet(classes=5), "five-classes")
    with pytest.raises(ValueError, match=r"Zoo entry 'five-classes' .*does not fit model"):
        mobilenet(weights="zoo:five-classes", classes=3)


def test_the_base_of_a_zoo_entry_saved_with_its_top(zoo_dir):
    full = mobilenet()
    zoo.save(full, "with-top")
    with pytest.raises(ValueError, match=r"by_name=True"):
        mobilenet(weights="zoo:with-top", include_top=False)
    base = mobilenet(include_top=False)
    zoo.load_weights(base, "with-top", by_name=True)
    features = models.Model(full.inputs, full.get_layer(base.layers[-1].name).output)
    torch.testing.assert_close(outputs(base, IMAGE), outputs(features, IMAGE), rtol=0, atol=0)


def test_imagenet_points_to_local_files_and_the_zoo():
    with pytest.raises(ValueError, match="downloads nothing.*zoo:<name>"):
        mobilenet(weights="imagenet")
