"""The text-classification example trains from raw strings (synthetic text, then real IMDB)."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "text_classification.py"


def _module():
    spec = importlib.util.spec_from_file_location("text_classification", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_synthetic_text_is_learned():
    assert _module().main(epochs=4, synthetic=True, verbose=0) > 0.9


@pytest.mark.slow
def test_imdb_reviews_beat_chance(shared_datasets):
    assert _module().main(epochs=2, data=shared_datasets / "imdb", verbose=0) > 0.6
