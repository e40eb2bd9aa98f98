"""model.summary(expand_nested=True, show_trainable=True): indented nested rows, Y/N/- column."""

import torch

import strata
from strata import layers


class Concat(layers.Layer):
    def call(self, inputs):
        return torch.cat(inputs, dim=-1)


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def rows(text):
    """The table's data rows as lists of stripped cells (border lines dropped)."""
    found = []
    for line in text.splitlines():
        if line.startswith("│"):
            found.append([cell.strip() for cell in line.strip("│").split("│")])
    return found


def nested_model(freeze_inner=True):
    inner_input = strata.Input(shape=(6,), name="inner_in")
    hidden = layers.Dense(5, activation="relu", name="inner_hidden")(inner_input)
    inner = strata.Model(inner_input, layers.Dense(4, name="inner_out")(hidden), name="block")
    inner.trainable = not freeze_inner
    a = strata.Input(shape=(3,), name="a")
    b = strata.Input(shape=(3,), name="b")
    x = inner(Concat(name="cat")([a, b]))
    return strata.Model([a, b], layers.Dense(1, name="head")(x), name="outer")


def test_expand_nested_indents_the_nested_rows_under_their_model():
    text = summary_text(nested_model(), expand_nested=True)
    names = [row[0] for row in rows(text) if row[0]]
    assert names == [
        "a (InputLayer)",
        "b (InputLayer)",
        "cat (Concat)",
        "block (Functional)",
        "└ inner_in (InputLayer)",
        "└ inner_hidden (Dense)",
        "└ inner_out (Dense)",
        "head (Dense)",
    ]
    block_line = next(line for line in text.splitlines() if "block (Functional)" in line)
    inner_line = next(line for line in text.splitlines() if "inner_hidden (Dense)" in line)
    assert inner_line.index("└") > block_line.index("block")
    collapsed = [row[0] for row in rows(summary_text(nested_model())) if row[0]]
    assert "└ inner_hidden (Dense)" not in collapsed and "block (Functional)" in collapsed


def test_nested_rows_are_connected_within_their_model():
    table = rows(summary_text(nested_model(), expand_nested=True))
    by_name = {row[0]: row for row in table if row[0]}
    connected = {name: row[3] for name, row in by_name.items()}
    assert connected["└ inner_hidden (Dense)"] == "inner_in[0][0]"
    assert connected["└ inner_out (Dense)"] == "inner_hidden[0][0]"
    assert connected["block (Functional)"] == "cat[0][0]"
    assert connected["head (Dense)"] == "block[0][0]"


def test_show_trainable_column():
    text = summary_text(nested_model(freeze_inner=True), expand_nested=True, show_trainable=True)
    table = rows(text)
    assert "Trainable" in text.splitlines()[2]
    flags = {row[0]: row[-1] for row in table if row[0]}
    assert flags["block (Functional)"] == "N"
    assert flags["└ inner_hidden (Dense)"] == "N"
    assert flags["└ inner_out (Dense)"] == "N"
    assert flags["head (Dense)"] == "Y"
    assert flags["cat (Concat)"] == "-"  # no weights: nothing to train
    assert flags["a (InputLayer)"] == "-"
    unfrozen = rows(summary_text(nested_model(freeze_inner=False), show_trainable=True))
    assert {row[0]: row[-1] for row in unfrozen if row[0]}["block (Functional)"] == "Y"
    assert "Trainable" not in summary_text(nested_model()).splitlines()[2]


def test_nested_sequential_and_param_totals():
    inner = strata.Sequential(
        [layers.Dense(3, input_shape=(2,), name="s1"), layers.Dense(1, name="s2")], name="stack"
    )
    outer = strata.Sequential([inner, layers.Dense(2, name="top")], name="outer_seq")
    outer.build((None, 2))
    inner.get_layer("s1").trainable = False
    text = summary_text(outer, expand_nested=True, show_trainable=True)
    flags = {row[0]: row[-1] for row in rows(text) if row[0]}
    assert flags == {
        "stack (Sequential)": "Y",
        "└ s1 (Dense)": "N",
        "└ s2 (Dense)": "Y",
        "top (Dense)": "Y",
    }
    assert "Total params: 17" in text
    assert "Non-trainable params: 9" in text
