"""Multi-hot and count encodings by scatter equal one-hot rows reduced over the folded axis."""

import pytest
import torch

from strata.layers.preprocessing import _encoding


def _by_one_hot_rows(indices, output_mode, depth, dtype, weights=None):
    folded = 1 if indices.dim() > 1 else 0
    rows = _encoding.one_hot(indices, depth, dtype if weights is None else weights.dtype)
    if output_mode == "multi_hot":
        return rows.amax(dim=folded)
    if weights is not None:
        rows = rows * weights.unsqueeze(-1)
    return rows.sum(dim=folded)


@pytest.mark.parametrize("shape", [(7,), (4, 9), (3, 5, 2)])
@pytest.mark.parametrize("output_mode", ["multi_hot", "count"])
@pytest.mark.parametrize("weighted", [False, True])
def test_scatter_fold_matches_one_hot_rows(shape, output_mode, weighted):
    generator = torch.Generator().manual_seed(sum(shape))
    # Out-of-range and negative ids are counted nowhere, repeated ids once (multi-hot).
    indices = torch.randint(-2, 8, shape, generator=generator)
    weights = torch.rand(shape, generator=generator, dtype=torch.float64) if weighted else None
    got = _encoding.encode(indices, output_mode, 6, torch.float32, count_weights=weights)
    expected = _by_one_hot_rows(indices, output_mode, 6, torch.float32, weights)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    torch.testing.assert_close(got, expected)


def test_a_long_multi_hot_input_into_many_bins_stays_at_the_output_size():
    # One-hot rows would take 64 * 4096 * 2**16 floats (64 GiB); the scatter takes the output.
    indices = torch.randint(0, 2**16, (64, 4096))
    out = _encoding.encode(indices, "multi_hot", 2**16, torch.float32)
    assert out.shape == (64, 2**16)
    assert torch.equal(out.sum(dim=1), torch.tensor([float(len(set(r.tolist()))) for r in indices]))
