"""Keras's rules that need per-variable norms or shapes: Lamb, Adafactor, Muon, Schedule-Free.

Elementwise parts use `torch._foreach_*` ops; per-variable reductions stay on the device
(norms are stacked, never read on the host).
"""

import torch

from strata.optimizers.kernels import KerasKernel


def _adam_moments(m, v, grads, beta_1, beta_2):
    # Keras's form: m += (g - m) * (1 - b1), v += (g**2 - v) * (1 - b2).
    torch._foreach_add_(m, torch._foreach_sub(grads, m), alpha=1 - beta_1)
    squares = torch._foreach_mul(grads, grads)
    torch._foreach_add_(v, torch._foreach_sub(squares, v), alpha=1 - beta_2)


class KerasLamb(KerasKernel):
    """Adam's direction scaled per variable by the trust ratio `||w|| / ||update||`."""

    state_names = ("momentum", "velocity")

    def _update(self, group, params, grads, states):
        t, beta_1, beta_2 = self.keras_step, group["beta_1"], group["beta_2"]
        m, v = states["momentum"], states["velocity"]
        _adam_moments(m, v, grads, beta_1, beta_2)
        updates = torch._foreach_div(m, 1.0 - beta_1**t)
        denominators = torch._foreach_div(v, 1.0 - beta_2**t)
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, group["epsilon"])
        torch._foreach_div_(updates, denominators)
        w_norms = _stacked_norms(params)
        u_norms = _stacked_norms(updates)
        one = torch.ones_like(w_norms)
        ratios = torch.where(w_norms > 0, torch.where(u_norms > 0, w_norms / u_norms, one), one)
        ratios = ratios * group["lr"]
        torch._foreach_mul_(updates, list(ratios.unbind()))
        torch._foreach_sub_(params, updates)


def _stacked_norms(tensors):
    norms = torch._foreach_norm(tensors)
    if len({n.dtype for n in norms}) > 1:  # mixed precisions: compare in float32
        norms = [n.float() for n in norms]
    return torch.stack(norms)


def _rms(x):
    return x.square().mean().sqrt()


class KerasAdafactor(KerasKernel):
    """Adafactor: second moments factored over the last two axes of variables of rank >= 2."""

    def _initial_state(self, param, group):
        state = {"velocity": torch.zeros_like(param)}
        if param.dim() >= 2:
            state["row"] = param.new_zeros(param.shape[:-1])
            state["column"] = param.new_zeros(param.shape[:-2] + param.shape[-1:])
        return state

    def _names(self, group):
        return ()

    @torch.no_grad()
    def _update(self, group, params, grads, states):
        t = float(self.keras_step)
        rho = min(group["lr"], 1.0 / t**0.5)
        beta = 1.0 - t ** group["beta_2_decay"]
        for param, grad in zip(params, grads):
            state = self.state[param]
            alpha = torch.clamp_min(_rms(param), group["epsilon_2"]) * rho
            squares = grad.square().add_(group["epsilon_1"])
            velocity = state["velocity"]
            if param.dim() >= 2:
                row, column = state["row"], state["column"]
                row.mul_(beta).add_(squares.mean(dim=-1), alpha=1 - beta)
                column.mul_(beta).add_(squares.mean(dim=-2), alpha=1 - beta)
                ratio = row / row.mean(dim=-1, keepdim=True)
                velocity.copy_(ratio.unsqueeze(-1) * column.unsqueeze(-2))
            else:
                velocity.mul_(beta).add_(squares, alpha=1 - beta)
            update = grad / velocity.sqrt()
            scale = torch.clamp_min(_rms(update) / group["clip_threshold"], 1.0)
            param.sub_(alpha * (update / scale))


