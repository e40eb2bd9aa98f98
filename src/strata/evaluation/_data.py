"""Data plumbing for cross-validation: index nested inputs alike, and choose the splits."""

from __future__ import annotations

import hashlib

import numpy as np
import torch


def leaves(data) -> list:
    """The arrays inside `data` (an array, or lists / tuples / dicts of arrays), in order."""
    if data is None:
        return []
    if isinstance(data, dict):
        return [leaf for key in data for leaf in leaves(data[key])]
    if isinstance(data, (list, tuple)) and not _is_plain_sequence(data):
        return [leaf for item in data for leaf in leaves(item)]
    return [data]


def _is_plain_sequence(data) -> bool:
    """A list of numbers (one column of values) rather than a list of arrays."""
    return len(data) > 0 and all(np.isscalar(item) for item in data)


def take(data, index):
    """`data` with every leaf restricted to the rows `index` (the structure is kept)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: take(value, index) for key, value in data.items()}
    if isinstance(data, (list, tuple)) and not _is_plain_sequence(data):
        return type(data)(take(item, index) for item in data)
    if isinstance(data, torch.Tensor):
        return data[torch.as_tensor(index, dtype=torch.long)]
    return np.asarray(data)[index]


def n_rows(x, y) -> int:
    """The number of rows every leaf of `x` and `y` shares; a ValueError when they disagree."""
    sizes = {len(leaf) for leaf in leaves(x) + leaves(y)}
    if not leaves(x):
        raise ValueError("cross_validate expected input data x; received None or an empty list.")
    if len(sizes) != 1:
        raise ValueError(
            f"cross_validate expected every array of x and y to hold the same number of rows; "
            f"received row counts {sorted(sizes)}."
        )
    return sizes.pop()


def checksum(*datas) -> str:
    """A SHA-256 digest of every leaf's values, shape and dtype (to recognize the same data)."""
    digest = hashlib.sha256()
    for data in datas:
        for leaf in leaves(data):
            array = leaf.detach().cpu().numpy() if isinstance(leaf, torch.Tensor) else leaf
            array = np.ascontiguousarray(np.asarray(array))
            digest.update(f"{array.shape}{array.dtype}".encode())
            digest.update(array.tobytes() if array.dtype != object else repr(array).encode())
    return digest.hexdigest()


def class_labels(y):
    """Integer class labels when `y` is one classification target (integer labels or one-hot
    rows), else None. Several targets (a list or dict) are not stratified automatically."""
    if isinstance(y, dict) or (isinstance(y, (list, tuple)) and not _is_plain_sequence(y)):
        return None
    array = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim == 1 and (array.dtype.kind in "iub"):
        return array.astype(np.int64)
    if array.ndim == 1 and array.dtype.kind == "f" and np.isin(array, (0, 1)).all():
        return array.astype(np.int64)  # binary labels given as floats (binary_crossentropy)
    if array.ndim == 2 and array.shape[1] > 1 and array.dtype.kind in "iubf":
        is_binary = np.isin(array, (0, 1)).all()
        if is_binary and np.all(array.sum(axis=1) == 1):
            return array.argmax(axis=1)
    return None


def make_splitter(cv, repeats, shuffle, seed, stratify, labels, groups):
    """The scikit-learn splitter the arguments ask for (or `cv` itself when it is a splitter)."""
    from sklearn import model_selection as ms

    if hasattr(cv, "split"):
        if repeats != 1:
            raise ValueError(
                f"cross_validate expected repeats=1 with a splitter object as cv (it repeats "
                f"itself); received repeats={repeats}."
            )
        return cv
    if not isinstance(cv, int) or isinstance(cv, bool) or cv < 2:
        raise ValueError(
            f"cross_validate expected cv to be an integer >= 2 or a splitter with split(); "
            f"received {cv!r}."
        )
    if not isinstance(repeats, int) or isinstance(repeats, bool) or repeats < 1:
        raise ValueError(f"cross_validate expected repeats to be an integer >= 1; got {repeats!r}.")
    if repeats > 1 and not shuffle:
        raise ValueError(
            "cross_validate expected shuffle=True with repeats > 1 (unshuffled repeats give the "
            f"same folds every time); received shuffle=False, repeats={repeats}."
        )
    stratified = _wants_stratification(stratify, labels)
    state = seed if shuffle else None
    if groups is not None:
        if stratified and stratify is True:
            if repeats > 1:
                return _Repeated(ms.StratifiedGroupKFold, cv, repeats, seed)
            return ms.StratifiedGroupKFold(cv, shuffle=shuffle, random_state=state)
        if repeats > 1:
            return _Repeated(ms.GroupKFold, cv, repeats, seed)
        return ms.GroupKFold(cv, shuffle=shuffle, random_state=state)
    if repeats > 1:
        cls = ms.RepeatedStratifiedKFold if stratified else ms.RepeatedKFold
        return cls(n_splits=cv, n_repeats=repeats, random_state=seed)
    cls = ms.StratifiedKFold if stratified else ms.KFold
    return cls(cv, shuffle=shuffle, random_state=state)


def _wants_stratification(stratify, labels) -> bool:
    if stratify not in ("auto", True, False):
        raise ValueError(
            f"cross_validate expected stratify 'auto', True or False; received {stratify!r}."
        )
    if stratify is True and labels is None:
        raise ValueError(
            "cross_validate was asked to stratify (stratify=True) but y is not one "
            "classification target (integer labels or one-hot rows)."
        )
    return stratify is not False and labels is not None


class _Repeated:
    """Repeats a shuffling group splitter with a different random state per repeat."""

    def __init__(self, cls, n_splits, repeats, seed):
        self.cls, self.n_splits, self.repeats, self.seed = cls, n_splits, repeats, seed

    def split(self, x, y=None, groups=None):
        states = np.random.RandomState(self.seed).randint(0, 2**31 - 1, size=self.repeats)
        for state in states:
            splitter = self.cls(self.n_splits, shuffle=True, random_state=int(state))
            yield from splitter.split(x, y, groups)

    def __repr__(self):
        return f"Repeated({self.cls.__name__}, n_splits={self.n_splits}, repeats={self.repeats})"


def folds_by_repeat(folds, rows: int) -> list[int]:
    """The repeat each fold belongs to: a new repeat starts when a fold holds out a row already
    held out in the current one (so a RepeatedKFold passed as `cv` is recognized)."""
    repeat_of, seen, repeat = [], np.zeros(rows, dtype=bool), 0
    for _, test in folds:
        if seen[test].any():
            repeat, seen = repeat + 1, np.zeros(rows, dtype=bool)
        seen[test] = True
        repeat_of.append(repeat)
    return repeat_of


def inner_split(train, fraction: float, seed: int, labels):
    """Split a fold's training rows into (fit rows, inner validation rows), reproducibly;
    stratified by class when the labels allow it."""
    from sklearn.model_selection import train_test_split

    stratify = labels[train] if labels is not None else None
    if stratify is not None and np.bincount(stratify).max(initial=0) > 0:
        counts = np.bincount(stratify)
        if counts[counts > 0].min() < 2:
            stratify = None
    try:
        fit_rows, val_rows = train_test_split(
            train, test_size=fraction, random_state=seed, stratify=stratify
        )
    except ValueError:  # too few rows per class for a stratified inner split
        fit_rows, val_rows = train_test_split(train, test_size=fraction, random_state=seed)
    return np.sort(fit_rows), np.sort(val_rows)
