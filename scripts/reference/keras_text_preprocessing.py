"""Record Keras 3's text and category preprocessing layers, for
tests/test_reference_keras_text_preprocessing.py.

Run with a Python that has Keras 3, JAX *and TensorFlow* (Keras' TextVectorization,
StringLookup and IntegerLookup need TensorFlow even on the JAX backend):

    KERAS_BACKEND=jax python scripts/reference/keras_text_preprocessing.py

It writes tests/data/reference/keras_text_preprocessing.npz. Each case builds the Keras
layer named in the spec from `kwargs`, adapts it on `adapt` (unless None; `batches: true`
adapts on a list of batches instead), then calls it on `x` (texts or numbers, in the spec;
`x_array` when it is numbers) and stores the output `y` (with its dtype), the vocabulary
(in the spec) and the config's plain entries.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_text_preprocessing.npz")

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; a bird?",
         "Dogs and cats: friends or foes?", "the THE The tHe", "É école ÉCOLE straße\xa0x",
         "tab\tsplit  spaces\nnewline", "it's (maybe) 3.14 -- or not", ""]
QUERIES = ["the cat ate the bird", "unknown words only", "", "Dog dog DOG!",
           "a b c d e f g h i j k l m n", "école É straße\xa0x"]
rng = np.random.default_rng(0)


def plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.str_, bytes)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [plain(i) for i in v]
    return v


def record(cases, name, layer, kwargs, x, adapt=None, batches=False, call_kwargs=None):
    kind = layer
    layer = getattr(keras.layers, layer)(**kwargs)
    if adapt is not None:
        layer.adapt(iter([np.array(b) for b in adapt]) if batches else
                    (np.array(adapt) if kind not in ("TextVectorization", "StringLookup")
                     else adapt))
    numeric = kind in ("IntegerLookup", "CategoryEncoding", "Discretization")
    x_in = np.array(x) if numeric else x
    kw = {k: np.array(v) for k, v in (call_kwargs or {}).items()}
    y = np.asarray(layer(x_in, **kw))
    config = {k: plain(v) for k, v in layer.get_config().items()
              if k not in ("dtype", "name", "trainable")}
    spec = {"kind": "layer", "layer": kind, "kwargs": kwargs, "adapt": adapt,
            "batches": batches, "x": None if numeric else x, "call_kwargs": call_kwargs,
            "dtype": str(y.dtype), "config": config}
    if hasattr(layer, "get_vocabulary"):
        spec["vocabulary"] = plain(layer.get_vocabulary())
        spec["vocabulary_size"] = int(layer.vocabulary_size())
    if kind == "Discretization":
        spec["bin_boundaries"] = plain(layer.bin_boundaries)
    arrays = {"y": y}
    if numeric:
        arrays["x_array"] = np.array(x)
    cases[name] = (spec, arrays)


def text_cases(cases):
    tv = "TextVectorization"
    record(cases, "tv_default_len8", tv, {"output_sequence_length": 8}, QUERIES, TEXTS)
    record(cases, "tv_default_ragged", tv, {}, QUERIES, TEXTS)
    record(cases, "tv_max_tokens", tv, {"max_tokens": 6, "output_sequence_length": 5},
           QUERIES, TEXTS)
    record(cases, "tv_lower", tv, {"standardize": "lower"}, QUERIES, TEXTS)
    record(cases, "tv_strip", tv, {"standardize": "strip_punctuation"}, QUERIES, TEXTS)
    record(cases, "tv_raw", tv, {"standardize": None, "output_sequence_length": 4},
           QUERIES, TEXTS)
    record(cases, "tv_character", tv, {"split": "character", "output_sequence_length": 12},
           QUERIES, TEXTS)
    record(cases, "tv_no_split", tv, {"split": None}, [["the cat sat on the mat"], ["x"]],
           ["a b", "a b", "c", "The cat sat on the mat."])
    record(cases, "tv_bigrams", tv, {"ngrams": 2, "output_sequence_length": 10},
           QUERIES, TEXTS)
    record(cases, "tv_ngrams_1_3", tv, {"ngrams": (1, 3), "max_tokens": 20}, QUERIES, TEXTS)
    record(cases, "tv_multi_hot", tv, {"output_mode": "multi_hot", "max_tokens": 10},
           QUERIES, TEXTS)
    record(cases, "tv_count", tv, {"output_mode": "count"}, QUERIES, TEXTS)
    record(cases, "tv_tf_idf", tv, {"output_mode": "tf_idf", "max_tokens": 12}, QUERIES, TEXTS)
    record(cases, "tv_tf_idf_padded", tv, {"output_mode": "tf_idf", "max_tokens": 40,
                                           "pad_to_max_tokens": True}, QUERIES, TEXTS)
    record(cases, "tv_multi_hot_padded", tv, {"output_mode": "multi_hot", "max_tokens": 30,
                                              "pad_to_max_tokens": True}, QUERIES, TEXTS)
    record(cases, "tv_vocabulary", tv, {"vocabulary": ["the", "cat", "dog"],
                                        "output_sequence_length": 6}, QUERIES)
    record(cases, "tv_vocabulary_tf_idf", tv, {
        "vocabulary": ["the", "cat", "dog"], "idf_weights": [0.5, 1.5, 2.5],
        "output_mode": "tf_idf"}, QUERIES)
    record(cases, "tv_scalar", tv, {}, "the cat sat", TEXTS)
    record(cases, "tv_column", tv, {"output_sequence_length": 3},
           [["the cat sat down"], ["dog"]], TEXTS)
    record(cases, "tv_batches", tv, {"output_mode": "tf_idf"}, QUERIES,
           [TEXTS[:3], TEXTS[3:6], TEXTS[6:]], batches=True)


def lookup_cases(cases):
    words = ["b", "a", "c", "a", "c", "c", "d", "[UNK]", "", "e", "e"]
    sl = "StringLookup"
    x2 = [["a", "z", "c"], ["", "e", "b"]]
    record(cases, "sl_adapt", sl, {}, x2, words)
    record(cases, "sl_mask", sl, {"mask_token": "", "oov_token": "[OOV]"}, x2, words)
    record(cases, "sl_max_tokens", sl, {"max_tokens": 3}, x2, words)
    record(cases, "sl_oov0", sl, {"num_oov_indices": 0, "vocabulary": ["a", "b", "c"]},
           [["a", "c"], ["b", "b"]])
    record(cases, "sl_vocab_with_specials", sl, {"vocabulary": ["", "[UNK]", "x", "y"],
                                                 "mask_token": ""}, [["x", "q", "y", ""]])
    for mode in ("one_hot", "multi_hot", "count"):
        record(cases, f"sl_{mode}", sl, {"output_mode": mode}, x2, words)
        record(cases, f"sl_{mode}_rank1", sl, {"output_mode": mode}, ["a", "z", "a"], words)
        record(cases, f"sl_{mode}_column", sl, {"output_mode": mode}, [["a"], ["c"], ["q"]],
               words)
    record(cases, "sl_tf_idf", sl, {"output_mode": "tf_idf"}, x2, [["a", "b", "a"],
                                                                    ["c", "a", "d"]])
    record(cases, "sl_multi_hot_mask", sl, {"output_mode": "multi_hot", "mask_token": ""},
           x2, words)
    ints = [5, 7, 7, 9, 9, 9, 0, -1, 12, 12]
    il = "IntegerLookup"
    xi = [[5, 9, 3, 0], [-1, 12, 100, 7]]
    record(cases, "il_adapt", il, {}, xi, ints)
    record(cases, "il_mask", il, {"mask_token": 0}, xi, ints)
    record(cases, "il_oov2", il, {"vocabulary": [12, 36, 1138, 42], "num_oov_indices": 2},
           [[12, 1138, 42], [42, 1000, 36], [7, 8, -3]])
    record(cases, "il_invert", il, {"vocabulary": [12, 36, 42], "invert": True},
           [[0, 1, 2], [3, 4, 9]])
    record(cases, "il_invert_mask", il, {"vocabulary": [12, 36], "invert": True,
                                         "mask_token": 0}, [[0, 1, 2, 3, 4]])
    for mode in ("one_hot", "multi_hot", "count"):
        record(cases, f"il_{mode}", il, {"output_mode": mode}, xi, ints)
    record(cases, "il_tf_idf", il, {"output_mode": "tf_idf"}, xi, [[5, 7, 7], [9, 5, 12]])
    record(cases, "il_padded", il, {"output_mode": "count", "max_tokens": 10,
                                    "pad_to_max_tokens": True}, xi, ints)
    record(cases, "il_batches", il, {}, xi, [[5, 7], [7, 9], [9, 9]], batches=True)


def category_cases(cases):
    ce = "CategoryEncoding"
    for mode in ("one_hot", "multi_hot", "count"):
        record(cases, f"ce_{mode}", ce, {"num_tokens": 5, "output_mode": mode},
               [[0, 1, 1], [4, 2, 0]])
        record(cases, f"ce_{mode}_rank1", ce, {"num_tokens": 5, "output_mode": mode},
               [3, 1, 3])
        record(cases, f"ce_{mode}_column", ce, {"num_tokens": 5, "output_mode": mode},
               [[3], [1], [0]])
    record(cases, "ce_count_weights", ce, {"num_tokens": 4, "output_mode": "count"},
           [[0, 1, 1], [3, 3, 2]], call_kwargs={"count_weights": [[0.5, 1.0, 2.0],
                                                                   [1.5, 0.25, 3.0]]})
    record(cases, "ce_float_ids", ce, {"num_tokens": 4}, [[0.7, 1.2], [3.0, 2.9]])
    d = "Discretization"
    x = [[-1.5, 0.0, 0.5, 1.0], [2.0, 3.0, 1.999, -0.001]]
    record(cases, "disc_boundaries", d, {"bin_boundaries": [0.0, 1.0, 2.0]}, x)
    for mode in ("one_hot", "multi_hot", "count"):
        record(cases, f"disc_{mode}", d, {"bin_boundaries": [0.0, 1.0, 2.0],
                                          "output_mode": mode}, x)
    data = np.round(rng.normal(size=(500, 1)), 4).astype("float32")
    record(cases, "disc_adapt", d, {"num_bins": 4}, x, data.tolist())
    record(cases, "disc_adapt_range", d, {"num_bins": 5}, [[0.0, 4.9, 5.0, 19.0]],
           np.arange(20.0).tolist())
    record(cases, "disc_adapt_epsilon", d, {"num_bins": 3, "epsilon": 0.1}, x,
           data[:200].tolist())
    record(cases, "disc_adapt_batches", d, {"num_bins": 4}, x,
           [data[:300, 0].tolist(), data[300:, 0].tolist()], batches=True)


def main():
    cases = {}
    text_cases(cases)
    lookup_cases(cases)
    category_cases(cases)
    save_cases(OUT, cases)
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)} "
          f"({os.path.getsize(OUT) // 1024} KB)")


if __name__ == "__main__":
    main()
