"""NumPy updates written from Keras 3's formulas, to compare strata's optimizers against."""

import numpy as np
import torch

A = np.array([1.0, 2.0, 0.5])
B = np.array([0.3, -0.2, 0.1])
W0 = np.array([1.0, -1.5, 2.0])


def grad(w):
    """Gradient of the quadratic 0.5 * sum(A * w**2) + sum(B * w)."""
    return A * w + B


def run_strata(optimizer, steps, w0=W0):
    """Take `steps` steps on the quadratic in float64; return the weights after each step."""
    w = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    a, b = torch.tensor(A), torch.tensor(B)
    optimizer.build([w])
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * a * w**2 + b * w).sum().backward()
        optimizer.apply()
        history.append(w.detach().numpy().copy())
    return np.array(history)


def run_reference(update, steps, w0=W0):
    """Run `update(w, g, state, t)` (t counts from 1) with a fresh state dict."""
    w, state, history = w0.copy(), {}, []
    for t in range(1, steps + 1):
        w = update(w, grad(w), state, t)
        history.append(w.copy())
    return np.array(history)


def sgd(lr, momentum=0.0, nesterov=False):
    def update(w, g, s, t):
        if momentum == 0.0:
            return w - lr * g
        m = momentum * s.get("m", 0.0) - lr * g
        s["m"] = m
        return w + momentum * m - lr * g if nesterov else w + m

    return update


def rmsprop(lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    def update(w, g, s, t):
        v = rho * s.get("v", 0.0) + (1 - rho) * g**2
        s["v"] = v
        if centered:
            a = rho * s.get("a", 0.0) + (1 - rho) * g
            s["a"] = a
            denominator = v - a**2 + epsilon
        else:
            denominator = v + epsilon
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            s["m"] = momentum * s.get("m", 0.0) + increment
            return w - s["m"]
        return w - increment

    return update


def adam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    def update(w, g, s, t):
        if weight_decay:
            w = w - lr * weight_decay * w
        m = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
        v = s.get("v", 0.0) + (g**2 - s.get("v", 0.0)) * (1 - beta_2)
        s["m"], s["v"] = m, v
        if amsgrad:
            s["vhat"] = np.maximum(s.get("vhat", 0.0), v)
            v = s["vhat"]
        alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return w - alpha * m / (np.sqrt(v) + epsilon)

    return update


def adam_torch_epsilon(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Adam with epsilon where torch puts it (added to the bias-corrected sqrt(v))."""

    def update(w, g, s, t):
        m = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
        v = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g**2
        s["m"], s["v"] = m, v
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)

    return update


def adagrad(lr, initial_accumulator_value=0.1, epsilon=1e-7):
    def update(w, g, s, t):
        s["acc"] = s.get("acc", initial_accumulator_value) + g**2
        return w - lr * g / np.sqrt(s["acc"] + epsilon)

    return update


def adadelta(lr, rho=0.95, epsilon=1e-7):
    def update(w, g, s, t):
        s["ag"] = rho * s.get("ag", 0.0) + (1 - rho) * g**2
        delta = -np.sqrt(s.get("ad", 0.0) + epsilon) * g / np.sqrt(s["ag"] + epsilon)
        s["ad"] = rho * s.get("ad", 0.0) + (1 - rho) * delta**2
        return w + lr * delta

    return update


def adamax(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def update(w, g, s, t):
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
        s["u"] = np.maximum(beta_2 * s.get("u", 0.0), np.abs(g))
        return w - lr * s["m"] / ((1 - beta_1**t) * (s["u"] + epsilon))

    return update


def nadam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def update(w, g, s, t):
        u_t = beta_1 * (1.0 - 0.5 * 0.96**t)
        u_next = beta_1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        product = s.get("product", 1.0) * u_t
        product_next = product * u_next
        s["product"] = product
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
        s["v"] = s.get("v", 0.0) + (g**2 - s.get("v", 0.0)) * (1 - beta_2)
        m_hat = u_next * s["m"] / (1 - product_next) + (1 - u_t) * g / (1 - product)
        v_hat = s["v"] / (1 - beta_2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)

    return update
