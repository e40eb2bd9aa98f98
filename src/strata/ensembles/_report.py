"""The ensemble report: members, equal-weight mean and learned ensemble on test data."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from strata.ensembles import _combine


@dataclass
class EnsembleReport:
    """What `Ensemble.report` measured.

    Attributes:
        records: One dict per row (`name`, `weight`, and the scores).
        diversity: Pairwise correlation of the members' per-row test errors `(members, members)`.
        names: The member names (rows and columns of `diversity`).
        weights: The ensemble's weights.
        gain: The weighted ensemble's score minus the best member's, per score.
        text: The printed table.
    """

    records: list
    diversity: np.ndarray
    names: list
    weights: np.ndarray
    gain: dict = field(default_factory=dict)
    text: str = ""

    def __str__(self):
        return self.text

    def as_dict(self):
        """The records keyed by name, plus `diversity`, `weights` and `gain`."""
        return {
            "rows": {r["name"]: {k: v for k, v in r.items() if k != "name"} for r in self.records},
            "diversity": self.diversity.tolist(),
            "weights": dict(zip(self.names, self.weights.tolist())),
            "gain": dict(self.gain),
        }


def _format(records, columns):
    width = max(len(r["name"]) for r in records) + 2
    sizes = [max(12, len(c) + 2) for c in columns]
    lines = [f"{'':<{width}}" + "".join(f"{c:>{n}}" for c, n in zip(columns, sizes))]
    for record in records:
        cells = "".join(
            f"{'-' if record.get(c) is None else format(record[c], '.4f'):>{n}}"
            for c, n in zip(columns, sizes)
        )
        lines.append(f"{record['name']:<{width}}{cells}")
    return lines


def _best(records, key, higher_is_better):
    values = [r[key] for r in records]
    index = int(np.argmax(values) if higher_is_better else np.argmin(values))
    return records[index]


def build_report(ensemble, predictions, y, task):
    records = []
    for name, weight, pred in zip(ensemble.names, ensemble.weights_, predictions):
        records.append({"name": name, "weight": float(weight), **_combine.scores(y, pred, task)})
    members = list(records)
    count = len(predictions)
    equal = _combine.combine(predictions, np.full(count, 1.0 / count), ensemble.method)
    learned = _combine.combine(predictions, ensemble.weights_, ensemble.method)
    records.append({"name": "equal-weight mean", "weight": None, **_combine.scores(y, equal, task)})
    records.append(
        {"name": "weighted ensemble", "weight": None, **_combine.scores(y, learned, task)}
    )
    score_keys = ["mse", "mae"] if task == "regression" else ["accuracy", "log_loss"]
    gain, notes = {}, []
    for key in score_keys:
        higher = key == "accuracy"
        best = _best(members, key, higher)
        gain[key] = records[-1][key] - best[key]
        better = gain[key] > 0 if higher else gain[key] < 0
        notes.append(
            f"{key}: weighted ensemble {records[-1][key]:.4f} vs best member {best['name']!r} "
            f"{best[key]:.4f} ({gain[key]:+.4f}, {'better' if better else 'not better'})"
        )
    errors = np.stack([_combine.row_errors(y, p, task) for p in predictions])
    diversity = _combine.error_correlation(errors)
    lines = _format(records, ["weight", *score_keys])
    lines += ["", *notes, "", "diversity (correlation of per-row errors; lower = more diverse):"]
    names = ensemble.names
    lines += _format(
        [{"name": n, **dict(zip(names, row))} for n, row in zip(names, diversity)], names
    )
    return EnsembleReport(
        records, diversity, list(ensemble.names), ensemble.weights_.copy(), gain, "\n".join(lines)
    )
