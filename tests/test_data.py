"""tk.data: shipped digits, generated sets, Keras-exact text tools, one-hot, splits, batches."""

import random

import numpy as np
import pytest

import tensorkit as tk
from tensorkit.data import (
    TextVectorization,
    Tokenizer,
    batches,
    one_hot,
    pad_sequences,
    train_test_split,
)


def test_digits_shapes_dtypes_and_scaling():
    x, y = tk.data.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int32
    xs, ys = x.numpy(), y.numpy()
    assert xs.min() == 0.0 and xs.max() == 1.0
    assert np.allclose(xs * 16, np.round(xs * 16))            # counts 0..16 divided by 16
    assert sorted(set(ys.tolist())) == list(range(10))
    assert ys[:3].tolist() == [0, 1, 2]                         # scikit-learn's order
    images, _ = tk.data.load_digits(as_images=True)
    assert images.shape == (1797, 8, 8, 1)
    np.testing.assert_array_equal(images.numpy()[5, :, :, 0].ravel(), xs[5])


def test_sentiment_is_seeded_and_balanced():
    texts, labels = tk.data.sentiment(n=400, seed=3)
    again, labels2 = tk.data.sentiment(n=400, seed=3)
    assert texts == again and np.array_equal(labels, labels2)
    assert tk.data.sentiment(n=400, seed=4)[0] != texts
    assert len(texts) == 400 and labels.shape == (400,) and labels.dtype == np.int32
    assert 0.35 < labels.mean() < 0.65
    negated = [(t, l) for t, l in zip(texts, labels) if " not " in t]
    assert negated and all(isinstance(t, str) and t == t.lower() for t in texts)
    assert any(l == 1 for _, l in negated) and any(l == 0 for _, l in negated)
    assert all(" not " not in t for t in tk.data.sentiment(100, negations=False)[0])


@pytest.mark.parametrize("kind", ["copy", "reverse", "sort", "sum"])
def test_sequence_tasks(kind):
    x, y = tk.data.sequence_task(kind, n=50, length=6, vocab=7, seed=1)
    xs, ys = x.numpy(), y.numpy()
    assert xs.shape == (50, 6) and xs.dtype == np.int32
    assert xs.min() >= 1 and xs.max() <= 6                      # 0 stays free for padding
    expected = {"copy": xs, "reverse": xs[:, ::-1], "sort": np.sort(xs, axis=1),
                "sum": xs.sum(axis=1, keepdims=True)}[kind]
    np.testing.assert_array_equal(ys, expected)
    assert ys.dtype == (np.float32 if kind == "sum" else np.int32)
    x2, _ = tk.data.sequence_task(kind, n=50, length=6, vocab=7, seed=1)
    assert np.array_equal(xs, x2.numpy())
    with pytest.raises(ValueError, match=r"Received: kind='rev'"):
        tk.data.sequence_task("rev")
    with pytest.raises(ValueError, match=r"Received: length=0"):
        tk.data.sequence_task(kind, length=0)


