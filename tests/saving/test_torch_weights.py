"""PyTorch state_dicts in safetensors loaded onto strata models; pickled torch files refused."""

import pathlib
import pickle

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from torch import nn

import strata
from strata import layers
from strata.saving import Mismatch, load_torch_weights


class Trap:
    """Unpickling this creates `marker`: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def trained_torch_mlp():
    """A small MLP trained a few steps in plain PyTorch (so its weights are not an init)."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = torch.randn(64, 12), torch.randint(0, 3, (64,))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(20):
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    return net


def strata_mlp(names=("hidden", "output")):
    return strata.Sequential(
        [
            strata.Input((12,)),
            layers.Dense(8, activation="relu", name=names[0]),
            layers.Dense(3, name=names[1]),
        ]
    )


def predict(model, x):
    return model.predict(x.numpy(), verbose=0)


def test_trained_torch_mlp_predicts_the_same_in_strata(tmp_path):
    net = trained_torch_mlp()
    path = tmp_path / "mlp.safetensors"
    save_file(net.state_dict(), path)
    model = strata_mlp()
    report = load_torch_weights(model, path, rename={"0": "hidden", "2": "output"})
    assert report.loaded == ["hidden/kernel", "hidden/bias", "output/kernel", "output/bias"]
    assert report.ok and report.unexpected == report.ignored == []
    x = torch.randn(16, 12)
    with torch.no_grad():
        expected = net(x).numpy()
    np.testing.assert_allclose(predict(model, x), expected, atol=1e-6)
    # Keras layout at the boundary: the kernel is the transposed torch weight.
    np.testing.assert_array_equal(
        model.get_layer("hidden").get_weights()[0], net[0].weight.detach().numpy().T
    )


def test_keys_equal_to_strata_state_dict_load_directly(tmp_path):
    source = strata_mlp()
    path = tmp_path / "strata_state.safetensors"
    save_file({k: v.contiguous() for k, v in source.state_dict().items()}, path)
    target = strata_mlp()
    report = load_torch_weights(target, path)
    assert report.loaded_layers == ["hidden", "output"] and report.ok
    for a, b in zip(source.get_weights(), target.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_rename_callable_and_in_memory_state_dict():
    net = trained_torch_mlp()
    model = strata_mlp()
    names = {"0": "hidden", "2": "output"}

    def rename(key):
        module, attribute = key.split(".")
        return f"{names[module]}.{attribute}"

    report = load_torch_weights(model, net.state_dict(), rename=rename)
    assert report.source == "<state_dict>" and len(report.loaded) == 4
    x = torch.randn(4, 12)
    with torch.no_grad():
        np.testing.assert_allclose(predict(model, x), net(x).numpy(), atol=1e-6)


def test_layers_filter_loads_a_subset(tmp_path):
    net = trained_torch_mlp()
    path = tmp_path / "mlp.safetensors"
    save_file(net.state_dict(), path)
    model = strata_mlp()
    head_before = model.get_layer("output").get_weights()
    report = load_torch_weights(model, path, rename={"0": "hidden", "2": "output"}, layers="hid.*")
    assert report.loaded == ["hidden/kernel", "hidden/bias"]
    assert report.skipped == ["output/kernel", "output/bias"]
    assert report.ignored == ["2.bias", "2.weight"]
    np.testing.assert_array_equal(
        model.get_layer("hidden").get_weights()[1], net[0].bias.detach().numpy()
    )
    for a, b in zip(head_before, model.get_layer("output").get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_shape_mismatch_names_key_and_both_shapes(tmp_path):
    path = tmp_path / "mlp.safetensors"
    save_file(trained_torch_mlp().state_dict(), path)
    model = strata.Sequential(
        [strata.Input((12,)), layers.Dense(8, name="hidden"), layers.Dense(5, name="output")]
    )
    rename = {"0": "hidden", "2": "output"}
    with pytest.raises(
        ValueError,
        match=r"'2.weight' has shape \(3, 8\).*'output.kernel'.*"
        r"\(5, 8\)",
    ):
        load_torch_weights(model, path, rename=rename)
    with pytest.warns(UserWarning, match="'output' is left unchanged"):
        report = load_torch_weights(model, path, rename=rename, skip_mismatch=True)
    assert report.mismatched == [
        Mismatch("output/kernel", (5, 8), (3, 8)),
        Mismatch("output/bias", (5,), (3,)),
    ]
    assert report.loaded_layers == ["hidden"]


def test_strict_refuses_missing_and_unexpected_keys(tmp_path):
    path = tmp_path / "mlp.safetensors"
    save_file(trained_torch_mlp().state_dict(), path)
    model = strata_mlp()
    with pytest.raises(
        ValueError,
        match=r"missing from the file: \['output/kernel'.*"
        r"matching no model weight: \['2.bias', '2.weight'\]",
    ):
        load_torch_weights(model, path, rename={"0": "hidden"})
    with pytest.warns(UserWarning, match="strict=False"):
        report = load_torch_weights(model, path, rename={"0": "hidden"}, strict=False)
    assert report.missing == ["output/kernel", "output/bias"]
    assert report.unexpected == ["2.bias", "2.weight"]  # the file's (sorted) order
    assert report.loaded_layers == ["hidden"]


def test_nothing_matching_raises_with_closest_names(tmp_path):
    path = tmp_path / "mlp.safetensors"
    save_file(trained_torch_mlp().state_dict(), path)
    with pytest.raises(
        ValueError,
        match=r"Nothing was loaded.*File modules: \['0', '2'\].*"
        r"rename=\{'0': 'hidden', '2': 'output'\}",
    ):
        load_torch_weights(strata_mlp(), path)
    with pytest.raises(
        ValueError, match=r"rename maps \['1'\], which no key.*Available: \['0', '2'\]"
    ):
        load_torch_weights(strata_mlp(), path, rename={"1": "hidden"})


def test_batchnorm_and_conv_use_torch_names_and_layouts(tmp_path):
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3))
    net.train()
    net(torch.randn(8, 2, 6, 6))  # moves the running statistics off their init
    net.eval()
    path = tmp_path / "conv.safetensors"
    save_file(net.state_dict(), path)
    model = strata.Sequential(
        [
            strata.Input((6, 6, 2)),
            layers.Conv2D(3, 3, name="conv"),
            layers.BatchNormalization(epsilon=1e-5, name="bn"),
        ]
    )
    report = load_torch_weights(model, path, rename={"0": "conv", "1": "bn"})
    assert report.ignored == ["1.num_batches_tracked"] and report.ok
    assert report.loaded == [
        "conv/kernel",
        "conv/bias",
        "bn/gamma",
        "bn/beta",
        "bn/moving_mean",
        "bn/moving_variance",
    ]
    x = torch.randn(4, 2, 6, 6)
    with torch.no_grad():
        expected = net(x).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(predict(model, x.permute(0, 2, 3, 1)), expected, atol=1e-5)


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".bin"])
def test_torch_save_files_are_refused_before_reading(tmp_path, suffix):
    marker = tmp_path / "ran"
    modern, legacy = tmp_path / f"modern{suffix}", tmp_path / f"legacy{suffix}"
    torch.save({"0.weight": torch.ones(8, 12), "trap": Trap(marker)}, modern)
    torch.save({"trap": Trap(marker)}, legacy, _use_new_zipfile_serialization=False)
    model = strata_mlp()
    loaders = [
        lambda p: load_torch_weights(model, p),
        model.load_weights,
        lambda p: model.load_weights(p, layers="hidden"),
    ]
    for path in (modern, legacy):
        for loader in loaders:
            with pytest.raises(ValueError, match=r"never unpickles.*save_file.*weights_only=True"):
                loader(path)
    assert not marker.exists()
    # The trap is live: unpickling the same payload would have created the marker.
    pickle.loads(pickle.dumps(Trap(marker)))
    assert marker.exists()


