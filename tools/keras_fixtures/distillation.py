"""Record Keras 3's Distiller fit (fixed weights, SGD, full batches) for strata's comparison.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/distillation.py

Teacher and student are Dense(5, relu, name="hidden") -> Dense(3) from fixed weights; the
distiller uses LogitsDistillation(temperature=2, loss=KLDivergence()) and
FeatureDistillation(mse) between the hidden layers, weights [1.0, 0.5], student_loss_weight
0.3; 3 epochs of SGD(0.1). Stores data, initial weights, history and the trained student's
weights in tests/distillation/fixtures/keras_distiller.npz.
"""

import os

import keras
import numpy as np

OUT = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "tests",
    "distillation",
    "fixtures",
    "keras_distiller.npz",
)


def net(weights):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, "relu", name="hidden"),
            keras.layers.Dense(3, name="logits"),
        ]
    )
    model.set_weights(weights)
    return model


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.integers(0, 3, 16)
    shapes = [(4, 5), (5,), (5, 3), (3,)]
    teacher_w = [rng.normal(size=s).astype("float32") for s in shapes]
    student_w = [rng.normal(scale=0.5, size=s).astype("float32") for s in shapes]
    losses = [
        keras.distillation.LogitsDistillation(temperature=2.0, loss=keras.losses.KLDivergence()),
        keras.distillation.FeatureDistillation(
            teacher_layer_name="hidden", student_layer_name="hidden"
        ),
    ]
    distiller = keras.distillation.Distiller(
        net(teacher_w),
        net(student_w),
        losses,
        distillation_loss_weights=[1.0, 0.5],
        student_loss_weight=0.3,
    )
    distiller.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    history = distiller.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    out = {"x": x, "y": y}
    out.update({f"teacher{i}": w for i, w in enumerate(teacher_w)})
    out.update({f"student{i}": w for i, w in enumerate(student_w)})
    out.update({f"trained{i}": w for i, w in enumerate(distiller.student.get_weights())})
    out.update({f"history_{k}": np.array(v) for k, v in history.history.items()})
    np.savez(OUT, **out)


if __name__ == "__main__":
    main()
