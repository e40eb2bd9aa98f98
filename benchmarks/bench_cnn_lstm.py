"""fit() of convolution and LSTM models against hand-written PyTorch loops (same work).

Workloads (issue "Advanced layers"):
- cnn_bn: seed 004's MNIST CNN with BatchNormalization, RMSprop, categorical crossentropy;
  the hand-written loop in three memory layouts (contiguous NCHW, torch's channels_last, NHWC
  batches viewed as NCHW), the ratio taken against the fastest of them.
- cnn_separable: the same stack with SeparableConv2D (depthwise + pointwise in torch).
- lstm: Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid) on 200-token sequences, the
  hand-written loop on `torch.nn.LSTM`.
Alternated in one process, ratio of medians (strata / torch). Data are random tensors of the
real shapes: this measures the engine, not the learning.

Usage: python benchmarks/bench_cnn_lstm.py [--rounds 5] [--workloads cnn_bn lstm]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from timing import alternate_many, report_against_fastest

import strata
from strata import layers


def mnist_like(rows=4_096):
    rng = np.random.default_rng(0)
    x = rng.random((rows, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, rows)]
    return x, y


def text_like(rows=4_096, length=200):
    rng = np.random.default_rng(0)
    x = rng.integers(1, 10_000, (rows, length)).astype(np.int64)
    y = rng.integers(0, 2, rows).astype(np.float32)
    return x, y


def strata_cnn(separable=False):
    conv = layers.SeparableConv2D if separable else layers.Conv2D
    model = strata.Sequential(
        [
            conv(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
            layers.BatchNormalization(),
            layers.MaxPooling2D((2, 2)),
            conv(64, (3, 3), activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.5),
            conv(64, (3, 3), activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    return model


class TorchSeparable(torch.nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = torch.nn.Conv2d(cin, cin, 3, groups=cin, bias=False)
        self.pointwise = torch.nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


def torch_cnn(separable=False):
    def conv(cin, cout):
        return TorchSeparable(cin, cout) if separable else torch.nn.Conv2d(cin, cout, 3)

    return torch.nn.Sequential(
        conv(1, 32),
        torch.nn.ReLU(),
        torch.nn.BatchNorm2d(32, eps=1e-3, momentum=0.01),
        torch.nn.MaxPool2d(2),
        conv(32, 64),
        torch.nn.ReLU(),
        torch.nn.BatchNorm2d(64, eps=1e-3, momentum=0.01),
        torch.nn.MaxPool2d(2),
        torch.nn.Dropout(0.5),
        conv(64, 64),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(576, 64),
        torch.nn.ReLU(),
        torch.nn.BatchNorm1d(64, eps=1e-3, momentum=0.01),
        torch.nn.Linear(64, 10),
    )


def strata_lstm():
    model = strata.Sequential(
        [
            layers.Embedding(10_000, 32, input_shape=(200,)),
            layers.LSTM(32),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


class TorchLSTM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(10_000, 32)
        self.lstm = torch.nn.LSTM(32, 32, batch_first=True)
        self.head = torch.nn.Linear(32, 1)
        self.copy_from(strata_lstm())

    @torch.no_grad()
    def copy_from(self, model):
        """Start from the strata model's (Keras) initial weights: the same work, not just the
        same shapes. torch's default LSTM init drives this backward pass into denormal numbers,
        which makes it several times slower on CPU for reasons unrelated to the engine."""
        embedding, kernel, recurrent, bias, head_kernel, head_bias = model.get_weights()
        self.embedding.weight.copy_(torch.from_numpy(embedding))
        self.lstm.weight_ih_l0.copy_(torch.from_numpy(kernel.T))
        self.lstm.weight_hh_l0.copy_(torch.from_numpy(recurrent.T))
        self.lstm.bias_ih_l0.copy_(torch.from_numpy(bias))
        self.lstm.bias_hh_l0.zero_()
        self.head.weight.copy_(torch.from_numpy(head_kernel.T))
        self.head.bias.copy_(torch.from_numpy(head_bias))

    def forward(self, x):
        # The last step of the output sequence (equal to h_n). Reading h_n instead sends no
        # gradient into the output sequence, which on torch 2.13's CPU (mkldnn) backward costs
        # about 10x more: we compare against the faster spelling.
        sequence, _ = self.lstm(self.embedding(x))
        return self.head(sequence[:, -1])


def hand_fit(module, x, y, batch_size, epochs, kind, layout=None):
    """The hand-written loop. `layout` (images only): "nchw" stores the images channels-first
    and contiguous, as most PyTorch code does; "channels_last" stores them NCHW in torch's
    channels_last memory format (module too); "nhwc_view" keeps the NHWC array and permutes
    each batch to an NCHW view, as strata does."""
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    if layout == "nchw":
        x = x.permute(0, 3, 1, 2).contiguous()  # once, as a PyTorch user stores images
    elif layout == "channels_last":
        x = x.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
        module = module.to(memory_format=torch.channels_last)
    if kind == "binary":
        y = y.reshape(-1, 1)
    optimizer = torch.optim.RMSprop(module.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    module.train()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0])
        total, correct = torch.zeros(()), torch.zeros(())
        for start in range(0, x.shape[0], batch_size):
            rows = order[start : start + batch_size]
            xb, yb = torch.index_select(x, 0, rows), torch.index_select(y, 0, rows)
            if layout == "nhwc_view":
                xb = xb.permute(0, 3, 1, 2)
            optimizer.zero_grad(set_to_none=True)
            logits = module(xb)
            if kind == "binary":
                loss = F.binary_cross_entropy_with_logits(logits, yb)
                correct += ((logits.detach() > 0).float() == yb).float().sum()
            else:
                loss = F.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            total += loss.detach() * xb.shape[0]
        float(total), float(correct)


IMAGE_LAYOUTS = ("nchw", "channels_last", "nhwc_view")
WORKLOADS = {
    "cnn_bn": (mnist_like, lambda: strata_cnn(False), lambda: torch_cnn(False), 128, "cat"),
    "cnn_separable": (mnist_like, lambda: strata_cnn(True), lambda: torch_cnn(True), 128, "cat"),
    "lstm": (text_like, strata_lstm, TorchLSTM, 128, "binary"),
}


def bench(name, rounds, epochs):
    """strata's fit against every hand-written variant; the ratio is against the fastest."""
    make_data, make_strata, make_torch, batch_size, kind = WORKLOADS[name]
    x, y = make_data()

    def run_strata(round_index):
        strata.set_random_seed(round_index)
        model = make_strata()
        return lambda: model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)

    def torch_variant(layout):
        def run_torch(round_index):
            torch.manual_seed(round_index)
            module = make_torch()
            return lambda: hand_fit(module, x, y, batch_size, epochs, kind, layout)

        return run_torch

    layouts = IMAGE_LAYOUTS if x.ndim == 4 else (None,)
    variants = {str(layout or "default"): torch_variant(layout) for layout in layouts}
    return alternate_many(run_strata, variants, rounds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
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
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in args.workloads:
        report_against_fastest(f"fit {name}", *bench(name, args.rounds, args.epochs))


if __name__ == "__main__":
    main()
