"""The wide & deep example: hashed word pairs, and all three models learn real IMDB reviews."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wide_and_deep.py"


def _module():
    spec = importlib.util.spec_from_file_location("wide_and_deep_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hashed_word_pairs_keep_bin_zero_for_padding_and_equal_pairs_together():
    tokens = np.array([[0, 0, 5, 7, 5, 7], [0, 3, 5, 7, 4, 4]])
    ids = _module().hashed_bigrams(tokens, vocabulary=10, bins=64)
    assert ids.shape == (2, 5)
    np.testing.assert_array_equal(ids[:, 0], [0, 0])  # pairs touching padding
    assert ids[0, 1] == 0
    real = np.concatenate([ids[0, 2:], ids[1, 1:]])
    assert ((real >= 1) & (real < 64)).all()
    assert ids[0, 2] == ids[0, 4] == ids[1, 2]  # the pair (5, 7) wherever it occurs


@pytest.mark.slow
def test_all_three_models_learn_imdb_sentiment(shared_datasets):
    results = _module().main(seeds=(0,), epochs=2, data_path=shared_datasets / "imdb")
    assert set(results) == {"wide", "deep", "wide_and_deep"}
    for scores in results.values():
        assert scores[0] > 0.6
