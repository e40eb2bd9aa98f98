"""BatchNormalization against torch's kernel and a NumPy reference of Keras's formulas."""

import os
import tempfile

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from strata import layers

MOMENTUM, EPS = 0.9, 1e-3


def keras_reference(x, axis, gamma, beta, mean, var, training, momentum=MOMENTUM, eps=EPS):
    """Keras 3's BatchNormalization: biased batch variance, moving = m * moving + (1 - m) * b."""
    x = x.astype(np.float64)
    axis = axis % x.ndim
    reduce = tuple(i for i in range(x.ndim) if i != axis)
    if training:
        batch_mean, batch_var = x.mean(reduce), x.var(reduce)
        new_mean = mean * momentum + batch_mean * (1 - momentum)
        new_var = var * momentum + batch_var * (1 - momentum)
    else:
        batch_mean, batch_var, new_mean, new_var = mean, var, mean, var
    shape = [1] * x.ndim
    shape[axis] = -1
    y = (x - batch_mean.reshape(shape)) / np.sqrt(batch_var.reshape(shape) + eps)
    return y * gamma.reshape(shape) + beta.reshape(shape), new_mean, new_var


def _layer(shape, axis, **kwargs):
    rng = np.random.default_rng(0)
    layer = layers.BatchNormalization(axis=axis, momentum=MOMENTUM, epsilon=EPS, **kwargs)
    layer.build(shape)
    channels = shape[axis]
    weights = [
        rng.uniform(0.5, 2.0, channels).astype("float32"),
        rng.normal(size=channels).astype("float32"),
        rng.normal(size=channels).astype("float32"),
        rng.uniform(0.5, 2.0, channels).astype("float32"),
    ]
    layer.set_weights(weights)
    return layer, [w.astype(np.float64) for w in weights]


CASES = [
    ((16, 5), -1),
    ((4, 6, 6, 3), -1),  # channels_last images: the permuted-view fast path
    ((4, 3, 6, 6), 1),  # channels_first
    ((4, 7, 3), -1),
    ((3, 4, 5, 2), 2),  # an inner axis
    ((2, 3, 3, 3, 4), -1),
]


@pytest.mark.parametrize(("shape", "axis"), CASES)
def test_training_and_updates_match_keras_formula(shape, axis):
    layer, (gamma, beta, mean, var) = _layer(shape, axis)
    rng = np.random.default_rng(1)
    for step in range(3):
        x = (rng.normal(size=shape) * (step + 1) + step).astype("float32")
        expected, mean, var = keras_reference(x, axis, gamma, beta, mean, var, training=True)
        got = layer(torch.from_numpy(x), training=True)
        np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-5, atol=1e-6)
    x = rng.normal(size=shape).astype("float32")
    expected, _, _ = keras_reference(x, axis, gamma, beta, mean, var, training=False)
    got = layer(torch.from_numpy(x), training=False)
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-4, atol=1e-4)


def test_channels_last_output_is_contiguous_nhwc():
    layer, _ = _layer((4, 5, 5, 3), -1)
    out = layer(torch.randn(4, 5, 5, 3), training=True)
    assert out.is_contiguous()


def test_output_and_mean_match_f_batch_norm_but_variance_is_biased():
    layer, _ = _layer((8, 3, 4, 4), 1)
    x = torch.randn(8, 3, 4, 4) * 3 + 1
    running_mean, running_var = layer.moving_mean.clone(), layer.moving_variance.clone()
    expected = F.batch_norm(
        x, running_mean, running_var, layer.gamma, layer.beta, True, 1 - MOMENTUM, EPS
    )
    got = layer(x, training=True)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(layer.moving_mean, running_mean)
    # torch tracks the unbiased variance; strata follows Keras's biased one.
    n = x.numel() // 3
    old = running_var.clone().sub_(x.var(dim=(0, 2, 3), unbiased=True), alpha=1 - MOMENTUM)
    old = old / MOMENTUM
    biased = old * MOMENTUM + x.var(dim=(0, 2, 3), unbiased=False) * (1 - MOMENTUM)
    torch.testing.assert_close(layer.moving_variance, biased)
    assert not torch.allclose(layer.moving_variance, running_var, rtol=1e-4, atol=0)
    assert n > 1


