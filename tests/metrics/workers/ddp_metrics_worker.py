"""Run under `torchrun --nproc_per_node=2`: the new metrics evaluated data-parallel.

Each process evaluates its shard; `DataParallel` sums the metric states over the processes. The
result must equal a one-process evaluation over all rows, on every process. Prints
`CHECK metrics OK rank=<r>` when it does.
"""

import numpy as np
import torch.distributed as dist

import strata
from strata import metrics
from strata.distribution import DataParallel, distribution, set_distribution

set_distribution(DataParallel())
RANK = dist.get_rank()
ACTIVE = distribution()


def build():
    strata.backend.clear_session()  # the same automatic names ("one_hot_mean_io_u") each time
    strata.set_random_seed(11)
    model = strata.Sequential([strata.Input((5,)), strata.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer="sgd",
        loss="categorical_crossentropy",
        metrics=[
            metrics.F1Score(),
            metrics.FBetaScore(beta=2.0, average="weighted", threshold=0.3),
            metrics.OneHotMeanIoU(num_classes=3),
            metrics.R2Score(),
            metrics.PrecisionAtRecall(0.4, class_id=2, num_thresholds=21),
            metrics.PearsonCorrelation(),
            metrics.KLDivergence(),
        ],
    )
    return model


rng = np.random.default_rng(5)
x = rng.normal(size=(101, 5)).astype("float32")  # 101 rows: the shards differ in size
y = np.eye(3, dtype="float32")[rng.integers(0, 3, 101)]
model = build()
together = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
set_distribution(None)
alone = build().evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
set_distribution(ACTIVE)
assert list(together) == list(alone), (together, alone)
for key in alone:
    np.testing.assert_allclose(together[key], alone[key], rtol=1e-5, atol=1e-6, err_msg=key)
print(f"CHECK metrics OK rank={RANK}", flush=True)
