"""CVResult: what `cross_validate` returns (scores, curves, out-of-fold predictions)."""

from __future__ import annotations

import numpy as np


class CVResult:
    """The outcome of `strata.evaluation.cross_validate`.

    Attributes:
        scores: one dict (metric -> value on the held-out rows) per fold, in fold order.
        histories: each fold's `History.history` (metric -> list of per-epoch values).
        mean: metric -> mean of the fold scores.
        std: metric -> standard deviation of the fold scores (NumPy's `ddof=0`).
        curves: metric -> per-epoch validation curve averaged over folds (keys without the
            `val_` prefix: `curves["loss"]` averages the folds' `val_loss`). Folds that stopped
            early are padded with NaN and left out of the later epochs' means.
        curves_std: metric -> per-epoch standard deviation over folds of those curves.
        train_curves: metric -> per-epoch training curve averaged over folds.
        best_epoch: the 1-based epoch count at which the averaged monitored validation curve is
            best (None without validation curves): the number of epochs to train a final model.
        monitor: the validation key `best_epoch` was chosen on (for example `"val_loss"`).
        oof_predictions: out-of-fold predictions: every row predicted once per repeat by the
            fold model that held it out; shape `(n_rows, *output_shape)` when `repeats == 1`,
            `(repeats, n_rows, *output_shape)` otherwise; a list of such arrays for a model
            with several outputs. Rows a custom splitter never held out are NaN.
        fold_indices: `(train_idx, test_idx)` NumPy integer arrays per fold.
        models: the fold models when `return_models=True`, else None.
        repeats: how many times the rows were split into folds.
        n_splits: folds per repeat.
        seed: the base seed used (fold `i` is initialized with `seed + i`).

    Example:
        >>> result = CVResult(
        ...     scores=[{"loss": 0.5}, {"loss": 0.3}],
        ...     histories=[{"val_loss": [0.9, 0.6]}, {"val_loss": [0.8, 0.4, 0.5]}],
        ...     oof_predictions=None, fold_indices=[], models=None, repeats=1, n_splits=2)
        >>> result.mean["loss"], round(result.std["loss"], 2), result.best_epoch
        (0.4, 0.1, 2)
        >>> result.curves["loss"].round(2).tolist()  # the third epoch: one fold only
        [0.85, 0.5, 0.5]
    """

    def __init__(
        self,
        scores,
        histories,
        oof_predictions,
        fold_indices,
        models,
        repeats,
        n_splits,
        monitor="val_loss",
        mode="min",
        seed=None,
    ):
        self.scores = scores
        self.histories = histories
        self.oof_predictions = oof_predictions
        self.fold_indices = fold_indices
        self.models = models
        self.repeats = repeats
        self.n_splits = n_splits
        self.seed = seed
        names = list(scores[0]) if scores else []
        self.mean = {n: float(np.mean([s[n] for s in scores])) for n in names}
        self.std = {n: float(np.std([s[n] for s in scores])) for n in names}
        self.curves, self.curves_std, self.train_curves = _average_curves(histories)
        self.monitor, self.mode = monitor, mode
        self.best_epoch = self._best_epoch()

    def _best_epoch(self):
        name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
        curve = self.curves.get(name)
        if curve is None or np.all(np.isnan(curve)):
            return None
        pick = np.nanargmin if self.mode == "min" else np.nanargmax
        return int(pick(curve)) + 1

    def summary(self, print_fn=print) -> str:
        """A table of every fold's scores and their mean ± std; printed and returned.

        Args:
            print_fn: where the table goes (`print` by default; None prints nothing).

        Returns:
            The table as a string.
        """
        names = list(self.mean)
        width = max([10, *(len(n) + 2 for n in names)])
        header = f"{'fold':<12}" + "".join(f"{n:>{width}}" for n in names)
        lines = [header, "-" * len(header)]
        for i, scores in enumerate(self.scores):
            repeat, fold = divmod(i, self.n_splits)
            label = f"{repeat + 1}.{fold + 1}" if self.repeats > 1 else f"{fold + 1}"
            lines.append(f"{label:<12}" + "".join(f"{scores[n]:>{width}.4f}" for n in names))
        lines.append("-" * len(header))
        lines.append(f"{'mean':<12}" + "".join(f"{self.mean[n]:>{width}.4f}" for n in names))
        lines.append(f"{'std':<12}" + "".join(f"{self.std[n]:>{width}.4f}" for n in names))
        if self.best_epoch is not None:
            lines.append(f"best epoch (averaged {self.monitor}): {self.best_epoch}")
        text = "\n".join(lines)
        if print_fn is not None:
            print_fn(text)
        return text

    def plot(self, metric="loss", ax=None):
        """Draw the fold-averaged training and validation curves of `metric` with ±1 std bands.

        Args:
            metric: the metric name without `val_` (`"loss"`, `"accuracy"`, ...).
            ax: a matplotlib Axes to draw on (a new figure when None).

        Returns:
            The matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        if metric not in self.curves and metric not in self.train_curves:
            raise ValueError(
                f"CVResult.plot expected a metric with recorded curves, one of "
                f"{sorted(set(self.curves) | set(self.train_curves))}; received {metric!r}."
            )
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        for curves, spread, label in (
            (self.train_curves, _spread(self.histories, metric), "training"),
            (self.curves, self.curves_std, "validation"),
        ):
            if metric not in curves:
                continue
            mean, std = curves[metric], spread[metric]
            epochs = np.arange(1, len(mean) + 1)
            ax.plot(epochs, mean, label=f"{label} {metric} (mean of folds)")
            ax.fill_between(epochs, mean - std, mean + std, alpha=0.25)
        if self.best_epoch is not None:
            ax.axvline(self.best_epoch, linestyle="--", color="gray", label="best epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
        return ax.figure

    def __repr__(self):
        means = ", ".join(f"{n}={self.mean[n]:.4f}±{self.std[n]:.4f}" for n in self.mean)
        return f"CVResult({len(self.scores)} folds, {means}, best_epoch={self.best_epoch})"


def _padded(histories, key):
    length = max(len(h[key]) for h in histories if key in h)
    rows = np.full((len(histories), length), np.nan)
    for i, history in enumerate(histories):
        values = history.get(key, [])
        rows[i, : len(values)] = values
    return rows


def _average_curves(histories):
    curves, spreads, train = {}, {}, {}
    keys = {key for history in histories for key in history}
    import warnings

    with warnings.catch_warnings():  # epochs no fold reached give NaN, deliberately
        warnings.simplefilter("ignore", RuntimeWarning)
        for key in sorted(keys):
            rows = _padded(histories, key)
            if key.startswith("val_"):
                curves[key[4:]] = np.nanmean(rows, axis=0)
                spreads[key[4:]] = np.nanstd(rows, axis=0)
            else:
                train[key] = np.nanmean(rows, axis=0)
    return curves, spreads, train


def _spread(histories, metric):
    if not any(metric in h for h in histories):
        return {}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {metric: np.nanstd(_padded(histories, metric), axis=0)}
