"""Learning ensemble weights on validation predictions: Nelder-Mead, random search, greedy."""

from __future__ import annotations

import numpy as np

from strata.ensembles._combine import combine, loss_value

SEARCHES = ("nelder-mead", "random", "greedy")


def _softmax(theta):
    z = np.exp(theta - np.max(theta))
    return z / z.sum()


def ensemble_loss(predictions, y, weights, method, task):
    return loss_value(y, combine(predictions, weights, method), task)


def nelder_mead(predictions, y, method, task, maxiter=None, **options):
    """Nelder-Mead over softmax logits (weights stay non-negative and sum to one).

    The result is kept only when it beats equal weights and every single member on the
    validation data (the simplex search can stall); otherwise the best of those is returned.
    """
    from scipy.optimize import minimize

    count = len(predictions)
    objective = lambda theta: ensemble_loss(predictions, y, _softmax(theta), method, task)  # noqa: E731
    options = {"maxiter": maxiter or 400 * count, "xatol": 1e-4, "fatol": 1e-7, **options}
    result = minimize(objective, np.zeros(count), method="Nelder-Mead", options=options)
    candidates = [_softmax(result.x), np.full(count, 1.0 / count), *np.eye(count)]
    losses = [ensemble_loss(predictions, y, w, method, task) for w in candidates]
    return candidates[int(np.argmin(losses))]


def random_search(predictions, y, method, task, seed=None, n_trials=500, alpha=1.0):
    """Best of `n_trials` Dirichlet(alpha) weight vectors, equal weights and each member alone."""
    if n_trials < 1:
        raise ValueError(f"n_trials must be a positive integer; received {n_trials!r}.")
    count = len(predictions)
    rng = np.random.default_rng(seed)
    candidates = np.vstack(
        [np.full(count, 1.0 / count), np.eye(count), rng.dirichlet([alpha] * count, n_trials)]
    )
    losses = [ensemble_loss(predictions, y, w, method, task) for w in candidates]
    return candidates[int(np.argmin(losses))]


def greedy(predictions, y, method, task, n_iterations=None, seed=None):
    """Caruana et al. (2004) ensemble selection with replacement.

    Starting from an empty bag, each step adds the member (repeats allowed) whose addition
    gives the lowest validation loss; the weights are the counts over the best bag seen.
    Ties go to the lowest member index (`seed` is accepted for a uniform signature).
    """
    count = len(predictions)
    n_iterations = n_iterations or max(20, 10 * count)
    counts = np.zeros(count)
    best_loss, best_counts = np.inf, None
    for _ in range(n_iterations):
        trial_losses = []
        for index in range(count):
            trial = counts.copy()
            trial[index] += 1
            trial_losses.append(ensemble_loss(predictions, y, trial / trial.sum(), method, task))
        pick = int(np.argmin(trial_losses))
        counts[pick] += 1
        if trial_losses[pick] < best_loss - 1e-12:
            best_loss, best_counts = trial_losses[pick], counts.copy()
    return best_counts / best_counts.sum()


def search(name, predictions, y, method, task, seed=None, **kwargs):
    if name == "nelder-mead":
        return nelder_mead(predictions, y, method, task, **kwargs)
    if name == "random":
        return random_search(predictions, y, method, task, seed=seed, **kwargs)
    if name == "greedy":
        return greedy(predictions, y, method, task, seed=seed, **kwargs)
    raise ValueError(f"fit_weights method must be one of {SEARCHES}; received {name!r}.")
