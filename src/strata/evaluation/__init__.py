"""Evaluation: K-fold and iterated K-fold cross-validation of strata models (docs:
docs/cross-validation.md)."""

from strata.evaluation.cross_validation import cross_validate
from strata.evaluation.result import CVResult

__all__ = ["CVResult", "cross_validate"]