class KerasMuon(KerasKernel):
    """Muon (Newton-Schulz orthogonalised momentum) on 2-D variables, AdamW elsewhere.

    Which variables take the AdamW path is decided by the wrapper and passed as a set of
    parameter ids in `adam_ids`; the AdamW path's rate is `lr * adam_lr_ratio`.
    """

    def __init__(self, params, lr, adam_ids=(), **hyperparameters):
        super().__init__(params, lr, **hyperparameters)
        self.adam_ids = set(adam_ids)

    def _initial_state(self, param, group):
        state = {"momentum": torch.zeros_like(param)}
        if id(param) in self.adam_ids:
            state["velocity"] = torch.zeros_like(param)
        return state

    def _names(self, group):
        return ()

    def _update(self, group, params, grads, states):
        adam = [i for i, p in enumerate(params) if id(p) in self.adam_ids]
        muon = [i for i, p in enumerate(params) if id(p) not in self.adam_ids]
        if adam:
            self._adamw(group, [params[i] for i in adam], [grads[i] for i in adam])
        for i in muon:
            self._muon(group, params[i], grads[i])

    def _adamw(self, group, params, grads):
        t, beta_1, beta_2 = self.keras_step, group["adam_beta_1"], group["adam_beta_2"]
        lr = group["lr"] * group["adam_lr_ratio"]
        alpha = lr * (1 - beta_2**t) ** 0.5 / (1 - beta_1**t)
        m = [self.state[p]["momentum"] for p in params]
        v = [self.state[p]["velocity"] for p in params]
        _adam_moments(m, v, grads, beta_1, beta_2)
        denominators = torch._foreach_sqrt(v)
        torch._foreach_add_(denominators, group["epsilon"])
        steps = torch._foreach_mul(m, alpha)
        torch._foreach_div_(steps, denominators)
        torch._foreach_sub_(params, steps)

    def _muon(self, group, param, grad):
        momentum = group["momentum"]
        m = self.state[param]["momentum"]
        m.add_(grad + m * (momentum - 1))
        direction = grad + momentum * m if group["nesterov"] else m
        update = group["lr"] * newton_schulz(
            direction, group["ns_steps"], group["muon_a"], group["muon_b"], group["muon_c"]
        )
        if group["rms_rate"] is not None:
            update = update * (max(param.shape[0], param.shape[1]) ** 0.5 * group["rms_rate"])
        param.sub_(update)


def newton_schulz(x, steps, a, b, c):
    """Keras's quintic Newton-Schulz iteration towards the orthogonal factor of `x`."""
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = x.transpose(-2, -1)
    x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
    for _ in range(steps):
        gram = x @ x.transpose(-2, -1)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.transpose(-2, -1) if tall else x


class KerasScheduleFreeAdamW(KerasKernel):
    """Schedule-Free AdamW (Defazio et al., 2024): the variable holds the interpolation `y`
    between the base sequence `z` (state "momentum", starting at the variable's value when
    built) and the running average `x`."""

    state_names = ("momentum", "velocity")

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        # Keras starts `z` from the variable at build, before any weight decay of step 1; a
        # variable joining later starts from its value then. Regrouping keeps existing state.
        for param in self.param_groups[-1]["params"]:
            if not self.state[param]:
                self.state[param].update(
                    {"momentum": param.detach().clone(), "velocity": torch.zeros_like(param)}
                )

    def _update(self, group, params, grads, states):
        t, beta_2 = float(self.keras_step), group["beta_2"]
        lr = group["lr"]
        if group["warmup_steps"] > 0:
            lr = lr * min(t / group["warmup_steps"], 1.0)
        z, v = states["momentum"], states["velocity"]
        torch._foreach_mul_(v, beta_2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - beta_2)
        denominators = torch._foreach_sqrt(v)
        torch._foreach_div_(denominators, (1 - beta_2**t) ** 0.5)
        torch._foreach_add_(denominators, group["epsilon"])
        torch._foreach_addcdiv_(z, grads, denominators, value=-lr)
        # Keras: x = (w - (1 - b1) * z) / b1, x' = (1 - 1/t) * x + z / t and
        # w = (1 - b1) * z + b1 * x', with z already updated (Keras's torch and TensorFlow
        # backends read the updated tensor as "momentum_old"; the paper and JAX use z from
        # before the step). Expanded, that is w = (1 - 1/t) * w + z / t: one lerp.
        torch._foreach_lerp_(params, z, 1.0 / t)
