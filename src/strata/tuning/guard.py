"""The test-set discipline of a hyperparameter search: statistics and warnings.

A search picks the trial with the best *validation* score. With many trials some of that score
is luck, so the best validation score is optimistic (Deep Learning with Python warns that
tuning on validation scores overfits the validation set). Only data that the search never saw,
looked at once, gives an honest estimate of the final model. This module measures and guards
that:

- `rank_correlation` tells whether the trials' validation ranking carries over to test data;
- `optimism` says how much better the validation score looked than the test score;
- `TestSetGuard` fingerprints the search's validation data and the test sets used for final
  evaluations, and raises a `TestSetReuseWarning` when the test data is the validation data,
  when the same test set is looked at a second time, or when many test rows also appear in
  the validation data. Its state is a small JSON dict that can be saved in the project folder,
  so a new Python process still knows about earlier looks.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "RankCorrelation",
    "TestSetGuard",
    "TestSetReuseWarning",
    "fingerprint",
    "optimism",
    "rank_correlation",
]

_STATE_VERSION = 1

_WHY = (
    "The search chose its hyperparameters by their scores on the validation data, so after "
    "many trials the best validation score is optimistic (Deep Learning with Python: tuning on "
    "validation scores overfits the validation set). Only data the search never saw, looked at "
    "once, estimates how the final model does on new data."
)


class TestSetReuseWarning(UserWarning):
    """Warns that a test score is not an unbiased estimate: the test data was seen before."""

    __test__ = False  # not a pytest test class despite its name


# -- statistics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation between validation and test scores of the same trials.

    Attributes:
        rho: Spearman's rho in [-1, 1]; NaN when it cannot be computed (see `reason`).
        pvalue: Two-sided p-value of "no correlation"; NaN with `rho`.
        n: Number of (validation, test) pairs used (pairs with a NaN are left out).
        reason: Why `rho` is NaN, or `None` when it is a number.
    """

    rho: float
    pvalue: float
    n: int
    reason: str | None = None


def rank_correlation(
    validation_scores: Sequence[float], test_scores: Sequence[float]
) -> RankCorrelation:
    """Spearman's rho between the validation and test scores of the same trials.

    A rho close to 1 says the search's ranking of trials holds on test data; a low rho says the
    validation scores mostly ranked noise, so the best of them is especially optimistic.

    Args:
        validation_scores: One validation score per trial.
        test_scores: The same trials' test scores, in the same order.

    Returns:
        A `RankCorrelation`. Pairs where either score is NaN or infinite are left out; with
        fewer than 3 pairs left, or when one side is constant, `rho` and `pvalue` are NaN and
        `reason` says why (no exception, so that a report can still be printed).

    Raises:
        ValueError: If the two sequences differ in length or are not 1-D.

    Example:
        >>> result = rank_correlation([0.7, 0.8, 0.9, 0.85], [0.68, 0.75, 0.8, 0.79])
        >>> round(result.rho, 3), result.n
        (1.0, 4)
        >>> rank_correlation([0.7, 0.8], [0.6, 0.7]).reason
        'fewer than 3 pairs of finite scores (2)'
    """
    from scipy import stats

    validation = np.asarray(validation_scores, dtype=np.float64)
    test = np.asarray(test_scores, dtype=np.float64)
    if validation.ndim != 1 or validation.shape != test.shape:
        raise ValueError(
            "rank_correlation expected two 1-D sequences of the same length; received shapes "
            f"{validation.shape} and {test.shape}."
        )
    keep = np.isfinite(validation) & np.isfinite(test)
    validation, test = validation[keep], test[keep]
    n = int(validation.size)
    if n < 3:
        return RankCorrelation(math.nan, math.nan, n, f"fewer than 3 pairs of finite scores ({n})")
    for side, values in (("validation", validation), ("test", test)):
        if np.all(values == values[0]):
            return RankCorrelation(math.nan, math.nan, n, f"constant {side} scores")
    result = stats.spearmanr(validation, test)
    return RankCorrelation(float(result.statistic), float(result.pvalue), n)


