"""Pretraining when labels are scarce (seed 001): greedy layer-wise autoencoders, and labelled
data for auxiliary tasks (good vs corrupted examples, same-or-not pairs).

The max-margin losses for these tasks live in `strata.losses`: `Contrastive`, `Triplet`,
`MarginRanking`.
"""

from strata.pretraining.auxiliary import corrupt, corrupted_pairs, same_or_not_pairs
from strata.pretraining.greedy import greedy_layerwise

__all__ = ["corrupt", "corrupted_pairs", "greedy_layerwise", "same_or_not_pairs"]
