"""PyDataset, timeseries windows, split_dataset, folders of images/text and the image helpers,
each used the way Keras's guides use them: through fit."""

import threading

import numpy as np
import pytest
from PIL import Image

import strata
from strata import layers
from strata.utils import (
    PyDataset,
    Sequence,
    array_to_img,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
    split_dataset,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)


class _Lines(PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0
        self.threads = set()

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, index):
        self.threads.add(threading.get_ident())
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _linear_data(n=96):
    rng = np.random.default_rng(0)
    x = rng.random((n, 3), dtype=np.float32)
    return x, x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)


def _linear_model():
    model = strata.Sequential([strata.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=strata.optimizers.SGD(0.1), loss="mse")
    return model


@pytest.mark.parametrize("workers", [1, 3])
def test_pydataset_trains_evaluates_predicts_and_ends_epochs(workers):
    x, y = _linear_data()
    data = _Lines(x, y, batch_size=16, workers=workers, max_queue_size=2)
    model = _linear_model()
    history = model.fit(data, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    assert data.epochs_ended == 4
    if workers > 1:
        assert len(data.threads - {threading.get_ident()}) >= 1  # built in worker threads
    assert model.predict(data, verbose=0).shape == (96, 1)
    assert np.isfinite(model.evaluate(data, verbose=0))
    assert Sequence is PyDataset


def test_pydataset_batches_arrive_in_index_order_with_threads():
    x = np.arange(40, dtype=np.float32)[:, None]
    data = _Lines(x, x, batch_size=4, workers=4, max_queue_size=3)
    seen = np.concatenate([batch[0] for batch in data])
    np.testing.assert_array_equal(seen, x)


def test_pydataset_arguments_are_checked():
    with pytest.raises(ValueError, match="workers"):
        _Lines(np.zeros((2, 3)), np.zeros((2, 1)), 1, workers=0)
    with pytest.warns(UserWarning, match="threads"):
        _Lines(np.zeros((2, 3)), np.zeros((2, 1)), 1, use_multiprocessing=True)


def test_timeseries_windows_targets_and_seeded_shuffle():
    data = np.arange(100)
    batches = timeseries_dataset_from_array(
        data,
        data + 1000,
        sequence_length=5,
        sequence_stride=3,
        sampling_rate=2,
        batch_size=4,
        start_index=10,
        end_index=60,
    )
    windows, targets = batches[0]
    np.testing.assert_array_equal(windows[1], [13, 15, 17, 19, 21])
    np.testing.assert_array_equal(targets, windows[:, 0] + 1000)
    starts = np.concatenate([b[0][:, 0] for b in batches])
    assert starts.max() + 8 < 60  # the last window ends before end_index
    np.testing.assert_array_equal(starts, np.arange(10, starts.max() + 1, 3))

    shuffled = timeseries_dataset_from_array(data, None, 4, batch_size=200, shuffle=True, seed=7)
    expected = np.arange(97)
    np.random.RandomState(7).shuffle(expected)  # Keras draws the order this way
    np.testing.assert_array_equal(shuffled[0][:, 0], expected)
    with pytest.raises(ValueError, match="window spans"):
        timeseries_dataset_from_array(np.arange(5), None, sequence_length=10)


def test_timeseries_dataset_trains_a_recurrent_model():
    series = np.sin(np.arange(400) / 8.0).astype(np.float32)[:, None]
    train = timeseries_dataset_from_array(
        series[:-10], series[10:, 0], 10, batch_size=32, shuffle=True, seed=1
    )
    model = strata.Sequential([strata.Input((10, 1)), layers.LSTM(8), layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(train, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_split_dataset_sizes_structure_and_shuffle():
    x, y = np.arange(20)[:, None], np.arange(20)
    (x_left, y_left), (x_right, y_right) = split_dataset((x, y), left_size=0.75)
    assert len(x_left) == 15 and len(y_right) == 5
    np.testing.assert_array_equal(x_left[:, 0], y_left)
    left, right = split_dataset({"a": x, "b": y}, right_size=4, shuffle=True, seed=3)
    assert set(left) == {"a", "b"} and len(right["a"]) == 4
    assert sorted(np.concatenate([left["b"], right["b"]])) == list(range(20))
    with pytest.raises(ValueError, match="left_size"):
        split_dataset(x, left_size=1.5)


def _image_folder(root, counts, size=(12, 9)):
    rng = np.random.default_rng(4)
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i:02d}.png")
    (root / "cats" / "notes.txt").write_text("not an image")


def test_image_dataset_from_directory_splits_labels_and_trains(tmp_path, capsys):
    _image_folder(tmp_path, {"cats": 7, "dogs": 5})
    train, valid = image_dataset_from_directory(
        tmp_path, image_size=(8, 8), batch_size=4, validation_split=0.25, subset="both", seed=2
    )
    out = capsys.readouterr().out
    assert "Found 12 files belonging to 2 classes." in out
    assert "Using 9 files for training." in out and "Using 3 files for validation." in out
    assert train.class_names == ["cats", "dogs"]
    assert not set(train.file_paths) & set(valid.file_paths)
    images, labels = train[0]
    assert images.shape == (4, 8, 8, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32
    for path, label in zip(train.file_paths[:4], labels):
        assert ("dogs" in path) == bool(label)
    model = strata.Sequential(
        [
            strata.Input((8, 8, 3)),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train.prefetch(2), validation_data=valid, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}

    categorical = image_dataset_from_directory(
        tmp_path,
        image_size=(8, 8),
        label_mode="categorical",
        color_mode="grayscale",
        shuffle=False,
        verbose=False,
    )
    images, labels = categorical[0]
    assert images.shape[-1] == 1 and labels.shape[1] == 2
    np.testing.assert_array_equal(labels.sum(axis=1), 1)
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(tmp_path, validation_split=0.2, subset="training")


def test_text_dataset_from_directory(tmp_path):
    for label, words in (("neg", "bad awful"), ("pos", "good great")):
        (tmp_path / label).mkdir()
        for i in range(3):
            (tmp_path / label / f"{i}.txt").write_text(f"{words} {i}")
    data = text_dataset_from_directory(
        tmp_path, batch_size=4, shuffle=False, max_length=6, verbose=False
    )
    texts, labels = data[0]
    assert data.class_names == ["neg", "pos"] and len(data) == 2
    assert texts[0] == "bad aw" and labels.tolist() == [0, 0, 0, 1]
    lengths = data.map(lambda x, y: (np.array([[len(t)] for t in x], dtype=np.float32), y))
    assert lengths[0][0].shape == (4, 1)


def test_image_helpers_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (6, 10, 3)).astype(np.float32)
    path = tmp_path / "picture.png"
    save_img(path, pixels, scale=False)
    loaded = load_img(path)
    assert loaded.size == (10, 6)
    np.testing.assert_array_equal(img_to_array(loaded), pixels)
    assert img_to_array(loaded, data_format="channels_first").shape == (3, 6, 10)
    assert load_img(path, color_mode="grayscale", target_size=(3, 5)).size == (5, 3)
    scaled = img_to_array(array_to_img(pixels / 255.0))
    assert scaled.max() == 255 and scaled.min() == 0
    resized = smart_resize(pixels, (4, 4))
    assert resized.shape == (4, 4, 3)
    with pytest.raises(ValueError, match="color_mode"):
        load_img(path, color_mode="cmyk")