def _maximize(direction: Any) -> bool:
    name = str(getattr(direction, "name", direction)).lower()
    if name in ("maximize", "max"):
        return True
    if name in ("minimize", "min"):
        return False
    raise ValueError(
        "direction expected 'maximize' or 'minimize' (or 'max'/'min', or an optuna "
        f"StudyDirection); received {direction!r}."
    )


def optimism(validation_score: float, test_score: float, direction: Any) -> float:
    """How much better the validation score looked than the test score.

    Positive means optimistic (validation looked better than test) in both directions:
    `validation - test` when maximizing (accuracy), `test - validation` when minimizing (loss).

    Args:
        validation_score: The search's (best) validation score.
        test_score: The same model's score on the test data.
        direction: `"maximize"` or `"minimize"` (also `"max"`, `"min"` or an optuna
            `StudyDirection`).

    Returns:
        The optimism as a float (NaN if a score is NaN).

    Example:
        >>> round(optimism(0.91, 0.88, "maximize"), 2)
        0.03
        >>> round(optimism(0.30, 0.35, "minimize"), 2)
        0.05
    """
    gap = float(validation_score) - float(test_score)
    return gap if _maximize(direction) else -gap


# -- fingerprints -------------------------------------------------------------------------


def _is_structure(data: Any) -> bool:
    if isinstance(data, dict):
        return True
    if isinstance(data, (list, tuple)):
        # A list of arrays (several inputs) is a structure; a list of numbers is one array.
        return any(_is_structure(item) or _is_array(item) for item in data)
    return False


def _is_array(data: Any) -> bool:
    # numpy arrays, torch tensors, pandas frames and anything else numpy can read as an array.
    return hasattr(data, "__array__") or hasattr(data, "detach")


def _leaves(data: Any, path: str = "") -> list[tuple[str, np.ndarray]]:
    """The arrays of `data` (nested dicts, lists, tuples), with their place in the structure."""
    if data is None:
        return []
    if isinstance(data, dict):
        return [
            leaf for key in sorted(data, key=str) for leaf in _leaves(data[key], f"{path}/{key}")
        ]
    if _is_structure(data):
        return [leaf for i, item in enumerate(data) for leaf in _leaves(item, f"{path}/{i}")]
    return [(path, _as_numpy(data))]


def _as_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        tensor = value.detach().cpu()
        if tensor.is_floating_point() and tensor.element_size() == 2:
            tensor = tensor.float()  # bfloat16 has no numpy dtype
        value = tensor.numpy()
    array = np.asarray(value)
    if array.dtype == object:
        # The bytes of an object array are pointers; hash the values' text instead.
        array = array.astype(str)
    return np.ascontiguousarray(array)


def fingerprint(*data: Any) -> str:
    """The sha256 of every array's bytes, shape, dtype and place in the (nested) structure.

    Args:
        *data: Arrays, tensors, nested lists/tuples/dicts of them, or `None`.

    Returns:
        The hex digest. Equal data in an equal structure gives an equal fingerprint.

    Example:
        >>> a = np.arange(6.0).reshape(3, 2)
        >>> fingerprint(a, None) == fingerprint(a.copy(), None)
        True
        >>> fingerprint(a) == fingerprint(a.astype("float32"))
        False
    """
    digest = hashlib.sha256()
    for index, item in enumerate(data):
        for path, array in _leaves(item, str(index)):
            digest.update(f"{path}|{array.dtype.str}|{array.shape}|".encode())
            # All bytes are hashed: sha256 reads a 60000x784 float32 array in about 0.15 s.
            digest.update(memoryview(array.reshape(-1)).cast("B"))
    return digest.hexdigest()


