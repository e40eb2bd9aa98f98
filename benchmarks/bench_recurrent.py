"""strata's LSTM / GRU against torch.nn.LSTM / nn.GRU: forward + backward, ratio of medians.

Also measures the GRU weight-layout choice: weights stored in torch's gate order (what strata
does) against Keras's order converted to torch's on every call.

    PYTHONPATH=src python benchmarks/bench_recurrent.py [--device cuda]
"""

import argparse
import statistics
import time

import torch

from strata import layers


def _timed(fn, device):
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def compare(name, ours, theirs, device, repeats=30):
    for _ in range(3):
        ours(), theirs()
    a, b = [], []
    for _ in range(repeats):  # alternated, so drifts in machine speed hit both
        a.append(_timed(ours, device))
        b.append(_timed(theirs, device))
    ratio = statistics.median(a) / statistics.median(b)
    print(
        f"{name:42s} strata {statistics.median(a) * 1e3:8.2f} ms  "
        f"torch {statistics.median(b) * 1e3:8.2f} ms  ratio {ratio:5.2f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--units", type=int, default=64)
    args = parser.parse_args()
    device = args.device
    x = torch.randn(args.batch, args.steps, args.features, device=device)

    for cls, torch_cls in ((layers.LSTM, torch.nn.LSTM), (layers.GRU, torch.nn.GRU)):
        ours = cls(args.units)
        ours(x[:1].cpu())
        ours.to(device)
        theirs = torch_cls(args.features, args.units, batch_first=True).to(device)

        def step_ours(ours=ours):
            ours(x)[:, :].sum().backward()

        def step_theirs(theirs=theirs):
            theirs(x)[0][:, -1].sum().backward()

        compare(f"{cls.__name__} fwd+bwd", step_ours, step_theirs, device)

    # GRU: Keras gate order kept in storage and converted per call, vs torch order stored.
    gru = layers.GRU(args.units)
    gru(x[:1].cpu())
    gru.to(device)
    cell = gru.cell
    keras = [torch.nn.Parameter(cell.kernel.detach().clone()) for _ in range(1)]
    layout = cell._own_weights[0][2]

    def per_call_conversion():
        kernel = layout.from_keras(layout.to_keras(keras[0]))
        recurrent = layout.from_keras(layout.to_keras(cell.recurrent_kernel))
        params = [kernel, recurrent, cell.bias[0], cell.bias[1]]
        h = x.new_zeros(1, x.shape[0], args.units)
        torch.gru(x, h, params, True, 1, 0.0, True, False, True)[0].sum().backward()

    def stored():
        h = x.new_zeros(1, x.shape[0], args.units)
        params, _ = cell.fused_params()
        torch.gru(x, h, params, True, 1, 0.0, True, False, True)[0].sum().backward()

    compare("GRU converted per call (vs stored layout)", per_call_conversion, stored, device)


if __name__ == "__main__":
    main()
