"""cross_validate: K-fold and iterated K-fold evaluation of a strata model (seed 003 §4.2)."""

from __future__ import annotations

import warnings

import numpy as np

from strata.evaluation import _data, _folds, _store
from strata.evaluation.result import CVResult

_INNER_FRACTION = 0.2


def cross_validate(
    model_or_build_fn,
    x,
    y,
    cv=5,
    repeats=1,
    shuffle=True,
    seed=None,
    stratify="auto",
    groups=None,
    epochs=1,
    batch_size=None,
    callbacks=None,
    validation="inner",
    scoring=None,
    return_models=False,
    verbose=1,
    directory=None,
    n_jobs=1,
    **fit_kwargs,
):
    """Estimate a model's performance by K-fold (or iterated K-fold) cross-validation.

    Every fold trains a fresh model (a clone of `model_or_build_fn` with new weights, or a new
    one from the build function), initialized from `seed + fold index`, on the fold's training
    rows, then scores it on the held-out rows with `model.evaluate`.

    Args:
        model_or_build_fn: a compiled strata model (cloned and recompiled per fold; it is
            never trained itself) or a function of no arguments returning a compiled model.
        x: inputs: an array, or a list / dict of arrays for several inputs.
        y: targets: an array, or a list / dict of arrays for several outputs.
        cv: number of folds, or a scikit-learn style splitter with `split(x, y, groups)`.
        repeats: how many times to split into `cv` folds, reshuffled each time.
        shuffle: shuffle rows before splitting (required for `repeats > 1`).
        seed: base seed of the splits and of every fold's initialization (None draws one,
            kept in `CVResult.seed`).
        stratify: `"auto"` stratifies classification targets (integer labels or one-hot
            rows); True insists; False never stratifies.
        groups: group label per row; folds then never split a group (`GroupKFold`).
        epochs: epochs per fold.
        batch_size: batch size of fit, evaluate and predict.
        callbacks: callbacks given to every fold's `fit` (reset by their `on_train_begin` as in
            repeated `fit` calls), or a function `fold_index -> list of callbacks`.
        validation: what `val_*` metrics (EarlyStopping, ModelCheckpoint) see: `"inner"` (a
            stratified-when-possible 20% split of the fold's training rows; a float sets the
            fraction), `"fold"` (the held-out rows: the estimate becomes optimistic, a warning
            says so) or None (no validation data).
        scoring: a function `(y_true, y_pred) -> float` or a dict name -> function, added to
            each fold's scores.
        return_models: keep every fold model in `CVResult.models`.
        verbose: 0 silent; 1 one line per fold (its scores and the running mean ± std); 2
            also fit's per-epoch lines.
        directory: a folder where each finished fold is saved; a re-run with the same
            arguments resumes at the first unfinished fold with identical results.
        n_jobs: folds trained in parallel processes (spawned; build functions must be
            importable top-level functions).
        **fit_kwargs: further `fit` arguments (`class_weight`, `shuffle`, ...); `validation_split`
            sets the inner validation fraction; `sample_weight` (one per row) is split with the
            rows and also weights the validation and held-out scores.

    Returns:
        A `CVResult`.

    Example:
        >>> import numpy as np, strata
        >>> x = np.random.RandomState(0).rand(40, 3).astype("float32")
        >>> y = (x.sum(axis=1) > 1.5).astype("int64")
        >>> model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(2)])
        >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> result = cross_validate(model, x, y, cv=4, epochs=2, seed=0, verbose=0)
        >>> len(result.scores), result.oof_predictions.shape
        (4, (40, 2))
    """
    factory = _folds.ModelFactory(model_or_build_fn)
    settings = _settings(
        epochs,
        batch_size,
        callbacks,
        validation,
        scoring,
        verbose,
        return_models,
        n_jobs,
        fit_kwargs,
    )
    rows = _data.n_rows(x, y)
    if groups is not None and len(groups) != rows:
        raise ValueError(
            f"cross_validate expected one group label per row ({rows}); received {len(groups)}."
        )
    labels = _data.class_labels(y)
    if isinstance(seed, np.integer):
        seed = int(seed)
    base_seed = seed
    if base_seed is None:  # drawn once; a resumed run reuses the one its directory kept
        base_seed = _store.stored_seed(directory) if directory is not None else None
        if base_seed is None:
            base_seed = int(np.random.SeedSequence().entropy % 2**31)
    # The folds come first: they check cv, repeats and stratify before a directory is made.
    folds = _split(cv, repeats, shuffle, base_seed, stratify, labels, groups, rows)
    if directory is not None:
        fingerprint = _fingerprint(
            factory, x, y, groups, rows, cv, repeats, shuffle, seed, stratify, settings, base_seed
        )
        fingerprint["folds"] = _data.checksum(folds)
        _store.open_directory(directory, fingerprint)
    settings["seed"] = base_seed
    weights = settings.pop("sample_weight")
    if weights is not None and len(weights) != rows:
        raise ValueError(
            f"cross_validate expected one sample weight per row ({rows}); got {len(weights)}."
        )
    data = {"x": x, "y": y, "labels": labels, "sample_weight": weights}
    results = _run_folds(factory, data, folds, settings, directory)
    return _collect(results, folds, rows, settings)


