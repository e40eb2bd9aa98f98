"""Whole sequences through torch's fused recurrent kernels (`torch.lstm`, `torch.gru`, ...).

These are the functions behind `nn.LSTM` / `nn.GRU` / `nn.RNN`: one call runs every timestep in
C++ (cuDNN on CUDA). A mask whose valid steps form one contiguous block per row (right padding,
or left padding as `pad_sequences` makes by default) runs packed: each row is rotated so its
block comes first, packed with `pack_padded_sequence`, and the outputs are put back in place
with Keras's semantics (zeros before the block, the last valid output repeated after it).
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

_FUNCTIONS = {
    "lstm": torch.lstm,
    "gru": torch.gru,
    "rnn_tanh": torch.rnn_tanh,
    "rnn_relu": torch.rnn_relu,
}


def _hidden(kind, states):
    hx = [s.unsqueeze(0) for s in states]
    return tuple(hx) if kind == "lstm" else hx[0]


def _unpack(kind, result):
    if kind == "lstm":
        output, h, c = result
        return output, [h.squeeze(0), c.squeeze(0)]
    output, h = result
    return output, [h.squeeze(0)]


def contiguous_span(mask):
    """`(start, lengths)` when each row's valid steps form one non-empty block, else None.

    Returns `"all"` when every step is valid (the mask can be dropped).
    """
    mask = mask.to(torch.bool)
    lengths = mask.sum(dim=1)
    steps = mask.shape[1]
    if bool((lengths == steps).all()):
        return "all"
    if bool((lengths == 0).any()):
        return None
    start = mask.to(torch.uint8).argmax(dim=1)
    time = torch.arange(steps, device=mask.device)
    block = (time >= start[:, None]) & (time < (start + lengths)[:, None])
    if not torch.equal(block, mask):
        return None
    return start, lengths


# torch.compile leaves these calls to eager mode, as Dynamo does for nn.LSTM / nn.GRU by default
# (`torch._dynamo.config.allow_rnn = False`): inductor cannot lower the CPU kernel with gradients.
@torch.compiler.disable
def run(kind, sequence, states, params, has_biases):
    """`(last_output, outputs, final_states)` of a batch-first sequence with no mask."""
    train = torch.is_grad_enabled()
    result = _FUNCTIONS[kind](
        sequence, _hidden(kind, states), params, has_biases, 1, 0.0, train, False, True
    )
    outputs, final = _unpack(kind, result)
    return final[0], outputs, final


@torch.compiler.disable
def run_span(kind, sequence, states, params, has_biases, span, mask, zero_output):
    """Like `run` for a mask whose valid steps are the block `span = (start, lengths)`."""
    start, lengths = span
    batch, steps, features = sequence.shape
    time = torch.arange(steps, device=sequence.device)
    rotate = (time[None, :] + start[:, None]).clamp(max=steps - 1)
    rotated = sequence.gather(1, rotate[..., None].expand(batch, steps, features))
    packed = pack_padded_sequence(rotated, lengths.cpu(), batch_first=True, enforce_sorted=False)
    hidden = [s.index_select(0, packed.sorted_indices) for s in states]
    train = torch.is_grad_enabled()
    result = _FUNCTIONS[kind](
        packed.data,
        packed.batch_sizes,
        _hidden(kind, hidden),
        params,
        has_biases,
        1,
        0.0,
        train,
        False,
    )
    data, final = _unpack(kind, result)
    final = [s.index_select(0, packed.unsorted_indices) for s in final]
    padded, _ = pad_packed_sequence(
        PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices),
        batch_first=True,
        total_length=steps,
    )
    back = torch.minimum((time[None, :] - start[:, None]).clamp(min=0), lengths[:, None] - 1)
    units = padded.shape[-1]
    outputs = padded.gather(1, back[..., None].expand(batch, steps, units))
    keep = mask.to(torch.bool) if zero_output else time[None, :] >= start[:, None]
    outputs = torch.where(keep[..., None], outputs, outputs.new_zeros(()))
    return final[0], outputs, final
