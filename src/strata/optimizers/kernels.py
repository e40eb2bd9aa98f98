"""Keras's update rules as `torch.optim.Optimizer`s stepping with `torch._foreach_*` ops.

strata's optimizers use a `torch.optim` class where torch computes Keras's rule; where it does
not (another epsilon placement, another momentum form), they use one of these. Being
`torch.optim.Optimizer`s, they save and load through `state_dict()` like torch's own.

The wrapping strata `Optimizer` sets `keras_step` (Keras's `iterations + 1`, the number of the
update being taken) before each `step()`; the learning rate is the param group's `lr`.
Everything stays on the device: no step reads a tensor on the host.
"""

import torch


class KerasKernel(torch.optim.Optimizer):
    """Base of the foreach kernels: per-parameter state made lazily, one update per group.

    Subclasses list their per-parameter state in `state_names` (zeros shaped like the
    parameter unless `_initial_state` says otherwise) and implement `_update`.

    Args:
        params: the parameters (or parameter groups), as for any `torch.optim.Optimizer`.
        lr: the learning rate.
        **hyperparameters: the rule's other settings, stored in each param group.

    Example:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> kernel = KerasSGD([w], lr=0.5, momentum=0.9, nesterov=False)
        >>> w.grad = torch.tensor([1.0])
        >>> kernel.step()
        >>> w.item(), kernel.state[w]["momentum"].item()
        (0.5, -0.5)
    """

    state_names = ()

    def __init__(self, params, lr, **hyperparameters):
        super().__init__(params, {"lr": lr, **hyperparameters})
        self.keras_step = 1

    def _initial_state(self, param, group):
        return {name: torch.zeros_like(param) for name in self.state_names}

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            for param in params:
                if not self.state[param]:
                    self.state[param].update(self._initial_state(param, group))
            states = {name: [self.state[p][name] for p in params] for name in self._names(group)}
            self._update(group, params, [p.grad for p in params], states)
        return loss

    def _names(self, group):
        return self.state_names

    def _update(self, group, params, grads, states):
        raise NotImplementedError


class KerasSGD(KerasKernel):
    """SGD with momentum as Keras keeps it: a velocity scaled by the learning rate.

    `m = momentum * m - lr * g`; then `w += m`, or with Nesterov `w += momentum * m - lr * g`.
    """

    state_names = ("momentum",)

    def _update(self, group, params, grads, states):
        lr, momentum = group["lr"], group["momentum"]
        velocity = states["momentum"]
        torch._foreach_mul_(velocity, momentum)
        torch._foreach_add_(velocity, grads, alpha=-lr)
        if group["nesterov"]:
            torch._foreach_add_(params, grads, alpha=-lr)
            torch._foreach_add_(params, velocity, alpha=momentum)
        else:
            torch._foreach_add_(params, velocity)


class KerasRMSprop(KerasKernel):
    """`v = rho * v + (1 - rho) * g**2`; `w -= lr * g / sqrt(v + epsilon)` (centered: minus
    the squared running mean gradient inside the root); momentum accumulates the increments."""

    def _names(self, group):
        names = ["velocity"]
        if group["momentum"] > 0:
            names.append("momentum")
        if group["centered"]:
            names.append("average_gradient")
        return names

    def _initial_state(self, param, group):
        return {name: torch.zeros_like(param) for name in self._names(group)}

    def _update(self, group, params, grads, states):
        lr, rho, momentum = group["lr"], group["rho"], group["momentum"]
        velocity = states["velocity"]
        # Fused forms (addcmul, addcdiv) of Keras's arithmetic: one pass each, within an ulp.
        torch._foreach_mul_(velocity, rho)
        torch._foreach_addcmul_(velocity, grads, grads, value=1 - rho)
        denominators = torch._foreach_add(velocity, group["epsilon"])
        if group["centered"]:
            average = states["average_gradient"]
            torch._foreach_mul_(average, rho)
            torch._foreach_add_(average, grads, alpha=1 - rho)
            torch._foreach_addcmul_(denominators, average, average, value=-1)
        torch._foreach_sqrt_(denominators)
        if momentum > 0:
            buffers = states["momentum"]
            torch._foreach_mul_(buffers, momentum)
            torch._foreach_addcdiv_(buffers, grads, denominators, value=lr)
            torch._foreach_sub_(params, buffers)
        else:
            torch._foreach_addcdiv_(params, grads, denominators, value=-lr)