def _split(cv, repeats, shuffle, seed, stratify, labels, groups, rows):
    """The (train, held-out) row indices of every fold, as int64 arrays."""
    splitter = _data.make_splitter(cv, repeats, shuffle, seed, stratify, labels, groups)
    # Splitters look only at the row count, the class labels and the groups.
    split_y = labels if labels is not None else np.zeros(rows)
    return [
        (np.asarray(train, dtype=np.int64), np.asarray(test, dtype=np.int64))
        for train, test in splitter.split(np.zeros((rows, 1)), split_y, groups)
    ]


def _settings(
    epochs, batch_size, callbacks, validation, scoring, verbose, return_models, n_jobs, fit_kwargs
):
    fraction = fit_kwargs.pop("validation_split", _INNER_FRACTION)
    if "validation_data" in fit_kwargs:
        raise ValueError(
            "cross_validate chooses each fold's validation data itself (see `validation`); "
            "received validation_data."
        )
    if isinstance(validation, float) and not isinstance(validation, bool):
        fraction, validation = validation, "inner"
    if validation not in ("inner", "fold", None):
        raise ValueError(
            f"cross_validate expected validation 'inner', a fraction, 'fold' or None; "
            f"received {validation!r}."
        )
    if validation == "inner" and not 0.0 < fraction < 1.0:
        raise ValueError(
            f"cross_validate expected an inner validation fraction in (0, 1); got {fraction!r}."
        )
    if validation == "fold":
        warnings.warn(
            "cross_validate(validation='fold') lets callbacks (EarlyStopping, ModelCheckpoint) "
            "monitor the held-out fold: the scores are then optimistic, not an unbiased "
            "estimate. Use validation='inner' for an honest estimate.",
            UserWarning,
            stacklevel=3,
        )
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise ValueError(f"cross_validate expected n_jobs to be an integer >= 1; got {n_jobs!r}.")
    return {
        "epochs": epochs,
        "batch_size": batch_size,
        "callbacks": callbacks,
        "validation": validation,
        "inner_fraction": fraction,
        "scoring": scoring,
        "verbose": int(verbose),
        "return_models": bool(return_models),
        "n_jobs": n_jobs,
        "sample_weight": fit_kwargs.pop("sample_weight", None),
        "fit_kwargs": fit_kwargs,
    }


def _fingerprint(
    factory, x, y, groups, rows, cv, repeats, shuffle, seed, stratify, settings, base_seed
):
    return {
        "n_rows": rows,
        "cv": repr(cv),
        "repeats": repeats,
        "shuffle": shuffle,
        "seed": seed,
        "stratify": repr(stratify),
        "data": _data.checksum(x, y, groups, settings["sample_weight"]),
        "model": _data.checksum(np.frombuffer(factory.describe().encode(), np.uint8)),
        "epochs": settings["epochs"],
        "batch_size": settings["batch_size"],
        "validation": repr((settings["validation"], settings["inner_fraction"])),
        "fit_kwargs": repr(sorted(settings["fit_kwargs"].items())),
        "scoring": _scoring_names(settings["scoring"]),
        "resolved_seed": base_seed,
    }


