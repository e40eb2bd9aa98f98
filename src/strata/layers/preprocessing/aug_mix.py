"""AugMix: several random chains of operations, mixed and blended with the original image."""

from __future__ import annotations

from strata.layers.preprocessing._base import (
    ImageAugmentation,
    check_choice,
    check_value_range,
    factor_range,
    is_number,
)
from strata.layers.preprocessing._geometry import INTERPOLATIONS
from strata.layers.preprocessing._policies import (
    COLOUR,
    GEOMETRIC_AND_TONAL,
    build_operations,
    choose,
)


class AugMix(ImageAugmentation):
    """AugMix (Hendrycks et al., 2020), in training only.

    `num_chains` copies of the batch each go through up to `chain_depth` operations (each step
    picks an operation, or none, at random); the copies are averaged with Dirichlet(`alpha`)
    weights and the average blended with the original image with a Beta(`alpha`, `alpha`)
    weight. Each image draws its own weights (Keras draws one set per batch); the operations
    of a chain are the same for the batch, each with its own random parameters per image.

    Args:
        value_range: `(low, high)` of the pixel values.
        num_chains: the number of chains mixed.
        chain_depth: the most operations in a chain.
        factor: a number `f` in [0, 1] (strengths in `[0, f]`) or a pair in [0, 1].
        alpha: the Dirichlet and Beta parameter.
        all_ops: also use brightness, colour degeneration, contrast and sharpness.
        interpolation: `"bilinear"` or `"nearest"`, for the geometric operations.
        seed: integer for reproducible draws.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, 3)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.rand(4, 8, 8, 3) * 255
        >>> strata.layers.AugMix(seed=0)(images, training=True).shape
        torch.Size([4, 8, 8, 3])
    """

    def __init__(
        self,
        value_range=(0, 255),
        num_chains=3,
        chain_depth=3,
        factor=0.3,
        alpha=1.0,
        all_ops=True,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"AugMix expected `{name}` as a positive integer; received {value!r}."
                )
        if not is_number(alpha) or alpha <= 0:
            raise ValueError(f"AugMix expected `alpha` as a positive number; received {alpha!r}.")
        self.value_range = check_value_range(value_range, "AugMix")
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.factor = factor_range(factor, "AugMix", bounds=(0.0, 1.0), symmetric=False)
        self.alpha = alpha
        self.all_ops = bool(all_ops)
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "AugMix", "interpolation")
        names = GEOMETRIC_AND_TONAL + (COLOUR if self.all_ops else ())
        operations = build_operations(self, names, self.factor, self.value_range, interpolation)
        # A plain attribute: the operations hold no weights and are not layers of the model.
        self.__dict__["_operations"] = operations

    def augment(self, images, training):
        batch = images.shape[0]
        gammas = self.gamma((batch, self.num_chains), self.alpha, images)
        chain_weights = (gammas / gammas.sum(1, keepdim=True)).to(images.dtype)
        keep = self.beta((batch,), self.alpha, images).view(-1, 1, 1, 1).to(images.dtype)
        mixed = 0
        for chain in range(self.num_chains):
            copy = images
            for _ in range(self.chain_depth):
                pick = choose(self, len(self._operations) + 1)  # the last choice: no operation
                if pick < len(self._operations):
                    copy = self._operations[pick].augment(copy, training)
            mixed = mixed + copy * chain_weights[:, chain].view(-1, 1, 1, 1)
        return (keep * images + (1 - keep) * mixed).clamp(*self.value_range)

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "num_chains": self.num_chains,
            "chain_depth": self.chain_depth,
            "factor": self.factor,
            "alpha": self.alpha,
            "all_ops": self.all_ops,
            "interpolation": self.interpolation,
        }