class KerasAdagrad(KerasKernel):
    """`acc += g**2` (from `initial_accumulator_value`); `w -= lr * g / sqrt(acc + epsilon)`."""

    state_names = ("accumulator",)

    def _initial_state(self, param, group):
        return {"accumulator": torch.full_like(param, group["initial_accumulator_value"])}

    def _update(self, group, params, grads, states):
        accumulators = states["accumulator"]
        torch._foreach_addcmul_(accumulators, grads, grads)
        denominators = torch._foreach_add(accumulators, group["epsilon"])
        torch._foreach_sqrt_(denominators)
        torch._foreach_addcdiv_(params, grads, denominators, value=-group["lr"])


class KerasAdamax(KerasKernel):
    """`m = b1 * m + (1 - b1) * g`, `u = max(b2 * u, |g|)`;
    `w -= lr * m / ((u + epsilon) * (1 - b1**t))`."""

    state_names = ("m", "u")

    def _update(self, group, params, grads, states):
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        m, u = states["m"], states["u"]
        torch._foreach_mul_(m, beta_1)
        torch._foreach_add_(m, grads, alpha=1 - beta_1)
        torch._foreach_mul_(u, beta_2)
        torch._foreach_maximum_(u, torch._foreach_abs(grads))
        denominators = torch._foreach_add(u, group["epsilon"])
        step_size = group["lr"] / (1 - beta_1**self.keras_step)
        torch._foreach_addcdiv_(params, m, denominators, value=-step_size)


class KerasLion(KerasKernel):
    """`w -= lr * sign(b1 * m + (1 - b1) * g)`, then `m = b2 * m + (1 - b2) * g`."""

    state_names = ("momentum",)

    def _update(self, group, params, grads, states):
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        m = states["momentum"]
        directions = torch._foreach_mul(m, beta_1)
        torch._foreach_add_(directions, grads, alpha=1 - beta_1)
        directions = [torch.sign(d) for d in directions]
        torch._foreach_add_(params, directions, alpha=-group["lr"])
        torch._foreach_mul_(m, beta_2)
        torch._foreach_add_(m, grads, alpha=1 - beta_2)


class KerasFtrl(KerasKernel):
    """Follow The Regularized Leader (McMahan et al.), with Keras's shrinkage and `beta`."""

    state_names = ("accumulator", "linear")

    def _initial_state(self, param, group):
        return {
            "accumulator": torch.full_like(param, group["initial_accumulator_value"]),
            "linear": torch.zeros_like(param),
        }

    def _update(self, group, params, grads, states):
        lr, power = group["lr"], -group["learning_rate_power"]
        l1 = group["l1_regularization_strength"]
        l2 = group["l2_regularization_strength"] + group["beta"] / (2.0 * lr)
        accumulators, linears = states["accumulator"], states["linear"]
        shrunk = torch._foreach_add(
            grads, params, alpha=2 * group["l2_shrinkage_regularization_strength"]
        )
        new_accumulators = torch._foreach_add(accumulators, torch._foreach_mul(grads, grads))
        new_powers = _power(new_accumulators, power)
        sigma = torch._foreach_sub(new_powers, _power(accumulators, power))
        torch._foreach_div_(sigma, lr)
        torch._foreach_mul_(sigma, params)
        torch._foreach_add_(linears, torch._foreach_sub(shrunk, sigma))
        quadratic = torch._foreach_div(new_powers, lr)
        torch._foreach_add_(quadratic, 2 * l2)
        clipped = torch._foreach_clamp_max(torch._foreach_clamp_min(linears, -l1), l1)
        torch._foreach_sub_(clipped, linears)
        torch._foreach_div_(clipped, quadratic)
        torch._foreach_copy_(params, clipped)
        torch._foreach_copy_(accumulators, new_accumulators)


def _power(tensors, exponent):
    # The default learning_rate_power of -0.5 is a square root: much cheaper than pow.
    if exponent == 0.5:
        return torch._foreach_sqrt(tensors)
    return torch._foreach_pow(tensors, exponent)