@pytest.mark.parametrize("use_mask", [False, True])
def test_gradients_match_f_batch_norm(use_mask):
    layer, _ = _layer((6, 4), -1)
    x = torch.randn(6, 4, requires_grad=True)
    mask = torch.ones(6, dtype=torch.bool) if use_mask else None  # all-ones: the manual path
    weights = torch.randn(6, 4)
    (layer(x, training=True, mask=mask) * weights).sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    gamma = layer.gamma.detach().clone().requires_grad_(True)
    beta = layer.beta.detach().clone().requires_grad_(True)
    (F.batch_norm(x2, None, None, gamma, beta, True, 0.1, EPS) * weights).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(layer.gamma.grad, gamma.grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(layer.beta.grad, beta.grad, rtol=1e-4, atol=1e-5)


def test_mask_excludes_positions_from_the_statistics():
    layer, (gamma, beta, mean, var) = _layer((3, 5, 2), -1)
    x = np.random.default_rng(2).normal(size=(3, 5, 2)).astype("float32")
    mask = np.ones((3, 5), dtype=bool)
    mask[:, 3:] = False
    x[~mask] = 100.0  # would dominate the statistics if counted
    got = layer(torch.from_numpy(x), training=True, mask=torch.from_numpy(mask))
    kept = x[mask]  # (9, 2)
    expected, mean, var = keras_reference(kept, -1, gamma, beta, mean, var, training=True)
    np.testing.assert_allclose(got.detach().numpy()[mask], expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-5, atol=1e-5)


def test_inference_leaves_moving_statistics_alone():
    layer, _ = _layer((4, 3), -1)
    before = [w.copy() for w in layer.get_weights()]
    layer(torch.randn(4, 3) * 5, training=False)
    layer(torch.randn(4, 3) * 5)  # training=None: the module is in inference mode
    for a, b in zip(before, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    layer.train()
    layer(torch.randn(4, 3) * 5)
    assert not np.array_equal(before[2], layer.get_weights()[2])


def test_frozen_layer_uses_moving_statistics_even_when_training():
    layer, (gamma, beta, mean, var) = _layer((4, 6, 6, 3), -1)
    layer.trainable = False
    x = np.random.default_rng(3).normal(size=(4, 6, 6, 3)).astype("float32") * 4
    got = layer(torch.from_numpy(x), training=True)
    expected, _, _ = keras_reference(x, -1, gamma, beta, mean, var, training=False)
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=0, atol=0)


def test_one_value_per_channel_gives_zero_variance_like_keras():
    layer, (gamma, beta, mean, var) = _layer((1, 3), -1)
    got = layer(torch.tensor([[1.0, 2.0, 3.0]]), training=True)
    np.testing.assert_allclose(got.detach().numpy()[0], beta, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var * MOMENTUM, rtol=1e-6)


def test_weight_order_and_counts_match_keras():
    layer = layers.BatchNormalization()
    layer.build((None, 8, 8, 32))
    assert layer.count_params() == 128
    assert sum(w.numel() for w in layer.trainable_weights) == 64
    assert [w is t for w, t in zip(layer.weights, [layer.gamma, layer.beta], strict=False)] == [
        True,
        True,
    ]
    assert layer.weights[2] is layer.moving_mean and layer.weights[3] is layer.moving_variance
    assert set(dict(layer.named_buffers())) == {"moving_mean", "moving_variance"}
    no_affine = layers.BatchNormalization(center=False, scale=False)
    no_affine.build((None, 32))
    assert no_affine.count_params() == 64 and no_affine.trainable_weights == []
    renorm = layers.BatchNormalization(renorm=True)
    renorm.build((None, 32))
    assert renorm.count_params() == 224
    assert sum(w.numel() for w in renorm.trainable_weights) == 64


def test_config_round_trip_keeps_renorm_settings_only_when_used():
    plain = layers.BatchNormalization(momentum=0.5).get_config()
    assert "renorm" not in plain and plain["momentum"] == 0.5
    config = layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 2.0}).get_config()
    assert config["renorm"] and config["renorm_clipping"] == {"rmax": 2.0}
    assert layers.BatchNormalization.from_config(config).get_config() == config


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmaxx": 1.0})
    with pytest.raises(ValueError, match="rmin <= rmax"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1.0, "rmin": 2.0})
    with pytest.raises(ValueError, match="axis"):
        layers.BatchNormalization(axis=3)(torch.randn(2, 3))


