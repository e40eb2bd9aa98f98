"""Resumable cross-validation: each finished fold is written to `directory` atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile

import numpy as np

FINGERPRINT = "fingerprint.json"


def open_directory(directory, fingerprint: dict) -> dict:
    """Create `directory` with its fingerprint, or check that an existing one was made by the
    same arguments (and so the same folds); a ValueError names what differs."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, FINGERPRINT)
    if not os.path.exists(path):
        _write_json_atomic(path, fingerprint)
        return fingerprint
    with open(path, encoding="utf-8") as handle:
        stored = json.load(handle)
    differing = [
        key
        for key in sorted(set(stored) | set(fingerprint))
        if key != "resolved_seed" and stored.get(key) != fingerprint.get(key)
    ]
    if differing:
        details = "; ".join(
            f"{key}: stored {_short(stored.get(key))}, now {_short(fingerprint.get(key))}"
            for key in differing
        )
        raise ValueError(
            f"cross_validate cannot resume from {directory!r}: it was made by different "
            f"arguments ({details}). Use a new directory or the original arguments."
        )
    return stored


def stored_seed(directory):
    """The seed a seed=None run drew and kept in `directory` (None when there is none)."""
    path = os.path.join(directory, FINGERPRINT)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle).get("resolved_seed")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fold_path(directory, index: int) -> str:
    return os.path.join(directory, f"fold_{index:03d}")


def load_fold(directory, index: int, with_model: bool):
    """The saved result of fold `index`, or None when that fold has not finished."""
    path = fold_path(directory, index)
    if not os.path.isdir(path):
        return None
    with open(os.path.join(path, "result.json"), encoding="utf-8") as handle:
        saved = json.load(handle)
    predictions = [
        np.load(os.path.join(path, f"predictions_{i}.npy"), allow_pickle=False)
        for i in range(saved["n_outputs"])
    ]
    result = {"scores": saved["scores"], "history": saved["history"], "predictions": predictions}
    if with_model:
        model_file = os.path.join(path, "model.keras")
        if not os.path.exists(model_file):
            return None  # saved by a run without return_models: train this fold again
        from strata.saving.saving_lib import load_model

        result["model"] = load_model(model_file)
    return result


def save_fold(directory, index: int, result: dict, with_model: bool) -> None:
    """Write one fold's scores, history, predictions (and model) into a temporary folder, then
    rename it into place: a fold folder exists only when it is complete."""
    final = fold_path(directory, index)
    staging = tempfile.mkdtemp(prefix=f".fold_{index:03d}_", dir=directory)
    try:
        saved = {
            "scores": result["scores"],
            "history": result["history"],
            "n_outputs": len(result["predictions"]),
        }
        with open(os.path.join(staging, "result.json"), "w", encoding="utf-8") as handle:
            json.dump(saved, handle)
        for i, array in enumerate(result["predictions"]):
            np.save(os.path.join(staging, f"predictions_{i}.npy"), array, allow_pickle=False)
        if with_model:
            from strata.saving.saving_lib import save_model

            save_model(result["model"], os.path.join(staging, "model.keras"))
        if os.path.isdir(final):  # an earlier run saved it without its model
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_json_atomic(path, value) -> None:
    staging = path + ".tmp"
    with open(staging, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=True)
    os.replace(staging, path)