def _row_hashes(x: Any) -> np.ndarray:
    """One 64-bit hash per row (first axis) of `x`, over all its arrays."""
    leaves = [array for _, array in _leaves(x) if array.ndim >= 1]
    if not leaves:
        return np.zeros(0, dtype=np.uint64)
    rows = len(leaves[0])
    if any(len(array) != rows for array in leaves):
        raise ValueError(
            "TestSetGuard expected every array of x to have the same number of rows; received "
            f"{[len(array) for array in leaves]}."
        )
    views = [array.reshape(rows, -1).view(np.uint8).reshape(rows, -1) for array in leaves]
    if len(views) == 1:
        digests = [hashlib.blake2b(row, digest_size=8).digest() for row in views[0]]
    else:
        digests = []
        for i in range(rows):
            row = hashlib.blake2b(digest_size=8)
            for view in views:
                row.update(view[i])
            digests.append(row.digest())
    return np.frombuffer(b"".join(digests), dtype=np.uint64)


def _encode(hashes: np.ndarray) -> str:
    return base64.b64encode(np.unique(hashes).astype("<u8").tobytes()).decode("ascii")


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<u8")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


# -- the guard ----------------------------------------------------------------------------


class TestSetGuard:
    """Remembers the search's validation data and the test sets looked at, and warns on reuse.

    `check_test(x, y)` is called just before a final evaluation on test data. It warns with a
    `TestSetReuseWarning` when:

    - the test data *is* the search's validation data (same fingerprint);
    - the same test data was already used for a final evaluation (a second look: deciding
      anything from a test score makes the test set a validation set);
    - more than `overlap_threshold` of the test rows also appear in the validation data (rows
      compared by a 64-bit hash of the input row's bytes; labels are not compared).

    Data is identified by `fingerprint` (sha256 of all bytes, shapes and dtypes); validation
    rows are kept as 64-bit hashes (8 bytes per distinct row in the JSON state). With `path`,
    the state is read from that JSON file before each check and written back atomically after
    each change, so that the guard survives a restart and sees other processes' looks.

    Args:
        path: JSON file holding the state, for example `<project>/test_set_guard.json`; `None`
            keeps it in memory only (see `state_dict` / `load_state_dict`).
        overlap_threshold: Fraction of test rows found in the validation data above which
            `check_test` warns; `None` turns the row comparison off.

    Example:
        >>> import warnings
        >>> rng = np.random.default_rng(0)
        >>> x_val, x_test = rng.normal(size=(20, 3)), rng.normal(size=(10, 3))
        >>> guard = TestSetGuard()
        >>> _ = guard.remember_validation(x_val)
        >>> guard.check_test(x_test)
        []
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     messages = guard.check_test(x_test)
        >>> caught[0].category.__name__, messages[0].split(":")[0]
        ('TestSetReuseWarning', 'Second look at the same test data')
    """

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, path: str | os.PathLike | None = None, overlap_threshold: float = 0.1):
        if overlap_threshold is not None and not 0.0 <= float(overlap_threshold) <= 1.0:
            raise ValueError(
                f"TestSetGuard expected overlap_threshold in [0, 1] or None; received "
                f"{overlap_threshold!r}."
            )
        self.path = os.fspath(path) if path is not None else None
        self.overlap_threshold = overlap_threshold
        self._state = self._empty_state()
        self._reload()

    # -- state ----------------------------------------------------------------------------

    @staticmethod
    def _empty_state() -> dict:
        return {"version": _STATE_VERSION, "validation": [], "looks": {}}

    def state_dict(self) -> dict:
        """The guard's state as a JSON-serializable dict (a copy)."""
        return json.loads(json.dumps(self._state))

    def load_state_dict(self, state: dict) -> None:
        """Replaces the guard's state with `state` (from `state_dict` or the JSON file)."""
        if not isinstance(state, dict) or state.get("version") != _STATE_VERSION:
            raise ValueError(
                f"TestSetGuard expected a state dict with version {_STATE_VERSION}; received "
                f"{state if not isinstance(state, dict) else state.get('version')!r}."
            )
        self._state = {
            "version": _STATE_VERSION,
            "validation": list(state.get("validation", [])),
            "looks": dict(state.get("looks", {})),
        }

    def _reload(self) -> None:
        if self.path is not None and os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as file:
                self.load_state_dict(json.load(file))

    def _save(self) -> None:
        if self.path is not None:
            from strata.utils.file_io import write_bytes_atomically

            write_bytes_atomically(self.path, json.dumps(self._state, indent=1).encode("utf-8"))

    def looks(self, x: Any, y: Any = None) -> int:
        """How many final evaluations were recorded on this test data."""
        self._reload()
        return int(self._state["looks"].get(fingerprint(x, y), {}).get("count", 0))

    # -- checks ---------------------------------------------------------------------------

    def remember_validation(self, x: Any, y: Any = None) -> str:
        """Records the validation data a search scores its trials on.

        Warns with `TestSetReuseWarning` if this data was already used for a final evaluation:
        searching on a test set turns it into a validation set.

        Args:
            x: The validation inputs (array, tensor, or nested list/tuple/dict of them).
            y: The validation targets, or `None`.

        Returns:
            The data's fingerprint.
        """
        self._reload()
        key = fingerprint(x, y)
        look = self._state["looks"].get(key)
        if look:
            _warn(
                "Validation data already used as test data: this data was used for "
                f"{look['count']} final evaluation(s) (first on {look['first']}). Searching on "
                f"it turns that test set into a validation set. {_WHY} Keep a separate test "
                "set that no search or decision has touched."
            )
        entries = [e for e in self._state["validation"] if e["fingerprint"] != key]
        hashes = _row_hashes(x)
        entries.append(
            {"fingerprint": key, "rows": int(hashes.size), "row_hashes": _encode(hashes),
             "recorded": _now()}
        )  # fmt: skip
        self._state["validation"] = entries
        self._save()
        return key

    def check_test(self, x: Any, y: Any = None, record: bool = True) -> list[str]:
        """Checks test data before a final evaluation, warns on reuse, and records the look.

        Args:
            x: The test inputs (array, tensor, or nested list/tuple/dict of them).
            y: The test targets, or `None`.
            record: Whether to count this call as a final evaluation (a look at the test set).

        Returns:
            The messages of the warnings issued (empty when the test data looks unseen).
        """
        self._reload()
        key = fingerprint(x, y)
        messages = []
        if any(entry["fingerprint"] == key for entry in self._state["validation"]):
            messages.append(
                "Test data is the validation data: the search scored its trials on this very "
                f"data (fingerprint {key[:12]}), so a score on it is the search's own score, "
                f"not an estimate for new data. {_WHY} Evaluate the final model on test data "
                "that the search never saw."
            )
        else:
            overlap = self._overlap_message(x)
            if overlap:
                messages.append(overlap)
        look = self._state["looks"].get(key)
        if look:
            messages.append(
                f"Second look at the same test data: it was already used for {look['count']} "
                f"final evaluation(s) (first on {look['first']}, last on {look['last']}). Any "
                "choice made after seeing a test score (new hyperparameters, another search, "
                "another model) makes the test set a validation set, and its score optimistic. "
                f"{_WHY} Report the first evaluation's score; for a fresh estimate, evaluate on "
                "new held-out data."
            )
        for message in messages:
            _warn(message)
        if record:
            now = _now()
            entry = self._state["looks"].setdefault(key, {"count": 0, "first": now})
            entry["count"] += 1
            entry["last"] = now
            self._save()
        return messages

    def _overlap_message(self, x: Any) -> str | None:
        if self.overlap_threshold is None or not self._state["validation"]:
            return None
        test_rows = _row_hashes(x)
        if test_rows.size == 0:
            return None
        seen = np.concatenate([_decode(e["row_hashes"]) for e in self._state["validation"]])
        shared = int(np.isin(test_rows, seen).sum())
        fraction = shared / test_rows.size
        if fraction <= self.overlap_threshold:
            return None
        return (
            f"Test rows overlap the validation data: {shared} of {test_rows.size} test rows "
            f"({fraction:.1%}, above the threshold of {self.overlap_threshold:.0%}) also appear "
            "in the validation data the search used. Those rows helped choose the "
            f"hyperparameters, so the test score is optimistic. {_WHY} Remove duplicates "
            "before splitting, so that no example is in both sets."
        )


def _warn(message: str) -> None:
    # stacklevel 3: the line that called the guard's method, not the guard itself.
    warnings.warn(message, TestSetReuseWarning, stacklevel=3)
