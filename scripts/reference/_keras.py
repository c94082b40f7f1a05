"""What the Keras recording scripts share: the JAX backend, the case collection and file,
and the random data they draw (from one seeded generator per script, so a script's cases
come out the same on every run)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from reference import save_cases  # noqa: E402

assert keras.backend.backend() == "jax", "run with KERAS_BACKEND=jax"
f32 = np.float32


class Cases(dict):
    """{name: (spec, arrays)} of one area, written to tests/data/reference/<area>.npz."""

    def __init__(self, area):
        super().__init__()
        self.out = os.path.join(HERE, "..", "..", "tests", "data", "reference", f"{area}.npz")

    def add(self, name, spec, arrays):
        assert name not in self, name
        self[name] = (spec, {k: np.asarray(v) for k, v in arrays.items()})

    def save(self):
        save_cases(self.out, dict(self))
        return self.out


class Draws:
    """Labels and predictions of the kinds losses and metrics take, from `seed`."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def probs(self, *shape):                     # rows that sum to 1
        e = np.exp(self.rng.normal(size=shape) * 1.5)
        return (e / e.sum(-1, keepdims=True)).astype(f32)

    @staticmethod
    def onehot(ids, c):
        return np.eye(c, dtype=f32)[ids]

    def sigm(self, *shape):                      # in (0, 1), often near the ends
        return (1 / (1 + np.exp(-2 * self.rng.normal(size=shape)))).astype(f32)

    def bits(self, *shape):
        return (self.rng.random(shape) > 0.5).astype(f32)

    def normal(self, *shape):
        return self.rng.normal(size=shape).astype(f32)
