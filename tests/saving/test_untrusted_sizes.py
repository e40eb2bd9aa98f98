"""A file's config cannot make loading allocate more than the weights the file holds.

Issue 9: a 2 KB `.keras` declaring `Dense(units=25_000_000)` grew `load_model` to 1.6 GB before
the shape check refused it, and `units=10**10` failed in the allocator. Loading now builds on the
meta device, compares every declared weight with the file's, and only then allocates. Each case
runs in a fresh process whose peak memory is measured.
"""

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest

import strata
from strata import layers

LOAD_AND_MEASURE = textwrap.dedent(
    """
    import resource, sys
    import strata
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        strata.models.load_model(sys.argv[1])
        print("LOADED")
    except ValueError as error:
        print("REFUSED", error)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
    print("GROWN_KB", grown)
    """
)


def small_model():
    inputs = strata.Input((8,), name="features")
    hidden = layers.Dense(4, name="hidden")(inputs)
    embedded = layers.Embedding(10, 3, name="embed")(layers.Input((2,), dtype="int64", name="ids"))
    flat = layers.Flatten(name="flat")(embedded)
    wrapped = layers.TorchModuleWrapper(__import__("torch").nn.Linear(6, 2), name="wrapped")(flat)
    outputs = layers.Concatenate(name="joined")([hidden, wrapped])
    return strata.Model([inputs, embedded._keras_history[0].input], outputs)


def rewrite(path, out, edit):
    with zipfile.ZipFile(path) as source:
        members = {n: source.read(n) for n in source.namelist()}
    config = json.loads(members["config.json"])
    edit({layer["name"]: layer for layer in config["config"]["layers"]})
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


def load_in_child(path):
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    grown_kb = int(done.stdout.split("GROWN_KB")[1])
    return done.stdout, grown_kb


def _set(layer, key, value):
    layer["config"][key] = value


def _set_wrapped_linear(layer, size):
    layer["config"]["module"]["config"]["out_features"] = size


HOSTILE = {
    "dense-25M-units": lambda cfg: _set(cfg["hidden"], "units", 25_000_000),
    "dense-1e10-units": lambda cfg: _set(cfg["hidden"], "units", 10**10),
    "embedding-1e10-rows": lambda cfg: _set(cfg["embed"], "input_dim", 10**10),
    "input-width-1e9": lambda cfg: cfg["features"]["config"].update(batch_shape=[None, 10**9]),
    "torch-linear-1e10": lambda cfg: _set_wrapped_linear(cfg["wrapped"], 10**10),
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.keras"
    small_model().save(path)
    return path


def test_the_honest_file_loads(saved):
    output, _ = load_in_child(saved)
    assert "LOADED" in output


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_declared_sizes_are_checked_before_allocating(saved, tmp_path, case):
    hostile = rewrite(saved, tmp_path / f"{case}.keras", HOSTILE[case])
    assert os.path.getsize(hostile) < 20_000
    output, grown_kb = load_in_child(hostile)
    assert "REFUSED" in output, output
    assert "Nothing was allocated" in output or "expected" in output, output
    assert str(hostile) in output
    assert grown_kb < 200_000, f"loading grew the process by {grown_kb} KB"


def test_the_refusal_names_the_layer_and_both_sizes(saved, tmp_path):
    hostile = rewrite(saved, tmp_path / "big.keras", HOSTILE["dense-25M-units"])
    with pytest.raises(ValueError) as caught:
        strata.models.load_model(hostile)
    message = str(caught.value)
    assert "'hidden' (Dense)" in message and "(8, 25000000)" in message and "(8, 4)" in message
