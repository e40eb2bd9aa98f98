"""strata.zoo in one process: saving, listing, loading, deleting, checks and errors."""

import datetime
import json
import os

import numpy as np
import pytest
import torch

import strata
from strata import zoo
from strata.utils.file_io import file_digest


def small_model(units=3, frozen=False):
    model = strata.Sequential(
        [
            strata.Input((4,)),
            strata.layers.Dense(5, activation="relu", name="hidden"),
            strata.layers.Dense(units, name="out"),
        ]
    )
    model.layers[0].trainable = not frozen
    return model


def predictions(model, x):
    model.eval()
    with torch.inference_mode():
        return model(torch.as_tensor(x)).numpy()


X = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")


@pytest.fixture
def zoo_dir(tmp_path, monkeypatch):
    folder = tmp_path / "zoo"
    monkeypatch.setenv("STRATA_ZOO", str(folder))
    return folder


def test_save_list_load_round_trip(zoo_dir):
    model = small_model(frozen=True)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, np.zeros((6, 3), "float32"), epochs=1, verbose=0)
    entry = zoo.save(
        model, "base-v1", description="first try", metrics={"loss": np.float32(0.25)},
        tags=["mnist", "mlp"],
    )  # fmt: skip
    assert entry.params == 5 * 4 + 5 + 3 * 5 + 3
    assert entry.trainable_params == 3 * 5 + 3  # the hidden layer is frozen
    assert entry.metrics == {"loss": 0.25}
    assert entry.tags == ("mnist", "mlp")
    assert entry.description == "first try"
    assert entry.class_name == "Sequential"
    assert entry.input_shape == [None, 4] and entry.output_shape == [None, 3]
    created = datetime.datetime.fromisoformat(entry.created)
    assert created.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()) < 600
    model_file = zoo_dir / "models" / entry.file
    assert entry.sha256 == file_digest(model_file) and entry.size_bytes == model_file.stat().st_size

    listing = zoo.list()
    assert listing.names() == ["base-v1"] and listing[0] == entry == zoo.info("base-v1")

    loaded = zoo.load("base-v1")
    np.testing.assert_array_equal(predictions(loaded, X), predictions(model, X))
    assert loaded.layers[0].trainable is False
    assert type(loaded.optimizer).__name__ == "Adam"
    assert zoo.load("base-v1", compile=False).optimizer is None


def test_the_model_file_is_strata_safe_format(zoo_dir):
    entry = zoo.save(small_model(), "a")
    loaded = strata.saving.load_model(zoo_dir / "models" / entry.file)
    assert loaded.count_params() == entry.params


def test_listing_filters_by_tag_and_prints_a_table(zoo_dir):
    zoo.save(small_model(), "b-model", tags="vision", metrics={"accuracy": 0.91234})
    zoo.save(small_model(), "a-model", tags=("text", "vision"))
    zoo.save(small_model(), "c-model")
    assert zoo.list().names() == ["a-model", "b-model", "c-model"]
    assert zoo.list(tag="vision").names() == ["a-model", "b-model"]
    assert zoo.list(tag="text").names() == ["a-model"]
    assert zoo.list(tag="nothing") == []
    table = str(zoo.list())
    header = table.splitlines()[0].split()
    assert header == ["Name", "Date", "(UTC)", "Params", "Metrics", "Tags"]
    row = next(line for line in table.splitlines() if line.strip().startswith("b-model"))
    assert "accuracy=0.9123" in row and "vision" in row and "43" in row
    assert str(zoo.list(tag="nothing")) == "(the zoo is empty)"
    with pytest.raises(ValueError, match="tag expected a string"):
        zoo.list(tag=["vision"])


def test_folder_comes_from_strata_zoo_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("STRATA_ZOO", str(tmp_path / "first"))
    zoo.save(small_model(), "x")
    monkeypatch.setenv("STRATA_ZOO", str(tmp_path / "second"))  # read at each call
    assert zoo.list() == []
    assert zoo.list(directory=tmp_path / "first").names() == ["x"]
    monkeypatch.delenv("STRATA_ZOO")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert zoo.zoo_directory() == tmp_path / "home" / ".strata" / "zoo"
    assert zoo.list() == []  # no folder yet: an empty zoo, nothing created
    assert not (tmp_path / "home").exists()


def test_an_existing_name_needs_overwrite(zoo_dir):
    first = small_model()
    zoo.save(first, "m", metrics={"version": 1})
    with pytest.raises(FileExistsError, match="overwrite=True"):
        zoo.save(small_model(), "m", metrics={"version": 2})
    assert zoo.info("m").metrics == {"version": 1}
    assert len(os.listdir(zoo_dir / "models")) == 1  # the refused save left no file

    second = small_model()
    zoo.save(second, "m", metrics={"version": 2}, overwrite=True)
    assert zoo.info("m").metrics == {"version": 2}
    np.testing.assert_array_equal(predictions(zoo.load("m"), X), predictions(second, X))
    assert os.listdir(zoo_dir / "models") == [zoo.info("m").file]  # the old file is gone


