"""Ensembles of trained models with weights learned on validation data (seed 000 §7.3.3).

`Ensemble` combines strata models, saved strata models, scikit-learn estimators and callables
by a weighted mean, a weighted geometric mean or a weighted vote; `fit_weights` learns the
weights on validation data (Nelder-Mead, random search or Caruana's greedy selection),
`report` scores members and ensembles on test data with the members' error correlation,
`Ensemble.from_cv` weights cross-validation's out-of-fold predictions, and `save` / `load`
store ensembles without pickle.
"""

from strata.ensembles._io import load
from strata.ensembles._members import FoldAverage
from strata.ensembles._report import EnsembleReport
from strata.ensembles.ensemble import Ensemble

__all__ = ["Ensemble", "EnsembleReport", "FoldAverage", "load"]
