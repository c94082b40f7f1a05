"""Small trained models that ship with tensorkit, for lessons on using and fine-tuning them.

``tk.pretrained.list()`` says what there is and how well each does; ``load(name)`` gives a
fresh, compiled model each call. The files here are written by
``scripts/train_pretrained.py`` (seeded); ``index.json`` records for each model its data,
held-out split, test accuracy, training settings and that command.

Transfer learning, as in Keras::

    model = tk.pretrained.load("digits_mlp")
    model.pop()                                  # drop the "head" layer
    for layer in model.layers:
        layer.trainable = False                  # freeze the body
    model.add(tk.layers.Dense(2, activation="softmax", name="new_head"))
    model.compile(...)                           # compile again after freezing
    model.summary()                              # frozen rows say "N (frozen)"

Text models take token ids: ``vectorizer(name)`` gives the ``TextVectorization`` they were
trained with.
"""

import copy
import functools
import importlib.resources
import json

from ..data.text import TextVectorization
from ..saving import load_model

__all__ = ["list", "load", "vectorizer", "UnknownModelError"]


class UnknownModelError(KeyError, ValueError):
    """No pretrained model has that name (KeyError like a dict, ValueError like a bad value)."""

    def __str__(self):                   # KeyError would quote the whole message
        return self.args[0]


def _files():
    return importlib.resources.files(__name__)


@functools.lru_cache(maxsize=1)
def _index():
    doc = json.loads(_files().joinpath("index.json").read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in doc["models"]}


def list():                      # shadows the builtin here, as tk.pretrained.list()
    """One dict per shipped model: name, description, input_shape, classes,
    test_accuracy, the split and training it had, and the command that made it."""
    return [copy.deepcopy(entry) for entry in _index().values()]


def _entry(name):
    index = _index()
    if name not in index:
        raise UnknownModelError(
            f"tk.pretrained has no model named {name!r}. Available: "
            f"{', '.join(repr(n) for n in index)} (tk.pretrained.list() describes them).")
    return index[name]


def load(name):
    """A new copy of the pretrained model `name`, compiled (its loss and accuracy metric)."""
    entry = _entry(name)
    with importlib.resources.as_file(_files().joinpath(entry["file"])) as path:
        return load_model(path)


def vectorizer(name):
    """The ``TextVectorization`` a text model was trained with: texts -> its token ids."""
    entry = _entry(name)
    if "vocabulary" not in entry:
        raise ValueError(f"tk.pretrained model {name!r} takes {entry['input_dtype']} input of "
                         f"shape {tuple(entry['input_shape'])}, not text: it has no "
                         "vectorizer.")
    doc = json.loads(_files().joinpath(entry["vocabulary"]).read_text(encoding="utf-8"))
    vectorize = TextVectorization(output_sequence_length=doc["output_sequence_length"],
                                  standardize=doc["standardize"])
    vectorize.set_vocabulary(doc["vocabulary"])
    return vectorize