def test_not_safetensors_is_refused(tmp_path):
    path = tmp_path / "w.weights.h5"
    strata_mlp().save_weights(path)
    with pytest.raises(ValueError, match="not a safetensors file.*model.load_weights"):
        load_torch_weights(strata_mlp(), path)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_layers_fold_torch_biases(tmp_path, kind):
    torch.manual_seed(2)
    net = getattr(nn, kind)(3, 4, batch_first=True)
    path = tmp_path / "rnn.safetensors"
    save_file(net.state_dict(), path)
    model = strata.Sequential(
        [strata.Input((5, 3)), getattr(layers, kind)(4, return_sequences=True, name="rnn")]
    )
    report = load_torch_weights(model, path, rename=lambda key: f"rnn.{key}")
    assert report.ok and len(report.loaded) == 3 and report.ignored == []
    x = torch.randn(2, 5, 3)
    with torch.no_grad():
        expected = net(x)[0].numpy()
    np.testing.assert_allclose(predict(model, x), expected, atol=1e-6)


def test_strata_loaders_point_bare_safetensors_to_load_torch_weights(tmp_path):
    path = tmp_path / "net.safetensors"
    save_file(trained_torch_mlp().state_dict(), path)
    with pytest.raises(ValueError, match="bare safetensors.*load_torch_weights"):
        strata_mlp().load_weights(path)
    with pytest.raises(ValueError, match="bare safetensors.*load_torch_weights"):
        strata.models.load_model(path)


def test_dotted_prefixes_map_nested_modules_longest_first(tmp_path):
    torch.manual_seed(3)
    net = nn.Module()
    net.features = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    net.head = nn.Linear(3, 2)
    path = tmp_path / "nested.safetensors"
    save_file(net.state_dict(), path)
    encoder = strata.Sequential(
        [
            strata.Input((4,)),
            layers.Dense(5, activation="tanh", name="a"),
            layers.Dense(3, name="b"),
        ]
    )
    encoder.name = "encoder"
    inputs = strata.Input((4,))
    model = strata.Model(inputs, layers.Dense(2, name="head")(encoder(inputs)))
    rename = {"features": "encoder", "features.0": "encoder.a", "features.2": "encoder.b"}
    report = load_torch_weights(model, path, rename=rename)
    assert report.loaded == [
        "encoder/a/kernel",
        "encoder/a/bias",
        "encoder/b/kernel",
        "encoder/b/bias",
        "head/kernel",
        "head/bias",
    ]
    x = torch.randn(3, 4)
    with torch.no_grad():
        expected = net.head(net.features(x)).numpy()
    np.testing.assert_allclose(predict(model, x), expected, atol=1e-6)
