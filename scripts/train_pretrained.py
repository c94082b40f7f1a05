"""Train the small models that ship in tensorkit/pretrained/ and record how well they do.

    .venv/bin/python scripts/train_pretrained.py

Writes ``<name>.tkmodel`` for each model below, the text model's vocabulary as
``<name>.vocab.json``, and ``index.json``: what each model is, its input shape and classes,
its accuracy on the held-out split, and how it was trained (split, epochs, optimizer, this
command). Everything is seeded (``tk.random.seed`` and the split's seed), so a run on the
same machine rewrites the same index.json and the same weights (only the zip timestamps
differ); tests/test_pretrained.py checks the shipped files still score what index.json says.

Models are saved compiled (loss, metrics, a fresh optimizer with no state), so
``tk.pretrained.load(name).evaluate(x, y)`` works at once and the files stay small.
"""

import json
import os
import sys
import time

import numpy

import tensorkit as tk
from tensorkit.layers import (
    Conv2D,
    Dense,
    Embedding,
    Flatten,
    GlobalAveragePooling1D,
    MaxPooling2D,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tensorkit",
                   "pretrained")
COMMAND = ".venv/bin/python scripts/train_pretrained.py"
SEED = 0
SPLIT = {"test_size": 0.2, "seed": 0}            # tk.data.train_test_split(..., **SPLIT)
DIGITS = [str(d) for d in range(10)]


def digits_mlp():
    """64 pixels -> two hidden layers -> 10 class probabilities."""
    return tk.Sequential([
        tk.Input(shape=(64,)),
        Dense(64, activation="relu", name="hidden_1"),       # (None, 64) -> (None, 64)
        Dense(32, activation="relu", name="hidden_2"),       # (None, 64) -> (None, 32)
        Dense(10, activation="softmax", name="head"),        # (None, 32) -> (None, 10)
    ], name="digits_mlp")


def digits_cnn():
    """8x8x1 images -> two convolutions -> 10 class probabilities."""
    return tk.Sequential([
        tk.Input(shape=(8, 8, 1)),
        Conv2D(16, 3, padding="same", activation="relu", name="conv_1"),  # -> (None, 8, 8, 16)
        MaxPooling2D(name="pool_1"),                                       # -> (None, 4, 4, 16)
        Conv2D(32, 3, padding="same", activation="relu", name="conv_2"),  # -> (None, 4, 4, 32)
        Flatten(name="flatten"),                                           # -> (None, 512)
        Dense(10, activation="softmax", name="head"),                      # -> (None, 10)
    ], name="digits_cnn")


def sentiment_text(vocabulary_size, length):
    """Token ids -> word vectors -> their average -> positive or negative."""
    return tk.Sequential([
        tk.Input(shape=(length,), dtype="int32"),
        Embedding(vocabulary_size, 16, mask_zero=True, name="embedding"),  # -> (None, T, 16)
        GlobalAveragePooling1D(name="average"),                # (None, T, 16) -> (None, 16)
        Dense(16, activation="relu", name="hidden"),           # (None, 16) -> (None, 16)
        Dense(1, activation="sigmoid", name="head"),           # (None, 16) -> (None, 1)
    ], name="sentiment_text")


# Each entry: how to get the data, the model, and how to train it.
MODELS = {
    "digits_mlp": dict(
        description="Handwritten digits (8x8, flattened to 64 pixels) -> digit 0-9: "
                    "a multilayer perceptron with two hidden Dense layers.",
        data="tk.data.load_digits()", load=lambda: tk.data.load_digits(), build=digits_mlp,
        classes=DIGITS, loss="sparse_categorical_crossentropy", learning_rate=0.003, epochs=20,
        batch_size=32),
    "digits_cnn": dict(
        description="Handwritten digits (8x8x1 images) -> digit 0-9: two Conv2D layers, "
                    "max pooling, Flatten and a Dense head.",
        data="tk.data.load_digits(as_images=True)",
        load=lambda: tk.data.load_digits(as_images=True), build=digits_cnn, classes=DIGITS,
        loss="sparse_categorical_crossentropy", learning_rate=0.003, epochs=12,
        batch_size=32),
    "sentiment_text": dict(
        description="Short reviews -> negative (0) / positive (1): an Embedding averaged over "
                    "the words (GlobalAveragePooling1D), a hidden Dense layer and a sigmoid "
                    "head. It reads 'not good' as negative. Turn text into token ids with "
                    "tk.pretrained.vectorizer('sentiment_text').",
        data="tk.data.sentiment(n=2000, seed=0)", load=lambda: tk.data.sentiment(2000, seed=0),
        build=sentiment_text, classes=["negative", "positive"],
        loss="binary_crossentropy", learning_rate=0.01, epochs=10, batch_size=32,
        sequence_length=10),
}


def train(name, spec):
    x, y = spec["load"]()
    x_train, x_test, y_train, y_test = tk.data.train_test_split(x, y, **SPLIT)
    extra = {}
    tk.random.seed(SEED)
    if "sequence_length" in spec:                  # texts -> (n, T) token ids
        vectorize = tk.data.TextVectorization(output_sequence_length=spec["sequence_length"])
        vectorize.adapt(x_train)
        x_train, x_test = vectorize(x_train), vectorize(x_test)
        model = spec["build"](vectorize.vocabulary_size(), spec["sequence_length"])
        extra["vocabulary"] = f"{name}.vocab.json"
        with open(os.path.join(OUT, extra["vocabulary"]), "w") as f:
            json.dump({"vocabulary": vectorize.get_vocabulary(),
                       "output_sequence_length": spec["sequence_length"],
                       "standardize": vectorize.standardize}, f, indent=1)
            f.write("\n")
    else:
        model = spec["build"]()
    model.compile(optimizer=tk.optimizers.Adam(spec["learning_rate"]), loss=spec["loss"],
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=spec["epochs"], batch_size=spec["batch_size"],
              verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    # A fresh optimizer: the file keeps loss and metrics but not Adam's moments.
    model.compile(optimizer=tk.optimizers.Adam(spec["learning_rate"]), loss=spec["loss"],
                  metrics=["accuracy"])
    path = os.path.join(OUT, f"{name}.tkmodel")
    model.save(path)
    summary = model.summary(as_dict=True)
    print(f"{name}: test accuracy {accuracy:.4f} after {spec['epochs']} epochs "
          f"({seconds:.1f} s), {summary['total_params']:,} params, "
          f"{os.path.getsize(path) / 1024:.0f} KiB", file=sys.stderr)
    return {
        "name": name,
        "file": f"{name}.tkmodel",
        **extra,
        "description": spec["description"],
        "input_shape": [None, *model.layers[0].input_shape[1:]],
        "input_dtype": "int32" if "sequence_length" in spec else "float32",
        "classes": spec["classes"],
        "layers": [layer.name for layer in model.layers],
        "params": summary["total_params"],
        "test_accuracy": round(float(accuracy), 4),
        "test_samples": len(y_test),
        "data": spec["data"],
        "split": f"tk.data.train_test_split(x, y, test_size={SPLIT['test_size']}, "
                 f"seed={SPLIT['seed']}): train on the first part, test on the second",
        "split_args": SPLIT,
        "training": {"epochs": spec["epochs"], "batch_size": spec["batch_size"],
                     "optimizer": f"Adam(learning_rate={spec['learning_rate']})",
                     "loss": spec["loss"], "seed": SEED},
        "command": COMMAND,
        "tensorkit_version": tk.__version__,
        "numpy_version": numpy.__version__,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    index = {"format": "tensorkit-pretrained-index", "models": [
        train(name, spec) for name, spec in MODELS.items()]}
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
