"""Merge layers against NumPy, Keras's shape rules and errors, masks and functional forms."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


A, B, C = _data(2, 3, 4, seed=1), _data(2, 3, 4, seed=2), _data(2, 3, 4, seed=3)


@pytest.mark.parametrize(
    "layer_cls, reference",
    [
        (layers.Add, lambda a, b, c: a + b + c),
        (layers.Multiply, lambda a, b, c: a * b * c),
        (layers.Average, lambda a, b, c: (a + b + c) / 3),
        (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
        (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
    ],
)
def test_elementwise_merges_match_numpy(layer_cls, reference):
    out = layer_cls()([A, B, C])
    np.testing.assert_allclose(out.numpy(), reference(A, B, C), rtol=1e-6, atol=1e-6)


def test_subtract_takes_exactly_two_inputs():
    np.testing.assert_allclose(layers.Subtract()([A, B]).numpy(), A - B)
    with pytest.raises(ValueError, match=r"exactly 2 inputs; received 3"):
        layers.Subtract()([strata.Input(shape=(4,))] * 3)


def test_functional_forms_on_real_and_symbolic_tensors():
    for function, cls in [
        (layers.add, layers.Add),
        (layers.subtract, layers.Subtract),
        (layers.multiply, layers.Multiply),
        (layers.average, layers.Average),
        (layers.maximum, layers.Maximum),
        (layers.minimum, layers.Minimum),
    ]:
        np.testing.assert_allclose(function([A, B]).numpy(), cls()([A, B]).numpy())
    x, y = strata.Input(shape=(3, 4)), strata.Input(shape=(3, 4))
    out = layers.concatenate([x, y], axis=1, name="joined")
    assert out.shape == (None, 6, 4)
    assert out._keras_history[0].name == "joined"
    np.testing.assert_array_equal(
        layers.concatenate([A, B], axis=-1).numpy(), np.concatenate([A, B], axis=-1)
    )
    np.testing.assert_allclose(
        layers.dot([A[:, 0], B[:, 0]], axes=1).numpy()[:, 0],
        np.sum(A[:, 0] * B[:, 0], axis=1),
        rtol=1e-5,
    )


def test_broadcasting_follows_keras_rules():
    vector, sequence = _data(2, 4), _data(2, 3, 4)
    out = layers.Add()([vector, sequence])  # the lower rank gets axes after the batch axis
    np.testing.assert_allclose(out.numpy(), vector[:, None, :] + sequence)
    symbolic = layers.Add()([strata.Input(shape=(4,)), strata.Input(shape=(3, 1))])
    assert symbolic.shape == (None, 3, 4)


def test_merge_shape_errors_name_every_shape():
    with pytest.raises(ValueError, match=r"received \[\(None, 3\), \(None, 4\)\]"):
        layers.Add()([strata.Input(shape=(3,)), strata.Input(shape=(4,))])
    with pytest.raises(ValueError, match="same batch size"):
        layers.Multiply()([torch.ones(2, 3), torch.ones(5, 3)])
    with pytest.raises(ValueError, match="list of at least 1 input"):
        layers.Add()(strata.Input(shape=(3,)))


def test_concatenate_matches_numpy_on_every_axis():
    x, y = _data(2, 3, 4), _data(2, 5, 4)
    np.testing.assert_array_equal(
        layers.Concatenate(axis=1)([x, y]).numpy(), np.concatenate([x, y], axis=1)
    )
    assert layers.Concatenate(axis=-2)(
        [strata.Input(shape=(3, 4)), strata.Input(shape=(None, 4))]
    ).shape == (None, None, 4)


def test_concatenate_error_lists_every_shape_at_graph_build_time():
    a, b = strata.Input(shape=(16, 16, 128)), strata.Input(shape=(15, 15, 128))
    c = strata.Input(shape=(16, 16, 3))
    expected = (
        "Concatenate expected inputs with matching shapes except on the concat axis; "
        "received [(None, 16, 16, 128), (None, 15, 15, 128), (None, 16, 16, 3)]"
    )
    with pytest.raises(ValueError) as info:
        layers.Concatenate()([a, b, c])
    assert expected in str(info.value)
    with pytest.raises(ValueError, match="matching shapes"):
        layers.Concatenate()([strata.Input(shape=(3,)), strata.Input(shape=(3, 1))])
    with pytest.raises(ValueError, match="batch axis"):
        layers.Concatenate(axis=0)([strata.Input(shape=(3,)), strata.Input(shape=(3,))])


def test_dot_matches_numpy():
    x, y = _data(2, 3, 4), _data(2, 5, 4)
    out = layers.Dot(axes=(2, 2))([x, y])
    np.testing.assert_allclose(out.numpy(), np.einsum("bik,bjk->bij", x, y), rtol=1e-5)
    m, n = _data(2, 3, 4), _data(2, 4, 6)
    out = layers.Dot(axes=(2, 1))([m, n])
    np.testing.assert_allclose(out.numpy(), m @ n, rtol=1e-5, atol=1e-6)
    v, w = _data(3, 4), _data(3, 4)
    out = layers.Dot(axes=-1)([v, w])
    assert tuple(out.shape) == (3, 1)
    np.testing.assert_allclose(out.numpy()[:, 0], (v * w).sum(1), rtol=1e-5)


def test_dot_normalize_is_cosine_similarity():
    v, w = _data(3, 4), _data(3, 4)
    out = layers.Dot(axes=1, normalize=True)([v, w]).numpy()[:, 0]
    cosine = (v * w).sum(1) / np.linalg.norm(v, axis=1) / np.linalg.norm(w, axis=1)
    np.testing.assert_allclose(out, cosine, rtol=1e-5)


def test_dot_shapes_and_errors():
    out = layers.Dot(axes=(1, 2))([strata.Input(shape=(4, 3)), strata.Input(shape=(5, 4))])
    assert out.shape == (None, 3, 5)
    with pytest.raises(ValueError, match=r"3 \(axis 2\) != 4 \(axis 2\)"):
        layers.Dot(axes=2)([strata.Input(shape=(5, 3)), strata.Input(shape=(5, 4))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Dot(axes=1)([strata.Input(shape=(3,))] * 3)
    with pytest.raises(ValueError, match="axes"):
        layers.Dot(axes="last")


def test_masks_combine_through_add_and_concatenate():
    seen = {}

    def record(name):
        def fn(x, mask=None):
            seen[name] = mask
            return x

        return layers.Lambda(fn, mask=lambda inputs, mask: mask)

    tokens_a = strata.Input(shape=(4,), dtype="int32")
    tokens_b = strata.Input(shape=(4,), dtype="int32")
    emb_a = layers.Embedding(10, 3, mask_zero=True)(tokens_a)
    emb_b = layers.Embedding(10, 3, mask_zero=True)(tokens_b)
    summed = layers.Add()([emb_a, emb_b])
    joined = layers.Concatenate()([emb_a, emb_b])
    assert summed.has_mask and joined.has_mask
    model = strata.Model([tokens_a, tokens_b], [record("add")(summed), record("cat")(joined)])
    a = torch.tensor([[1, 0, 2, 0]])
    b = torch.tensor([[3, 3, 0, 0]])
    model([a, b])
    assert torch.equal(seen["add"], torch.tensor([[True, False, False, False]]))  # AND
    assert torch.equal(seen["cat"], torch.tensor([[True, True, True, False]]))  # any part


def test_concatenate_mask_with_an_unmasked_input():
    layer = layers.Concatenate()
    mask = layer.compute_mask(
        [torch.ones(1, 3, 2), torch.ones(1, 3, 5)], [torch.tensor([[True, False, False]]), None]
    )
    assert torch.equal(mask, torch.tensor([[True, True, True]]))
    assert layer.compute_mask([torch.ones(1, 2)] * 2, [None, None]) is None


def test_listing_7_1_question_answering_concatenates_two_encodings():
    # Deep Learning with Python, listing 7.1, with Dense encoders in place of the LSTMs.
    text_vocabulary_size, question_vocabulary_size, answer_vocabulary_size = 100, 100, 50
    text_input = strata.Input(shape=(20,), dtype="int32", name="text")
    embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
    encoded_text = layers.Dense(32)(layers.Flatten()(embedded_text))
    question_input = strata.Input(shape=(8,), dtype="int32", name="question")
    embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
    encoded_question = layers.Dense(16)(layers.Flatten()(embedded_question))
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    assert concatenated.shape == (None, 48)
    answer = layers.Dense(answer_vocabulary_size, activation="softmax")(concatenated)
    model = strata.Model([text_input, question_input], answer)
    expected_params = (100 * 64 + 20 * 64 * 32 + 32) + (100 * 32 + 8 * 32 * 16 + 16)
    expected_params += 48 * 50 + 50
    assert model.count_params() == expected_params
    rng = np.random.default_rng(0)
    text = torch.from_numpy(rng.integers(1, 100, size=(16, 20)))
    question = torch.from_numpy(rng.integers(1, 100, size=(16, 8)))
    targets = torch.from_numpy(rng.integers(0, 50, size=16))
    optimizer = torch.optim.SGD(model.trainable_weights, lr=0.5)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        probabilities = model([text, question], training=True)
        loss = torch.nn.functional.nll_loss(torch.log(probabilities), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert probabilities.shape == (16, 50)
    assert losses[-1] < losses[0] * 0.5
