"""The test-set guard and its statistics: real arrays, real files, a second Python process."""

import doctest
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import optuna
import pytest
import torch
from scipy import stats

from strata.tuning import guard as guard_module
from strata.tuning.guard import (
    RankCorrelation,
    TestSetGuard,
    TestSetReuseWarning,
    fingerprint,
    optimism,
    rank_correlation,
)


def _caught(call, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args, **kwargs)
    return result, [w for w in caught if issubclass(w.category, TestSetReuseWarning)]


def _split(seed=0, rows=200):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 5)).astype(np.float32)
    y = rng.integers(0, 2, size=rows)
    return (x[:100], y[:100]), (x[100:], y[100:])


# -- statistics ---------------------------------------------------------------------------


def test_rank_correlation_matches_scipy_and_drops_nan_pairs():
    rng = np.random.default_rng(1)
    validation = rng.uniform(size=12)
    test = validation + rng.normal(scale=0.2, size=12)
    expected = stats.spearmanr(validation, test)
    result = rank_correlation(list(validation) + [math.nan], list(test) + [0.5])
    assert isinstance(result, RankCorrelation)
    assert result.n == 12 and result.reason is None
    assert result.rho == pytest.approx(expected.statistic)
    assert result.pvalue == pytest.approx(expected.pvalue)
    assert rank_correlation([1, 2, 3], [3, 2, 1]).rho == pytest.approx(-1.0)


def test_rank_correlation_nan_with_a_reason():
    few = rank_correlation([0.1, 0.2], [0.3, 0.4])
    assert math.isnan(few.rho) and math.isnan(few.pvalue) and few.n == 2
    assert "fewer than 3" in few.reason
    constant = rank_correlation([0.5, 0.5, 0.5], [0.1, 0.2, 0.3])
    assert math.isnan(constant.rho) and constant.reason == "constant validation scores"
    assert rank_correlation([1, 2, 3], [4, 4, 4]).reason == "constant test scores"
    with pytest.raises(ValueError, match="same length"):
        rank_correlation([1, 2, 3], [1, 2])


def test_optimism_is_positive_when_validation_looked_better_in_both_directions():
    assert optimism(0.9, 0.85, "maximize") == pytest.approx(0.05)
    assert optimism(0.85, 0.9, "max") == pytest.approx(-0.05)
    assert optimism(0.20, 0.26, "minimize") == pytest.approx(0.06)
    assert optimism(0.20, 0.26, optuna.study.StudyDirection.MINIMIZE) == pytest.approx(0.06)
    assert optimism(0.9, 0.8, optuna.study.StudyDirection.MAXIMIZE) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="'maximize' or 'minimize'"):
        optimism(0.9, 0.8, "up")


# -- fingerprints -------------------------------------------------------------------------


def test_fingerprint_covers_bytes_shapes_dtypes_and_structure():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) == fingerprint(torch.from_numpy(a.copy()))
    assert fingerprint(a) != fingerprint(a.reshape(4, 3))
    assert fingerprint(a) != fingerprint(a.astype(np.float64))
    changed = a.copy()
    changed[2, 3] += 1
    assert fingerprint(a) != fingerprint(changed)
    both = {"image": a, "meta": [a[:, :1], a[:, 1:]]}
    assert fingerprint(both) == fingerprint({"meta": [a[:, :1], a[:, 1:]], "image": a})
    assert fingerprint(both) != fingerprint({"image": a, "meta": [a[:, 1:], a[:, :1]]})
    assert fingerprint(a, None) != fingerprint(a, np.zeros(3))
    assert fingerprint(["a", "b"]) != fingerprint(["a", "c"])  # text rows, not pointers


# -- the guard ----------------------------------------------------------------------------


def test_unseen_test_data_passes_silently_then_a_second_look_warns():
    (x_val, y_val), (x_test, y_test) = _split()
    guard = TestSetGuard()
    guard.remember_validation(x_val, y_val)
    messages, caught = _caught(guard.check_test, x_test, y_test)
    assert messages == [] and caught == []
    assert guard.looks(x_test, y_test) == 1

    messages, caught = _caught(guard.check_test, x_test, y_test)
    assert len(caught) == 1 and len(messages) == 1
    text = str(caught[0].message)
    assert text.startswith("Second look at the same test data")
    assert "1 final evaluation" in text and "validation set" in text
    assert "after many trials the best validation score is optimistic" in text
    assert guard.looks(x_test, y_test) == 2
    _, caught = _caught(guard.check_test, x_test, y_test, record=False)
    assert "2 final evaluation" in str(caught[0].message)
    assert guard.looks(x_test, y_test) == 2