# keras.utils.pad_sequences on these inputs (worked by hand from Keras' code)
PAD_CASES = [
    (dict(), [[0, 0, 1, 2, 3], [0, 0, 0, 0, 4], [5, 6, 7, 8, 9]]),
    (dict(padding="post"), [[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [5, 6, 7, 8, 9]]),
    (dict(maxlen=3), [[1, 2, 3], [0, 0, 4], [7, 8, 9]]),
    (dict(maxlen=3, truncating="post"), [[1, 2, 3], [0, 0, 4], [5, 6, 7]]),
    (dict(maxlen=4, padding="post", truncating="post", value=-1),
     [[1, 2, 3, -1], [4, -1, -1, -1], [5, 6, 7, 8]]),
    (dict(maxlen=6, value=9), [[9, 9, 9, 1, 2, 3], [9, 9, 9, 9, 9, 4], [9, 5, 6, 7, 8, 9]]),
]


@pytest.mark.parametrize("kwargs,expected", PAD_CASES)
def test_pad_sequences_matches_keras(kwargs, expected):
    out = pad_sequences([[1, 2, 3], [4], [5, 6, 7, 8, 9]], **kwargs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_pad_sequences_edges():
    assert pad_sequences([[], [1]]).tolist() == [[0], [1]]
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    out = pad_sequences([[0.5, 1.5]], maxlen=3, dtype="float32", value=-1.0)
    np.testing.assert_array_equal(out, [[-1.0, 0.5, 1.5]])
    seq = pad_sequences([np.ones((2, 3)), np.ones((1, 3))])        # items with a shape
    assert seq.shape == (2, 2, 3) and seq[1, 0].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match='padding must be "pre" or "post"'):
        pad_sequences([[1]], padding="both")
    with pytest.raises(ValueError, match="Tokenizer"):
        pad_sequences(["a text"])


def test_ragged_list_says_to_pad():
    with pytest.raises(tk.ShapeError, match=r"pad_sequences"):
        tk.tensor([[1, 2, 3], [4]])


def test_tokenizer_keras_semantics():
    texts = ["The cat sat on the mat.", "The dog sat!", "a cat, a DOG"]
    tok = Tokenizer()
    tok.fit_on_texts(texts)
    # counts: the 3, cat 2, sat 2, dog 2, a 2, on 1, mat 1; ties keep first-seen order
    assert list(tok.word_index) == ["the", "cat", "sat", "dog", "a", "on", "mat"]
    assert tok.word_index["the"] == 1 and 0 not in tok.index_word
    assert tok.texts_to_sequences(["the dog sat on a bird"]) == [[1, 4, 3, 6, 5]]
    small = Tokenizer(num_words=4, oov_token="<OOV>")
    small.fit_on_texts(texts)
    assert small.word_index["<OOV>"] == 1 and small.word_index["the"] == 2
    # only indices < num_words kept; the rest (and unknown words) -> the OOV index
    assert small.texts_to_sequences(["the cat ate the mat"]) == [[2, 3, 1, 2, 1]]
    assert small.sequences_to_texts([[2, 3, 1, 0]]) == ["the cat <OOV>"]
    with pytest.raises(TypeError, match="list of texts"):
        tok.texts_to_sequences("the cat")
    with pytest.raises(ValueError, match="fit_on_texts"):
        Tokenizer().texts_to_sequences(["x"])


def test_text_vectorization_keras_semantics():
    vec = TextVectorization(output_sequence_length=5)
    vec.adapt(["The cat sat.", "the dog sat", "The bird!"])
    # the 3, sat 2, then ties by reverse alphabetical order (as Keras' lexsort)
    assert vec.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat", "bird"]
    out = vec(["The cat sat on the mat", "dog"])
    assert out.shape == (2, 5) and out.dtype == np.int32
    assert out.numpy().tolist() == [[2, 5, 3, 1, 2], [4, 0, 0, 0, 0]]
    assert vec("bird sat").shape == (5,)
    capped = TextVectorization(max_tokens=4)
    capped.adapt(["b a a c c c"])
    assert capped.get_vocabulary() == ["", "[UNK]", "c", "a"]
    assert capped(["c b", "a a a"]).numpy().tolist() == [[2, 1, 0], [3, 3, 3]]
    with pytest.raises(ValueError, match="adapt"):
        TextVectorization()(["x"])
    restored = TextVectorization(output_sequence_length=5)
    restored.set_vocabulary(vec.get_vocabulary())
    assert restored.get_vocabulary() == vec.get_vocabulary()
    assert restored(["The cat sat on the mat"]).numpy().tolist() == [[2, 5, 3, 1, 2]]
    with pytest.raises(ValueError, match="repeats a word"):
        restored.set_vocabulary(["a", "b", "a"])
    with pytest.raises(ValueError, match="Received: max_tokens=2"):
        TextVectorization(max_tokens=2)


def test_one_hot():
    np.testing.assert_array_equal(one_hot([0, 2, 1], 3), np.eye(3)[[0, 2, 1]])
    assert one_hot(np.array([[1], [0]]), 2).shape == (2, 1, 2)
    assert one_hot([3, 1]).shape == (2, 4)
    t = one_hot(tk.tensor([1, 0]), 2)
    assert isinstance(t, tk.Tensor) and t.dtype == np.float32
    with pytest.raises(ValueError, match=r"label 5 at index \(1,\) is outside 0\.\.2"):
        one_hot([1, 5], 3)
    with pytest.raises(ValueError, match=r"label -1"):
        one_hot([-1], 3)
    with pytest.raises(ValueError, match="whole-number"):
        one_hot([0.5], 3)


def test_train_test_split():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, seed=0)
    assert x_tr.shape == (7, 2) and x_te.shape == (3, 2) and y_te.shape == (3,)
    np.testing.assert_array_equal(x_te[:, 0] // 2, y_te)        # rows stay paired
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(10))
    again = train_test_split(x, y, test_size=0.3, seed=0)
    assert np.array_equal(again[3], y_te)
    a, b = train_test_split(list("abcde"), test_size=2, shuffle=False)
    assert a == ["c", "d", "e"] and b == ["a", "b"]
    tx, ty = tk.data.load_digits()
    parts = train_test_split(tx, ty, seed=1)
    assert parts[0].shape == (1437, 64) and isinstance(parts[3], tk.Tensor)
    with pytest.raises(ValueError, match=r"lengths are \[10, 9\]"):
        train_test_split(x, y[:9])
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(x, test_size=1.5)


def test_batches():
    x, y = np.arange(10), np.arange(10) * 10
    got = list(batches(x, y, batch_size=4))
    assert len(batches(x, y, batch_size=4)) == 3
    assert [b[0].tolist() for b in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all((bx * 10 == by).all() for bx, by in got)
    shuffled = batches(x, batch_size=3, shuffle=True, seed=0)
    first, second = [np.concatenate(list(shuffled)) for _ in range(2)]
    assert sorted(first.tolist()) == list(range(10)) and not np.array_equal(first, second)
    repeat = np.concatenate(list(batches(x, batch_size=3, shuffle=True, seed=0)))
    assert np.array_equal(first, repeat)
    tb = next(iter(batches(tk.ones((5, 2)), batch_size=2)))
    assert isinstance(tb, tk.Tensor) and tb.shape == (2, 2)
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        batches(x, batch_size=0)


def test_keras_utils_names():
    np.testing.assert_array_equal(tk.utils.to_categorical([[1], [2]], 3),
                                  [[0, 1, 0], [0, 0, 1]])             # a column of ids
    assert tk.utils.to_categorical(np.array([[0, 1], [2, 0]]), 3).shape == (2, 2, 3)
    tk.utils.set_random_seed(3)
    first = (random.random(), np.random.rand(), tk.random.normal((2,)).numpy())
    tk.utils.set_random_seed(3)
    again = (random.random(), np.random.rand(), tk.random.normal((2,)).numpy())
    assert first[:2] == again[:2] and np.array_equal(first[2], again[2])
    assert tk.utils.PyDataset is tk.data.PyDataset
