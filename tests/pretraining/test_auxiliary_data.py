"""corrupt, corrupted_pairs and same_or_not_pairs: rates, labels, reproducibility, errors."""

import numpy as np
import pytest

from strata.pretraining import corrupt, corrupted_pairs, same_or_not_pairs


def _features(n=40, d=20, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype("float32")


@pytest.mark.parametrize("rate, per_row", [(0.1, 2), (0.25, 5), (0.5, 10), (1.0, 20), (0.01, 1)])
def test_corrupt_replaces_the_rate_of_entries_by_other_rows_values(rate, per_row):
    x = _features()
    bad = corrupt(x, rate=rate, seed=1)
    assert bad.shape == x.shape and bad.dtype == x.dtype
    changed = bad != x
    np.testing.assert_array_equal(changed.sum(axis=1), per_row)  # continuous data: all differ
    rows, cols = np.nonzero(changed)
    for r, c in zip(rows, cols):
        others = np.delete(x[:, c], r)
        assert bad[r, c] in others  # swap noise: the same feature from another example
    np.testing.assert_array_equal(corrupt(x, rate=rate, seed=1), bad)
    assert not np.array_equal(corrupt(x, rate=rate, seed=2), bad)


def test_corrupt_keeps_any_trailing_shape():
    x = _features(10, 12).reshape(10, 3, 4)
    bad = corrupt(x, rate=0.5, seed=0)
    assert bad.shape == (10, 3, 4)
    np.testing.assert_array_equal((bad != x).reshape(10, -1).sum(axis=1), 6)


def test_corrupt_tokens_draws_other_ids_and_leaves_padding():
    rng = np.random.default_rng(3)
    lengths = rng.integers(4, 11, size=30)
    x = np.zeros((30, 10), "int64")
    for i, n in enumerate(lengths):
        x[i, :n] = rng.integers(1, 50, size=n)
    bad = corrupt(x, rate=0.2, vocabulary_size=50, padding_value=0, seed=0)
    changed = bad != x
    np.testing.assert_array_equal(changed.sum(axis=1), np.maximum(1, np.rint(0.2 * lengths)))
    assert not changed[x == 0].any()  # padding is never touched
    assert (bad[changed] != 0).all() and (bad[changed] < 50).all() and (bad >= 0).all()
    # One word per sentence, as in seed 001: a tiny rate still changes one token.
    one = corrupt(x, rate=0.01, vocabulary_size=50, padding_value=0, seed=0)
    np.testing.assert_array_equal((one != x).sum(axis=1), 1)
    # Every other id is drawn: over many draws a 3-token vocabulary gives both others.
    tiny = np.ones((200, 1), "int64")
    assert set(np.unique(corrupt(tiny, rate=1.0, vocabulary_size=3, seed=0))) == {0, 2}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rate": 0}, r"rate in \(0, 1\]"),
        ({"rate": 1.5}, r"rate in \(0, 1\]"),
        ({"vocabulary_size": 2.5}, "vocabulary_size to be an integer"),
        ({"vocabulary_size": 10}, r"token ids in \[0, 10\)"),
    ],
)
def test_corrupt_bad_arguments(kwargs, match):
    x = np.arange(40).reshape(4, 10)
    with pytest.raises(ValueError, match=match):
        corrupt(x, **kwargs)
    with pytest.raises(ValueError, match="at least two examples"):
        corrupt(np.arange(5))


def test_corrupted_pairs_are_balanced_labelled_and_reproducible():
    x = _features(30, 8)
    examples, labels = corrupted_pairs(x, rate=0.25, seed=5)
    assert examples.shape == (60, 8) and labels.dtype == np.float32
    assert labels.sum() == 30
    originals = {row.tobytes() for row in x}
    is_original = np.array([row.tobytes() in originals for row in examples])
    np.testing.assert_array_equal(is_original, labels == 1)
    assert 0 < labels[:30].sum() < 30  # shuffled
    again, same = corrupted_pairs(x, rate=0.25, seed=5)
    np.testing.assert_array_equal(again, examples)
    np.testing.assert_array_equal(same, labels)
    ordered, flags = corrupted_pairs(x, rate=0.25, shuffle=False, seed=5)
    np.testing.assert_array_equal(ordered[:30], x)
    np.testing.assert_array_equal(flags, np.repeat([1.0, 0.0], 30))
    np.testing.assert_array_equal((ordered[30:] != x).sum(axis=1), 2)


def test_same_or_not_pairs_labels_match_the_groups():
    x = np.arange(60).reshape(60, 1)
    groups = np.repeat(np.arange(6), 10)
    (a, b), same = same_or_not_pairs(x, groups, pairs=101, seed=0)
    assert a.shape == b.shape == (101, 1) and same.sum() == 50
    np.testing.assert_array_equal(groups[a[:, 0]] == groups[b[:, 0]], same == 1)
    assert (a[same == 1] != b[same == 1]).all()  # two different examples
    (a2, b2), same2 = same_or_not_pairs(x, groups, pairs=101, seed=0)
    np.testing.assert_array_equal(a2, a)
    assert len(same_or_not_pairs(x, groups, seed=1)[1]) == 60


def test_same_or_not_pairs_errors():
    with pytest.raises(ValueError, match="one group per example"):
        same_or_not_pairs(np.zeros((4, 2)), [0, 1, 1])
    with pytest.raises(ValueError, match="at least two groups"):
        same_or_not_pairs(np.zeros((4, 2)), [0, 0, 0, 0])
    with pytest.raises(ValueError, match="two or more"):
        same_or_not_pairs(np.zeros((3, 2)), [0, 1, 2])


@pytest.mark.slow
def test_good_vs_corrupted_digits_is_a_learnable_task(shared_datasets):
    """Real MNIST digits against swap-noise copies: a small net tells them apart on new digits."""
    import strata
    from strata.datasets import mnist

    (x, _), (x_new, _) = mnist.load_test_split(shared_datasets / "mnist", train_size=8000)
    x = x[:1000].reshape(1000, -1).astype("float32") / 255
    x_new = x_new[:500].reshape(500, -1).astype("float32") / 255
    examples, labels = corrupted_pairs(x, rate=0.15, seed=0)
    held_out, held_out_labels = corrupted_pairs(x_new, rate=0.15, seed=1)
    strata.utils.set_random_seed(0)
    model = strata.Sequential(
        [
            strata.Input((784,)),
            strata.layers.Dense(64, activation="relu"),
            strata.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(examples, labels, epochs=15, verbose=0)
    _, accuracy = model.evaluate(held_out, held_out_labels, verbose=0)
    assert accuracy > 0.6  # balanced classes: chance is 0.5 (0.71 when written)