def test_test_data_equal_to_the_validation_data_warns():
    (x_val, y_val), _ = _split()
    guard = TestSetGuard()
    guard.remember_validation([x_val, x_val[:, :2]], y_val)
    messages, caught = _caught(guard.check_test, [x_val.copy(), x_val[:, :2].copy()], y_val)
    assert len(caught) == 1
    assert messages[0].startswith("Test data is the validation data")
    assert "never saw" in messages[0]


def test_heavy_row_overlap_warns_with_the_count():
    (x_val, y_val), (x_test, y_test) = _split()
    guard = TestSetGuard()
    guard.remember_validation(x_val, y_val)
    leaky = x_test.copy()
    leaky[:15] = x_val[40:55]  # 15 of 100 test rows were validation rows
    messages, caught = _caught(guard.check_test, leaky, y_test)
    assert len(caught) == 1
    assert "15 of 100 test rows (15.0%" in messages[0]
    assert "Remove duplicates" in messages[0]

    few = x_test.copy()
    few[:10] = x_val[:10]  # exactly 10%: not above the threshold
    assert _caught(guard.check_test, few, y_test)[1] == []
    strict = TestSetGuard(overlap_threshold=0.0)
    strict.load_state_dict(guard.state_dict())
    assert "10 of 100" in _caught(strict.check_test, few[::-1].copy())[0][0]
    off = TestSetGuard(overlap_threshold=None)
    off.load_state_dict(guard.state_dict())
    assert _caught(off.check_test, leaky[::-1].copy())[1] == []


def test_searching_on_a_used_test_set_warns():
    (x_val, y_val), (x_test, y_test) = _split()
    guard = TestSetGuard()
    guard.check_test(x_test, y_test)
    _, caught = _caught(guard.remember_validation, x_test, y_test)
    assert len(caught) == 1
    assert str(caught[0].message).startswith("Validation data already used as test data")


def test_state_is_json_and_survives_a_new_python_process(tmp_path):
    (x_val, y_val), (x_test, y_test) = _split()
    state_file = tmp_path / "project" / "test_set_guard.json"
    guard = TestSetGuard(state_file)
    guard.remember_validation(x_val, y_val)
    assert _caught(guard.check_test, x_test, y_test)[1] == []
    state = json.loads(state_file.read_text())
    assert state["looks"][fingerprint(x_test, y_test)]["count"] == 1
    assert state["validation"][0]["rows"] == 100
    assert state == guard.state_dict()

    np.savez(tmp_path / "test.npz", x=x_test, y=y_test)
    script = (
        "import sys, warnings, numpy as np\n"
        "from strata.tuning.guard import TestSetGuard, TestSetReuseWarning\n"
        "data = np.load(sys.argv[1])\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    TestSetGuard(sys.argv[2]).check_test(data['x'], data['y'])\n"
        "print([w.category.__name__ for w in caught])\n"
        "print(str(caught[0].message))\n"
    )
    src = os.path.dirname(os.path.dirname(os.path.dirname(guard_module.__file__)))
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "test.npz"), str(state_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['TestSetReuseWarning']"
    assert lines[1].startswith("Second look at the same test data")
    # The other process recorded its look in the file; this guard reads it before checking.
    assert guard.looks(x_test, y_test) == 2


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"overlap_threshold in \[0, 1\]"):
        TestSetGuard(overlap_threshold=10)
    with pytest.raises(ValueError, match="same number of rows"):
        TestSetGuard().remember_validation([np.zeros((3, 2)), np.zeros((4, 2))])
    with pytest.raises(ValueError, match="version 1"):
        TestSetGuard().load_state_dict({"version": 7})


def test_docstring_examples_run():
    outcome = doctest.testmod(guard_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0 and outcome.failed == 0
