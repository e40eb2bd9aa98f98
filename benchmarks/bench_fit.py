"""fit() and predict() against hand-written PyTorch loops doing the same work.

Each workload runs both ways, alternated in one process, several rounds; the figure is the ratio
of the medians (strata / torch). The machines are noisy: never trust one absolute time.

Workloads (issue "Training engine"):
- mlp: the seed's 64-32-32-10 softmax MLP, 20,000 rows, batch 32, RMSprop, categorical
  crossentropy (overhead-bound: ~625 tiny steps an epoch).
- imdb: seed 002's 10000-16-16-1 sigmoid MLP on multi-hot input, batch 512, RMSprop, binary
  crossentropy with accuracy.
Both loops shuffle every epoch, compute the loss from logits, and (imdb) count accuracy. The
hand-written loop runs in three batching variants (per-batch index_select, one gather per epoch,
reused buffers); the ratio is against the fastest.

Usage: python benchmarks/bench_fit.py [--rounds 7] [--workloads mlp imdb] [--predict]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from timing import alternate, alternate_many, report, report_against_fastest

import strata
from strata import layers


def mlp_data(rows=20_000):
    rng = np.random.default_rng(0)
    x = rng.random((rows, 64), dtype=np.float32)
    labels = rng.integers(0, 10, rows)
    y = np.eye(10, dtype=np.float32)[labels]
    return x, y


def imdb_data(rows=5_000, width=10_000):
    rng = np.random.default_rng(0)
    x = (rng.random((rows, width)) < 0.02).astype(np.float32)
    y = rng.integers(0, 2, rows).astype(np.float32)
    return x, y


def strata_mlp():
    model = strata.Sequential(
        [
            layers.Dense(32, activation="relu", input_shape=(64,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    return model


def strata_imdb():
    model = strata.Sequential(
        [
            layers.Dense(16, activation="relu", input_shape=(10_000,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


@torch.no_grad()
def copy_dense_weights(module, model):
    """Give the torch module the strata model's initial weights (the same work, same numbers)."""
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    weights = model.get_weights()
    for linear, kernel, bias in zip(linears, weights[0::2], weights[1::2], strict=True):
        linear.weight.copy_(torch.from_numpy(kernel.T))
        linear.bias.copy_(torch.from_numpy(bias))
    return module


def torch_mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
    )


def torch_imdb():
    return torch.nn.Sequential(
        torch.nn.Linear(10_000, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )


def hand_fit(module, x, y, batch_size, epochs, kind, gathering="per_batch"):
    """The loop a PyTorch user writes: tensors once, shuffled batches, logits loss.

    `gathering` is how the shuffled batches are made: "per_batch" (`index_select` of each
    batch's rows), "whole_pass" (the whole shuffled epoch gathered once; batches are views) or
    "buffers" (each batch gathered into the same preallocated tensors).
    """
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    if kind == "binary":
        y = y.reshape(-1, 1)
    optimizer = torch.optim.RMSprop(module.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    module.train()
    x_buffer, y_buffer = (
        torch.empty((batch_size, *x.shape[1:])),
        torch.empty((batch_size, *y.shape[1:])),
    )
    for _ in range(epochs):
        order = torch.randperm(x.shape[0])
        if gathering == "whole_pass":
            x_pass, y_pass = torch.index_select(x, 0, order), torch.index_select(y, 0, order)
        total, correct = torch.zeros(()), torch.zeros(())
        for start in range(0, x.shape[0], batch_size):
            rows = order[start : start + batch_size]
            if gathering == "whole_pass":
                xb, yb = x_pass[start : start + batch_size], y_pass[start : start + batch_size]
            elif gathering == "buffers":
                count = rows.shape[0]
                xb = torch.index_select(x, 0, rows, out=x_buffer[:count])
                yb = torch.index_select(y, 0, rows, out=y_buffer[:count])
            else:
                xb, yb = torch.index_select(x, 0, rows), torch.index_select(y, 0, rows)
            optimizer.zero_grad(set_to_none=True)
            logits = module(xb)
            if kind == "binary":
                loss = F.binary_cross_entropy_with_logits(logits, yb)
            else:
                loss = F.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            total += loss.detach() * xb.shape[0]
            if kind == "binary":
                correct += ((logits.detach() > 0).float() == yb).float().sum()
        float(total), float(correct)  # read once per epoch, as a progress line would


def hand_predict(module, x, batch_size):
    x = torch.from_numpy(x)
    module.eval()
    outputs = []
    with torch.inference_mode():
        for start in range(0, x.shape[0], batch_size):
            outputs.append(torch.softmax(module(x[start : start + batch_size]), -1))
    return torch.cat(outputs).numpy()


WORKLOADS = {
    "mlp": (mlp_data, strata_mlp, torch_mlp, 32, "categorical"),
    "imdb": (imdb_data, strata_imdb, torch_imdb, 512, "binary"),
}


def bench_fit(name, rounds, epochs):
    make_data, make_strata, make_torch, batch_size, kind = WORKLOADS[name]
    x, y = make_data()

    def run_strata(round_index):
        strata.set_random_seed(round_index)
        model = make_strata()
        return lambda: model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)

    def torch_variant(gathering):
        def run_torch(round_index):
            strata.set_random_seed(round_index)
            module = copy_dense_weights(make_torch(), make_strata())
            return lambda: hand_fit(module, x, y, batch_size, epochs, kind, gathering)

        return run_torch

    variants = {g: torch_variant(g) for g in ("per_batch", "whole_pass", "buffers")}
    return alternate_many(run_strata, variants, rounds)


def bench_predict(rounds):
    x, _ = mlp_data(100_000)
    model, module = strata_mlp(), torch_mlp()
    return alternate(
        lambda _: lambda: model.predict(x, batch_size=256, verbose=0),
        lambda _: lambda: hand_predict(module, x, 256),
        rounds,
    )


def bench_scaling():
    """evaluate() and predict() time per row as the data grow 16x (should stay flat)."""
    import time

    model = strata_mlp()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
    for rows in (25_000, 100_000, 400_000):
        x, y = mlp_data(rows)
        timings = {}
        for name, run in (
            ("evaluate", lambda x=x, y=y: model.evaluate(x, y, batch_size=256, verbose=0)),
            ("predict", lambda x=x: model.predict(x, batch_size=256, verbose=0)),
        ):
            run()
            start = time.perf_counter()
            run()
            timings[name] = (time.perf_counter() - start) / rows * 1e6
        print(
            f"{rows:>8} rows: evaluate {timings['evaluate']:.3f} us/row, "
            f"predict {timings['predict']:.3f} us/row",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--predict", action="store_true", help="also time predict()")
    parser.add_argument(
        "--scaling", action="store_true", help="evaluate/predict time per row as data grow"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch intra-op threads (0: torch's default). On a loaded machine 1 avoids "
        "thread-barrier stalls that swamp small models.",
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"device {strata.backend.device()}"
    )
    for name in args.workloads:
        report_against_fastest(f"fit {name}", *bench_fit(name, args.rounds, args.epochs))
    if args.predict:
        report("predict mlp (100k rows)", *bench_predict(args.rounds))
    if args.scaling:
        bench_scaling()


if __name__ == "__main__":
    main()
