"""Hand-written NumPy references with Keras's formulas and weight layouts (test helper)."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(x, h, c, kernel, recurrent, bias):
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = np.split(z, 4, axis=-1)  # Keras: i, f, c, o
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, [h, c]


def gru_step(x, h, kernel, recurrent, bias, reset_after=True):
    u = h.shape[-1]
    xz, xr, xh = np.split(x @ kernel + (bias[0] if reset_after else bias), 3, axis=-1)
    if reset_after:
        hz, hr, hh = np.split(h @ recurrent + bias[1], 3, axis=-1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        candidate = np.tanh(xh + r * hh)
    else:
        hz, hr = np.split(h @ recurrent[:, : 2 * u], 2, axis=-1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        candidate = np.tanh(xh + (r * h) @ recurrent[:, 2 * u :])
    h = z * h + (1 - z) * candidate
    return h, [h]


def simple_step(x, h, kernel, recurrent, bias, activation=np.tanh):
    h = activation(x @ kernel + h @ recurrent + bias)
    return h, [h]


def run_masked(step, x, states, mask=None):
    """Keras's masked loop: masked steps keep the states and repeat the previous output."""
    batch, steps = x.shape[:2]
    mask = np.ones((batch, steps), bool) if mask is None else mask
    outputs, previous = [], None
    for t in range(steps):
        output, new_states = step(x[:, t], *states)
        if previous is None:
            previous = np.zeros_like(output)
        valid = mask[:, t, None]
        states = [np.where(valid, n, s) for n, s in zip(new_states, states, strict=True)]
        previous = np.where(valid, output, previous)
        outputs.append(previous)
    return np.stack(outputs, axis=1), states