# ------------------------------------------------------------------------------------ renorm
def _renorm_reference(x, layer, clipping):
    """(x - mean) / std * r + d with clipped r, d from the pre-update renorm statistics."""
    x64 = x.double()
    mean, var = x64.mean(0), x64.var(0, unbiased=False)
    std = torch.sqrt(var + EPS)
    renorm_std = layer.renorm_stddev.double().clamp(min=EPS**0.5)
    r = (std / renorm_std).clamp(clipping.get("rmin", 0.0), clipping.get("rmax", np.inf))
    dmax = clipping.get("dmax", np.inf)
    d = ((mean - layer.renorm_mean.double()) / renorm_std).clamp(-dmax, dmax)
    y = ((x64 - mean) / std * r + d) * layer.gamma.double() + layer.beta.double()
    return y.float(), r, d


def test_renorm_with_identity_clipping_is_plain_batch_norm():
    clipping = {"rmax": 1.0, "rmin": 1.0, "dmax": 0.0}
    renorm = layers.BatchNormalization(renorm=True, renorm_clipping=clipping, momentum=MOMENTUM)
    plain = layers.BatchNormalization(momentum=MOMENTUM)
    stddev = torch.ones(4)
    for step in range(3):
        x = torch.randn(16, 4) * (step + 2) + 3 * step
        torch.testing.assert_close(renorm(x, training=True), plain(x, training=True))
        batch_std = torch.sqrt(x.var(0, unbiased=False) + EPS)
        stddev = stddev * MOMENTUM + batch_std * (1 - MOMENTUM)
    torch.testing.assert_close(renorm.moving_mean, plain.moving_mean)
    # As tf.keras: the moving stddev is averaged and the moving variance derived from it.
    torch.testing.assert_close(renorm.moving_stddev, stddev)
    torch.testing.assert_close(renorm.moving_variance, stddev**2 - EPS)
    x = torch.randn(16, 4)
    expected = (x - renorm.moving_mean) / stddev
    torch.testing.assert_close(renorm(x), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("clipping", [{}, {"rmax": 1.5, "rmin": 0.8, "dmax": 0.3}])
def test_renorm_corrections_and_clipping(clipping):
    layer = layers.BatchNormalization(renorm=True, renorm_clipping=clipping, momentum=0.5)
    layer.build((None, 3))
    with torch.no_grad():
        layer.gamma.copy_(torch.tensor([1.0, 2.0, 0.5]))
        layer.beta.copy_(torch.tensor([0.0, 1.0, -1.0]))
        layer.renorm_mean.copy_(torch.tensor([2.0, -1.0, 0.0]))
        layer.renorm_stddev.copy_(torch.tensor([0.5, 4.0, 1.0]))
    x = torch.randn(32, 3) * torch.tensor([1.0, 1.0, 3.0])
    old_mean, old_std = layer.renorm_mean.clone(), layer.renorm_stddev.clone()
    expected, r, d = _renorm_reference(x, layer, clipping)
    got = layer(x, training=True)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
    if clipping:
        assert r.max() <= 1.5 and r.min() >= 0.8 and d.abs().max() <= 0.3
        assert (r == 1.5).any() or (r == 0.8).any()
    else:
        assert not torch.allclose(
            r.float(), torch.ones(3), atol=0.1
        )  # the corrections do something
    batch_std = torch.sqrt(x.var(0, unbiased=False) + EPS)
    torch.testing.assert_close(layer.renorm_mean, 0.99 * old_mean + 0.01 * x.mean(0))
    torch.testing.assert_close(layer.renorm_stddev, 0.99 * old_std + 0.01 * batch_std)
    torch.testing.assert_close(layer.moving_stddev, 0.5 * 1.0 + 0.5 * batch_std)
    torch.testing.assert_close(layer.moving_variance, layer.moving_stddev**2 - EPS)


def test_renorm_corrections_are_constants_for_the_gradient():
    layer = layers.BatchNormalization(renorm=True)
    layer.build((None, 3))
    with torch.no_grad():
        layer.renorm_mean.copy_(torch.tensor([1.0, -1.0, 0.5]))
        layer.renorm_stddev.copy_(torch.tensor([0.5, 2.0, 1.5]))
    x = torch.randn(10, 3, requires_grad=True)
    weights = torch.randn(10, 3)
    x_ref = x.detach().clone().requires_grad_(True)
    _, r, d = _renorm_reference(x_ref.detach(), layer, {})
    mean, var = x_ref.mean(0), x_ref.var(0, unbiased=False)
    ref = ((x_ref - mean) / torch.sqrt(var + EPS) * r.float() + d.float()) * layer.gamma.detach()
    (ref * weights).sum().backward()
    (layer(x, training=True) * weights).sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------ synchronized
def test_synchronized_without_a_process_group_is_plain_batch_norm():
    sync = layers.BatchNormalization(synchronized=True)
    plain = layers.BatchNormalization()
    x = torch.randn(8, 3)
    torch.testing.assert_close(sync(x, training=True), plain(x, training=True))
    torch.testing.assert_close(sync.moving_variance, plain.moving_variance)


def _sync_worker(rank, world, init_file, out_dir):
    torch.distributed.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=world
    )
    try:
        data = torch.load(os.path.join(out_dir, "inputs.pt"))
        rows = data["x"].shape[0] // world
        x = data["x"][rank * rows : (rank + 1) * rows].clone().requires_grad_(True)
        layer = layers.BatchNormalization(synchronized=True, momentum=MOMENTUM)
        y = layer(x, training=True)
        (y * data["w"][rank * rows : (rank + 1) * rows]).sum().backward()
        torch.save(
            {
                "y": y.detach(),
                "grad": x.grad,
                "mean": layer.moving_mean,
                "var": layer.moving_variance,
                "gamma_grad": layer.gamma.grad,
            },
            os.path.join(out_dir, f"rank{rank}.pt"),
        )
        torch.distributed.barrier()
    finally:
        torch.distributed.destroy_process_group()


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed missing")
def test_synchronized_across_two_processes_equals_full_batch():
    world = 2
    x, w = torch.randn(8, 3, 2) * 2 + 1, torch.randn(8, 3, 2)
    with tempfile.TemporaryDirectory() as folder:
        torch.save({"x": x, "w": w}, os.path.join(folder, "inputs.pt"))
        torch.multiprocessing.spawn(
            _sync_worker, args=(world, os.path.join(folder, "init"), folder), nprocs=world
        )
        results = [torch.load(os.path.join(folder, f"rank{r}.pt")) for r in range(world)]
    full = layers.BatchNormalization(axis=-1, momentum=MOMENTUM)
    xf = x.clone().requires_grad_(True)
    y = full(xf, training=True)
    (y * w).sum().backward()
    torch.testing.assert_close(torch.cat([r["y"] for r in results]), y.detach())
    torch.testing.assert_close(torch.cat([r["grad"] for r in results]), xf.grad)
    torch.testing.assert_close(results[0]["gamma_grad"] + results[1]["gamma_grad"], full.gamma.grad)
    for result in results:
        torch.testing.assert_close(result["mean"], full.moving_mean)
        torch.testing.assert_close(result["var"], full.moving_variance)
