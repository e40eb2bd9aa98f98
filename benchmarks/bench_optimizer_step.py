"""strata optimizer steps against the equivalent `torch.optim` steps on an MLP's parameters.

Parameters of a 784-256-128-10 MLP (six tensors, ~235k values) get fixed gradients; each timed
unit is `--steps` optimizer steps. strata and torch alternate turn by turn for `--rounds`
rounds (the first discarded); the figure is the ratio of the medians (strata / torch), with
strata's max/min spread. The machines are shared and noisy: read ratios, not absolute times.

Where strata's rule is Keras's and torch's differs (RMSprop, Adagrad, Adamax, SGD momentum),
the torch side is torch's nearest optimizer: the ratio is the price of the Keras rule on
strata's foreach kernel. Optimizers torch lacks (Lion, Ftrl, Lamb, Adafactor, Muon,
ScheduleFreeAdamW) are timed against torch's Adam as a yardstick.

Usage: python benchmarks/bench_optimizer_step.py [--rounds 7] [--steps 50] [--device cpu]
"""

from __future__ import annotations

import argparse

import torch
from timing import alternate, report

from strata import optimizers

SHAPES = [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]

CASES = {
    "SGD": (lambda: optimizers.SGD(0.01), lambda p: torch.optim.SGD(p, lr=0.01)),
    "SGD momentum": (
        lambda: optimizers.SGD(0.01, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
    ),
    "RMSprop": (
        lambda: optimizers.RMSprop(0.001),
        lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7),
    ),
    "Adam": (lambda: optimizers.Adam(0.001), lambda p: torch.optim.Adam(p, lr=0.001, eps=1e-7)),
    "AdamW": (
        lambda: optimizers.AdamW(0.001),
        lambda p: torch.optim.AdamW(p, lr=0.001, eps=1e-7, weight_decay=0.004),
    ),
    "Adagrad": (
        lambda: optimizers.Adagrad(0.001),
        lambda p: torch.optim.Adagrad(p, lr=0.001, initial_accumulator_value=0.1, eps=1e-7),
    ),
    "Adadelta": (
        lambda: optimizers.Adadelta(0.001),
        lambda p: torch.optim.Adadelta(p, lr=0.001, rho=0.95, eps=1e-7),
    ),
    "Adamax": (lambda: optimizers.Adamax(0.001), lambda p: torch.optim.Adamax(p, lr=0.001)),
    "Nadam": (
        lambda: optimizers.Nadam(0.001),
        lambda p: torch.optim.NAdam(p, lr=0.001, eps=1e-7, momentum_decay=1.0),
    ),
}
YARDSTICK = lambda p: torch.optim.Adam(p, lr=0.001, eps=1e-7)  # noqa: E731
for _name, _make in {
    "Lion": lambda: optimizers.Lion(0.001),
    "Ftrl": lambda: optimizers.Ftrl(0.001),
    "Lamb": lambda: optimizers.Lamb(0.001),
    "Adafactor": lambda: optimizers.Adafactor(0.001),
    "Muon": lambda: optimizers.Muon(0.001),
    "ScheduleFreeAdamW": lambda: optimizers.ScheduleFreeAdamW(0.001),
}.items():
    CASES[f"{_name} (vs Adam)"] = (_make, YARDSTICK)


def _params(device):
    gen = torch.Generator().manual_seed(0)
    params = [torch.nn.Parameter(0.05 * torch.randn(s, generator=gen)) for s in SHAPES]
    grads = [0.01 * torch.randn(s, generator=gen) for s in SHAPES]
    params = [torch.nn.Parameter(p.detach().to(device)) for p in params]
    return params, [g.to(device) for g in grads]


def _sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def bench(name, make_strata, make_torch, steps, rounds, device):
    def run_strata(_):
        params, grads = _params(device)
        opt = make_strata()
        opt.build(params)
        for p, g in zip(params, grads):
            p.grad = g

        def work():
            for _ in range(steps):
                opt.apply()
            _sync(device)

        return work

    def run_torch(_):
        params, grads = _params(device)
        opt = make_torch(params)
        for p, g in zip(params, grads):
            p.grad = g

        def work():
            for _ in range(steps):
                opt.step()
            _sync(device)

        return work

    strata_times, torch_times = alternate(run_strata, run_torch, rounds)
    return report(name, strata_times, torch_times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1) if args.device == "cpu" else None
    print(f"{args.steps} steps per timing, {args.rounds} rounds, device {args.device}")
    for name, (make_strata, make_torch) in CASES.items():
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        bench(name, make_strata, make_torch, args.steps, args.rounds, args.device)


if __name__ == "__main__":
    main()