def _scoring_names(scoring):
    if scoring is None:
        return []
    if isinstance(scoring, dict):
        return sorted(scoring)
    return [getattr(scoring, "__name__", "score")]


def _run_folds(factory, data, folds, settings, directory):
    """Every fold's result, in fold order: loaded when saved in `directory`, else trained."""
    results = [None] * len(folds)
    with_model = settings["return_models"]
    if directory is not None:
        for i in range(len(folds)):
            results[i] = _store.load_fold(directory, i, with_model)
    pending = [i for i, r in enumerate(results) if r is None]
    for i in range(len(folds)):
        if results[i] is not None:
            _report(i, results, folds, settings, resumed=True)
    if settings["n_jobs"] > 1 and len(pending) > 1:
        finished = _run_parallel(factory, data, folds, pending, settings)
    else:
        finished = ((i, _folds.run_fold(factory, data, (i, *folds[i]), settings)) for i in pending)
    for i, result in finished:
        if directory is not None:
            _store.save_fold(directory, i, result, with_model)
        results[i] = result
        _report(i, results, folds, settings)
    return results


def _run_parallel(factory, data, folds, pending, settings):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    worker_settings = {**settings, "verbose": 0}
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(settings["n_jobs"], len(pending)),
        mp_context=context,
        initializer=_folds.init_worker,
        initargs=(factory, data, worker_settings),
    )
    finished = False
    try:
        futures = {i: pool.submit(_folds.run_fold_in_worker, (i, *folds[i])) for i in pending}
        for i in pending:  # in fold order, so saved folds and progress lines stay ordered
            result = futures[i].result()
            if settings["return_models"]:
                result["model"] = _folds.model_from_worker(result)
            yield i, result
        finished = True
    finally:
        # On an error or Ctrl-C, drop the folds not yet started instead of waiting for them.
        pool.shutdown(wait=finished, cancel_futures=not finished)


def _report(index, results, folds, settings, resumed=False):
    if settings["verbose"] < 1:
        return
    done = [r["scores"] for r in results[: index + 1] if r is not None]
    scores = results[index]["scores"]
    own = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
    running = ", ".join(
        f"{k} {np.mean([s[k] for s in done]):.4f} ± {np.std([s[k] for s in done]):.4f}"
        for k in scores
    )
    note = " (resumed from directory)" if resumed else ""
    print(f"fold {index + 1}/{len(folds)}{note}: {own} | running mean: {running}")


def _collect(results, folds, rows, settings):
    repeat_of = _data.folds_by_repeat(folds, rows)
    repeats = repeat_of[-1] + 1 if repeat_of else 1
    n_outputs = len(results[0]["predictions"])
    oof = []
    for k in range(n_outputs):
        first = results[0]["predictions"][k]
        dtype = np.result_type(first.dtype, np.float32)
        array = np.full((repeats, rows, *first.shape[1:]), np.nan, dtype=dtype)
        for (_, test), result, repeat in zip(folds, results, repeat_of):
            array[repeat, test] = result["predictions"][k]
        oof.append(array[0] if repeats == 1 else array)
    monitor, mode = _monitor(settings["callbacks"])
    return CVResult(
        scores=[r["scores"] for r in results],
        histories=[r["history"] for r in results],
        oof_predictions=oof[0] if n_outputs == 1 else oof,
        fold_indices=list(folds),
        models=[r["model"] for r in results] if settings["return_models"] else None,
        repeats=repeats,
        n_splits=len(folds) // repeats,
        monitor=monitor,
        mode=mode,
        seed=settings["seed"],
    )


def _monitor(callbacks):
    """The validation key and direction `best_epoch` uses: an EarlyStopping's, else val_loss."""
    from strata.callbacks._monitor import resolve_mode
    from strata.callbacks.early_stopping import EarlyStopping

    found = [
        c
        for c in (callbacks if isinstance(callbacks, (list, tuple)) else [])
        if isinstance(c, EarlyStopping) and str(c.monitor).startswith("val_")
    ]
    if found:
        return found[0].monitor, resolve_mode(
            getattr(found[0], "mode", "auto"), found[0].monitor, "cross_validate"
        )
    return "val_loss", "min"