def test_delete(zoo_dir):
    zoo.save(small_model(), "keep")
    entry = zoo.save(small_model(), "drop")
    assert zoo.delete("drop") == entry
    assert zoo.list().names() == ["keep"]
    assert not (zoo_dir / "models" / entry.file).exists()
    with pytest.raises(zoo.EntryNotFoundError, match="No zoo entry named 'drop'"):
        zoo.delete("drop")
    with pytest.raises(KeyError):
        zoo.load("drop")
    with pytest.raises(ValueError, match=r"Closest names: \['keep'\]"):
        zoo.info("kep")


@pytest.mark.parametrize("name", ["", "../up", "a/b", "a\\b", ".hidden", "a..b", "x" * 129, 7])
def test_bad_names_are_refused(zoo_dir, name):
    with pytest.raises(ValueError, match="zoo entry name expected"):
        zoo.save(small_model(), name)
    with pytest.raises(ValueError, match="zoo entry name expected"):
        zoo.load(name)
    assert not (zoo_dir / "entries").exists() or os.listdir(zoo_dir / "entries") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metrics": [0.5]}, "metrics expected a dict"),
        ({"metrics": {"loss": [0.5, 0.4]}}, "not a history list"),
        ({"metrics": {"loss": "low"}}, "expected a number"),
        ({"metrics": {"loss": float("nan")}}, "finite"),
        ({"tags": ["ok", ""]}, "non-empty strings"),
        ({"tags": 3}, "iterable of strings"),
        ({"description": 3}, "description expected a string"),
    ],
)
def test_bad_metadata_is_refused(zoo_dir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        zoo.save(small_model(), "m", **kwargs)
    assert zoo.list() == []


def test_metrics_accept_tensors_and_evaluate_output(zoo_dir):
    model = small_model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    scores = model.evaluate(X, np.zeros((6, 3), "float32"), verbose=0, return_dict=True)
    entry = zoo.save(model, "m", metrics={**scores, "extra": torch.tensor(2.5)})
    assert set(entry.metrics) == {"loss", "mae", "extra"} and entry.metrics["extra"] == 2.5
    assert entry.metrics["loss"] == pytest.approx(float(scores["loss"]))


def test_unbuilt_model_is_refused(zoo_dir):
    with pytest.raises(ValueError, match="built model"):
        zoo.save(strata.Sequential([strata.layers.Dense(2)]), "m")


def test_damaged_model_file_is_refused_and_reported(zoo_dir):
    entry = zoo.save(small_model(), "m")
    path = zoo_dir / "models" / entry.file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        zoo.load("m")
    problems = zoo.verify()
    assert len(problems) == 1 and "fails its checksum" in problems[0]
    path.unlink()
    assert "is missing" in zoo.verify()[0]


def test_unreadable_or_hostile_records_are_left_out(zoo_dir):
    zoo.save(small_model(), "good")
    zoo.save(small_model(), "evil")
    record = json.loads((zoo_dir / "entries" / "evil.json").read_text())
    record["file"] = "../../outside.keras"
    (zoo_dir / "entries" / "evil.json").write_text(json.dumps(record))
    (zoo_dir / "entries" / "broken.json").write_text("{not json")
    record = json.loads((zoo_dir / "entries" / "good.json").read_text())
    (zoo_dir / "entries" / "renamed.json").write_text(json.dumps(record))
    (zoo_dir / "entries" / "bad-params.json").write_text(json.dumps({**record, "params": "1"}))
    with pytest.warns(UserWarning, match="not a valid entry"):
        assert zoo.list().names() == ["good"]
    with pytest.raises(ValueError, match="expected a file name"):
        zoo.load("evil")
    with pytest.raises(ValueError, match="names the entry 'good'"):
        zoo.info("renamed")
    with pytest.raises(ValueError, match="'params' expected an integer"):
        zoo.info("bad-params")
    assert len(zoo.verify()) == 4


def test_load_weights_into_a_model_of_the_same_architecture(zoo_dir):
    trained = small_model()
    zoo.save(trained, "m")
    fresh = small_model()
    assert not np.array_equal(predictions(fresh, X), predictions(trained, X))
    zoo.load_weights(fresh, "m")
    np.testing.assert_array_equal(predictions(fresh, X), predictions(trained, X))
    with pytest.raises(ValueError, match="Zoo entry 'm' .*does not fit model"):
        zoo.load_weights(small_model(units=4), "m")


def test_clean_keeps_entries_and_files_of_live_saves(zoo_dir):
    entry = zoo.save(small_model(), "m")
    # A model file of this (running) process that no entry names: a save in progress.
    in_progress = zoo_dir / "models" / f"n.{os.getpid()}.abc.keras"
    in_progress.write_bytes(b"partial")
    assert zoo.clean() == []
    assert in_progress.exists() and (zoo_dir / "models" / entry.file).exists()
    assert zoo.load("m").count_params() == entry.params
