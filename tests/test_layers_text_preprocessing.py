"""TextVectorization, StringLookup, IntegerLookup, CategoryEncoding and Discretization:
behaviour, errors, and saving (Keras parity itself: test_reference_keras_text_preprocessing)."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.layers.text_preprocessing import NoVocabularyError

TEXTS = ["The cat sat.", "the dog sat", "The bird!"]


def test_tk_data_text_vectorization_is_the_layer():
    assert tk.data.TextVectorization is layers.TextVectorization
    vec = tk.data.TextVectorization(output_sequence_length=5)
    vec.adapt(TEXTS)
    assert vec(["dog"]).numpy().tolist() == [[4, 0, 0, 0, 0]]
    assert vec.standardize == "lower_and_strip_punctuation"


def test_text_vectorization_before_the_model():
    vec = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(TEXTS)
    x = vec(np.array(TEXTS))                                    # (3,) str -> (3, 4) ids
    assert x.shape == (3, 4) and x.dtype == np.int32
    model = tk.Sequential([tk.Input(shape=(4,)), layers.Embedding(vec.vocabulary_size(), 3),
                           layers.GlobalAveragePooling1D(), layers.Dense(1)])
    assert model(x).shape == (3, 1)
    assert vec(np.array([[t] for t in TEXTS])).numpy().tolist() == x.numpy().tolist()
    assert vec(b"the cat").numpy().tolist() == [2, 5, 0, 0]    # bytes decode as UTF-8


def test_text_vectorization_callables_and_modes():
    vec = layers.TextVectorization(standardize=lambda t: np.char.upper(t),
                                   split=lambda t: [s.split("-") for s in t])
    vec.adapt(["a-b-b", "c"])
    assert vec.get_vocabulary() == ["", "[UNK]", "B", "C", "A"]
    assert vec(["a-c-z"]).numpy().tolist() == [[4, 3, 1]]
    multi = layers.TextVectorization(output_mode="binary")        # Keras' old name
    assert multi.output_mode == "multi_hot"
    multi.adapt(TEXTS)
    assert multi(TEXTS).shape == (3, multi.vocabulary_size())


def test_text_vectorization_errors():
    with pytest.raises(TypeError, match="takes texts"):
        layers.TextVectorization(vocabulary=["a"])(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="before the\n?.*model|apply it before"):
        layers.TextVectorization(vocabulary=["a"])(tk.symbolic((None, 1)))
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(NoVocabularyError, match="adapt"):
        layers.TextVectorization()(["x"])
    with pytest.raises(RuntimeError, match="vocabulary before calling"):
        layers.TextVectorization(output_mode="count")._lookup._encode(np.zeros(1, int))
    with pytest.raises(ValueError, match="Received: max_tokens=1"):
        layers.TextVectorization(max_tokens=1)
    with pytest.raises(ValueError, match="standardize must be one of"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="must not be set"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="TensorFlow backend"):
        layers.TextVectorization(ragged=True)
    with pytest.raises(ValueError, match="Cannot adapt"):
        layers.TextVectorization(vocabulary=["a"]).adapt(["a"])
    with pytest.raises(ValueError, match="idf_weights"):
        layers.TextVectorization(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(TypeError, match="Unrecognized|unexpected"):
        layers.TextVectorization(output_sequence_lenght=3)


def test_string_lookup_invert_and_errors(tmp_path):
    lookup = layers.StringLookup(vocabulary=["a", "b"], mask_token="")
    assert lookup([["a", "", "q"]]).numpy().tolist() == [[2, 0, 1]]
    back = layers.StringLookup(vocabulary=["a", "b"], invert=True)
    assert back(np.array([[0, 1, 2, 7]])).tolist() == [["[UNK]", "a", "b", "[UNK]"]]
    with pytest.raises(TypeError, match="takes texts"):
        lookup(np.array([1, 2]))
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(["z"])
    with pytest.raises(ValueError, match="FarmHash64"):
        layers.StringLookup(num_oov_indices=2)
    with pytest.raises(ValueError, match="repeated term"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="larger than the maximum"):
        layers.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)
    with pytest.raises(NoVocabularyError):
        layers.StringLookup()(["a"])
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\n", encoding="utf-8")
    assert layers.StringLookup(vocabulary=str(path)).get_vocabulary() == ["[UNK]", "x", "y"]


def test_integer_lookup_in_a_model_saves_and_loads(tmp_path):
    lookup = layers.IntegerLookup(output_mode="multi_hot")
    lookup.adapt(np.array([10, 20, 20, 30, 30, 30]))
    inputs = tk.Input(shape=(2,), dtype="int32")
    outputs = layers.Dense(1, kernel_initializer="ones")(lookup(inputs))
    model = tk.Model(inputs, outputs)
    x = np.array([[30, 99], [10, 20]])
    want = model(x).numpy()
    np.testing.assert_array_equal(want, [[2.0], [2.0]])       # [UNK] and 30 / 10 and 20
    model.save(tmp_path / "m.tk")
    again = tk.models.load_model(tmp_path / "m.tk")
    np.testing.assert_array_equal(again(x).numpy(), want)
    with pytest.raises(TypeError, match="takes numbers"):
        lookup(np.array(["a"]))


def test_category_encoding_and_discretization_in_a_model(tmp_path):
    model = tk.Sequential([tk.Input(shape=(3,)),
                           layers.Discretization(bin_boundaries=[0.0, 1.0]),
                           layers.CategoryEncoding(num_tokens=3, output_mode="count")])
    x = np.array([[-1.0, 0.5, 2.0], [0.0, 0.0, 5.0]], np.float32)
    want = model(x).numpy()
    np.testing.assert_array_equal(want, [[1, 1, 1], [0, 2, 1]])
    model.save(tmp_path / "m.tk")
    np.testing.assert_array_equal(tk.models.load_model(tmp_path / "m.tk")(x).numpy(), want)
    adapted = layers.Discretization(num_bins=4)
    adapted.adapt(np.arange(20.0))
    again = layers.Discretization.from_config(adapted.get_config())
    assert again.bin_boundaries == adapted.bin_boundaries == [4.0, 9.0, 14.0]   # as Keras


def test_category_encoding_and_discretization_errors():
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode must be one of"):
        layers.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="class id 7"):
        layers.CategoryEncoding(3)(np.array([[0, 7]]))
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(3)(np.array([[0]]), count_weights=np.array([[1.0]]))
    with pytest.raises(TypeError, match="takes numbers"):
        layers.CategoryEncoding(3)(["a", "b"])
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="call `adapt"):
        layers.Discretization(num_bins=3)(np.array([1.0]))
    with pytest.raises(ValueError, match="Cannot adapt"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(np.array([1.0]))
    with pytest.raises(ValueError, match="sorted"):
        layers.Discretization(bin_boundaries=[1.0, 0.0])
