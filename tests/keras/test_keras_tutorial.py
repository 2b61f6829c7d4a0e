"""The tutorials' Keras program, with actloss's Swish layer and focal loss.

The tutorial's model verbatim: Sequential([Dense(64, input_shape=(20,)),
Swish(trainable_beta=True), Dense(1, activation="sigmoid")]) compiled with a focal
loss and fitted on make_classification. Its output layer gives probabilities; the
catalog's focal is defined on logits, so FocalLoss uses Keras's convention
from_logits=False (the default): probabilities are clipped at keras.config.epsilon()
and turned into logits. Runs on Keras's torch backend (tests/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

keras = pytest.importorskip("keras")
import actloss.keras as alk  # noqa: E402

# The tutorial passes input_shape to the first Dense, which Keras 3 accepts with a warning.
INPUT_SHAPE_WARNING = "ignore:Do not pass an `input_shape`"
KERAS_ARRAY_WARNING = "ignore:__array__ implementation doesn't accept a copy keyword"


@pytest.mark.filterwarnings(INPUT_SHAPE_WARNING)
@pytest.mark.filterwarnings(KERAS_ARRAY_WARNING)
def test_tutorial_swish_and_focal_loss() -> None:
    keras.utils.set_random_seed(42)
    x, y = make_classification(n_samples=1000, n_features=20, random_state=42)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=42)
    model = keras.Sequential(
        [
            keras.layers.Dense(64, input_shape=(20,)),
            alk.Swish(trainable_beta=True),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss=alk.FocalLoss(alpha=0.25, gamma=2.0), metrics=["accuracy"])
    history = model.fit(
        x_train, y_train, epochs=5, batch_size=32, validation_split=0.2, verbose=0
    ).history
    assert history["loss"][-1] < 0.7 * history["loss"][0], history["loss"]
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.75, accuracy
    swish = model.layers[1]
    assert float(np.asarray(swish.beta.numpy())) != 1.0  # the learnable beta was trained
