"""fit learns: the lessons' digits models reach their accuracy from scratch in a few epochs.

Same split as the shipped pretrained models (tk.data.train_test_split, test_size=0.2,
seed=0); the held-out part is fit's validation data. Seeded, so each run is the same. The
epochs leave room: over seeds 0-7 the last epoch's validation accuracy was at least 0.964
(MLP) and 0.978 (CNN), so rounding on another BLAS does not tip it. About 2 s on two cores.
"""

import pytest

import tensorkit as tk
from tensorkit.layers import Conv2D, Dense, Flatten, MaxPooling2D


def split(as_images):
    x, y = tk.data.load_digits(as_images=as_images)
    x_train, x_test, y_train, y_test = tk.data.train_test_split(x, y, test_size=0.2, seed=0)
    return (x_train, y_train), (x_test, y_test)


def fit(model, data, epochs, learning_rate):
    (x_train, y_train), validation = data
    model.compile(optimizer=tk.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x_train, y_train, epochs=epochs, batch_size=32,
                     validation_data=validation, verbose=0).history


@pytest.fixture(autouse=True)
def seeded():
    tk.random.seed(0)


def test_digits_mlp_reaches_95_percent_validation_accuracy():
    model = tk.Sequential([
        tk.Input(shape=(64,)),
        Dense(64, activation="relu"),
        Dense(32, activation="relu"),
        Dense(10, activation="softmax"),
    ])
    history = fit(model, split(as_images=False), epochs=15, learning_rate=0.003)
    assert history["val_accuracy"][-1] >= 0.95
    assert history["loss"][-1] < history["loss"][0] / 4


def test_digits_cnn_reaches_97_percent_validation_accuracy():
    model = tk.Sequential([
        tk.Input(shape=(8, 8, 1)),
        Conv2D(16, 3, padding="same", activation="relu"),   # (None, 8, 8, 1) -> (None, 8, 8, 16)
        MaxPooling2D(),                                      # -> (None, 4, 4, 16)
        Conv2D(32, 3, padding="same", activation="relu"),   # -> (None, 4, 4, 32)
        Flatten(),                                           # -> (None, 512)
        Dense(10, activation="softmax"),
    ])
    history = fit(model, split(as_images=True), epochs=12, learning_rate=0.003)
    assert history["val_accuracy"][-1] >= 0.97
    assert history["loss"][-1] < history["loss"][0] / 4
