"""Unusable files and inputs get an error naming the file or argument, before anything changes.

Issue 9's kinds: a corrupt, truncated or foreign backup; a backup of another optimizer or model;
a `.keras` whose optimizer state does not fit; malformed config JSON; Python lists as data.
"""

import json
import os
import zipfile

import numpy as np
import pytest
import torch

import strata
from strata import layers
from strata.callbacks import BackupAndRestore

X = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
Y = X.sum(1, keepdims=True)


def model(optimizer="adam", width=3):
    strata.set_random_seed(0)
    net = strata.Sequential([strata.Input((4,)), layers.Dense(width), layers.Dense(1)])
    net.compile(optimizer=optimizer, loss="mse")
    return net


def write_backup(folder, optimizer="adam", width=3):
    """A real backup, left by a run that ended without deleting it."""
    backup = BackupAndRestore(folder, delete_checkpoint=False)
    model(optimizer, width).fit(X, Y, epochs=1, batch_size=8, verbose=0, callbacks=[backup])
    return backup.backup_path


def fit_with_backup(net, folder):
    net.fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[BackupAndRestore(folder)])


def unchanged(net, before, optimizer_steps):
    for old, new in zip(before, net.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert net.optimizer.iterations == optimizer_steps


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda data: data[: len(data) // 2], "not a readable safetensors file"),
        (lambda data: os.urandom(len(data)), "not a readable safetensors file"),
        (lambda data: b"", "not a readable safetensors file"),
        (lambda data: data.replace(b"strata.backup", b"strata.bakkup"), "format"),
        (lambda data: data.replace(b'\\"epoch\\"', b'\\"epoxh\\"'), "epoch"),
    ],
    ids=["truncated", "random", "empty", "foreign-format", "missing-field"],
)
def test_a_damaged_backup_is_reported_with_what_to_do_and_nothing_changes(tmp_path, damage, reason):
    path = write_backup(tmp_path)
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(damage(data))
    net = model()
    net.fit(X, Y, epochs=1, batch_size=8, verbose=0)  # some optimizer state to protect
    before, steps = net.get_weights(), net.optimizer.iterations
    with pytest.raises(ValueError, match=reason) as caught:
        fit_with_backup(net, tmp_path)
    message = str(caught.value)
    assert str(path) in message and "Delete that file" in message
    unchanged(net, before, steps)


def test_a_safetensors_file_from_elsewhere_is_not_a_backup(tmp_path):
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(1)}, str(tmp_path / "backup.safetensors"))
    with pytest.raises(ValueError, match="no readable strata backup state"):
        fit_with_backup(model(), tmp_path)


def test_a_backup_of_another_optimizer_is_refused_before_restoring(tmp_path):
    write_backup(tmp_path, optimizer="adam")
    net = model(optimizer="sgd")
    before = net.get_weights()
    with pytest.raises(
        ValueError, match="written with the Adam optimizer; this model is compiled with SGD"
    ) as caught:
        fit_with_backup(net, tmp_path)
    assert "Delete that file" in str(caught.value)
    unchanged(net, before, 0)


def test_a_backup_of_another_model_is_refused_before_restoring(tmp_path):
    write_backup(tmp_path, width=5)
    net = model(width=3)
    before = net.get_weights()
    with pytest.raises(ValueError, match="another model"):
        fit_with_backup(net, tmp_path)
    unchanged(net, before, 0)


def test_optimizer_state_that_does_not_fit_fails_at_load_naming_the_file(tmp_path):
    small, other = tmp_path / "small.keras", tmp_path / "other.keras"
    for path, optimizer in ((small, "adam"), (other, "sgd")):
        net = model(optimizer)
        net.fit(X, Y, epochs=1, batch_size=8, verbose=0)
        net.save(path)
    # Graft SGD's optimizer files onto the Adam model's file: its compile config says Adam.
    with zipfile.ZipFile(small) as a, zipfile.ZipFile(other) as b:
        members = {n: a.read(n) for n in a.namelist()}
        members.update({n: b.read(n) for n in b.namelist() if n.startswith("optimizer")})
    grafted = tmp_path / "grafted.keras"
    with zipfile.ZipFile(grafted, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    with pytest.raises(ValueError, match="grafted.keras.*optimizer state does not fit"):
        strata.models.load_model(grafted)
    assert strata.models.load_model(grafted, compile=False).count_params() > 0


def _with_config(tmp_path, edit):
    path = tmp_path / "model.keras"
    model().save(path)
    with zipfile.ZipFile(path) as source:
        members = {n: source.read(n) for n in source.namelist()}
    config = json.loads(members["config.json"])
    edit(config["config"]["layers"])
    members["config.json"] = json.dumps(config).encode()
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(broken, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    return broken


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda layers_: layers_[1].update(class_name=["Dense"]), "'class_name' to be a name"),
        (lambda layers_: layers_[1].update(class_name=7), "'class_name' to be a name"),
        (lambda layers_: layers_[1].update(config=[1, 2]), "'config' to be a dict"),
        (lambda layers_: layers_.__setitem__(1, ["Dense"]), "a dict with 'class_name'"),
        (lambda layers_: layers_[1]["config"].update(units="three"), "positive integer `units`"),
        (lambda layers_: layers_[1]["config"].pop("units"), "units"),
    ],
)
def test_malformed_config_json_is_a_value_error_naming_the_file(tmp_path, edit, message):
    broken = _with_config(tmp_path, edit)
    with pytest.raises(ValueError, match=message) as caught:
        strata.models.load_model(broken)
    assert str(broken) in str(caught.value)


def test_python_lists_are_data_and_ragged_lists_are_refused():
    net = model()
    history = net.fit(X.tolist(), Y.tolist(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert net.predict(X.tolist(), verbose=0).shape == (16, 1)
    with pytest.raises(ValueError, match="fit.. x expected an array, or nested lists .* ragged"):
        net.fit([[1.0, 2.0, 3.0, 4.0], [1.0]], [[1.0], [2.0]], verbose=0)
