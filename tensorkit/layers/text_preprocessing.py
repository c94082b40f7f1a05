"""Text and category preprocessing layers, as Keras 3: TextVectorization, StringLookup,
IntegerLookup, CategoryEncoding and Discretization.

They learn a vocabulary (or bin boundaries) once with ``adapt(data)``, never by gradient
descent. Tensors hold numbers only, so the layers that take strings (TextVectorization,
StringLookup) run *before* the model, on a list or array of Python strings::

    vectorize = layers.TextVectorization(output_sequence_length=20)
    vectorize.adapt(train_texts)
    x = vectorize(train_texts)            # (N, 20) int32 ids -> Embedding -> ...

IntegerLookup, CategoryEncoding and Discretization take numbers and can sit in a model.
Keras' rules, recorded from Keras 3.15 (TensorFlow ops): the vocabulary is sorted by count,
ties by the token, high to low (strings by their UTF-8 bytes); "lower" lowercases ASCII
letters only and "whitespace" splits on ASCII whitespace only, as ``tf.strings`` does.
Left out: Hashing and ``num_oov_indices > 1`` for strings (both need TensorFlow's
FarmHash64), sparse and ragged outputs.
"""

import collections
import re

import numpy

from .. import ops
from ..tensor import Tensor, symbolic, tensor
from .base import Layer

__all__ = ["TextVectorization", "StringLookup", "IntegerLookup", "CategoryEncoding",
           "Discretization"]

# Keras' DEFAULT_STRIP_REGEX, and what tf.strings.split / lower treat as space and letters
_STRIP = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_SPACE = re.compile(r"[ \t\n\r\v\f]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_LEGACY_MODES = {"binary": "multi_hot", "tf-idf": "tf_idf"}


class NoVocabularyError(RuntimeError, ValueError):
    """A lookup called before it has a vocabulary (Keras raises a RuntimeError)."""


def _choice(who, arg, value, allowed, none=False, func=False):
    if (none and value is None) or (func and callable(value)) or value in allowed:
        return value
    extra = (", None" if none else "") + (" or a function" if func else "")
    raise ValueError(f"{who}: {arg} must be one of {list(allowed)}{extra}. "
                     f"Received: {arg}={value!r}")


def _no_tensorflow_only(who, sparse, ragged=False):
    for arg, value in (("sparse", sparse), ("ragged", ragged)):
        if value:
            raise ValueError(f"{who}: `{arg}=True` can only be used with the TensorFlow "
                             f"backend (as in Keras on JAX). Received: {arg}={value!r}")


def _strings(inputs, who):
    """Texts (str, list, tuple or array of str) -> a NumPy array of str."""
    if isinstance(inputs, Tensor):
        raise TypeError(
            f"{who} takes texts (a list or array of str), but got a tensor of shape "
            f"{inputs.shape}: tensorkit tensors hold numbers only. Fix: apply it before the "
            "model, on the raw texts: x = vectorize(texts); model.fit(x, y).")
    arr = numpy.asarray(inputs, dtype=object if isinstance(inputs, (list, tuple)) else None)
    if arr.dtype.kind == "S":
        return numpy.char.decode(arr, "utf-8").astype(object)
    if arr.dtype.kind == "U":
        return arr.astype(object)
    bad = next((v for v in arr.ravel() if not isinstance(v, (str, bytes))), None) \
        if arr.dtype.kind == "O" else (arr.ravel()[0] if arr.size else None)
    if bad is not None or arr.dtype.kind != "O":
        raise TypeError(f"{who} takes texts (str), but got {type(bad).__name__} values such as "
                        f"{bad!r:.40}. Fix: pass the raw strings; numbers that are already "
                        "token ids need no lookup (IntegerLookup maps integer categories).")
    return numpy.vectorize(lambda v: v.decode("utf-8") if isinstance(v, bytes) else v,
                           otypes=[object])(arr) if arr.size else arr


def _numbers(inputs, who):
    """A numeric layer's check that it was not given text."""
    if isinstance(inputs, str) or (isinstance(inputs, (list, tuple, numpy.ndarray)) and
                                   numpy.asarray(inputs, dtype=object).dtype.kind == "O" and
                                   any(isinstance(v, (str, bytes)) for v in
                                       numpy.asarray(inputs, dtype=object).ravel())):
        raise TypeError(f"{who} takes numbers, but got strings such as {inputs!r:.40}. Fix: "
                        "map strings to ids first with layers.StringLookup (categories) or "
                        "layers.TextVectorization (texts), before the model.")


def _batches(data):
    """adapt's data as Keras reads it: one array (or list), or an iterable of batches."""
    if isinstance(data, (list, tuple, numpy.ndarray, Tensor, str)):
        return None
    if hasattr(data, "__iter__"):
        return data
    raise TypeError(f"adapt expects an array or list of examples, or an iterable of batches. "
                    f"Received: {type(data).__name__}")


def encode(ids, mode, depth, dtype, count_weights=None, weights=None):
    """Keras' encode_categorical_inputs on NumPy ids: 'one_hot' (..., depth), 'multi_hot' and
    'count' reduce axis 1 (axis 0 of a rank-1 input: one sample); ids outside 0..depth-1
    count for nothing, as Keras' bincount and one_hot."""
    ids = numpy.asarray(ids)
    if ids.ndim == 0:
        ids = ids[None]
    if mode == "one_hot" and ids.ndim > 1 and ids.shape[-1] == 1:
        ids = ids[..., 0]
    hot = ids[..., None] == numpy.arange(depth)                     # (..., depth)
    if mode == "one_hot":
        return hot.astype(dtype)
    axis = 1 if ids.ndim > 1 else 0
    if mode == "multi_hot":
        return hot.any(axis=axis).astype(dtype)
    if count_weights is not None:
        hot = hot * numpy.asarray(count_weights)[..., None]
    out = hot.sum(axis=axis).astype(dtype if count_weights is None else numpy.float32)
    return out if weights is None else (out * weights).astype(numpy.float32)    # tf_idf


# ---- IndexLookup: what StringLookup, IntegerLookup and TextVectorization share --------------

class _IndexLookup(Layer):
    """Tokens <-> indices: [mask] [OOV...] then the vocabulary, by count (Keras' IndexLookup)."""

    _key = None                 # "string" or "int64"

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                 idf_weights, invert, output_mode, pad_to_max_tokens, sparse, **kwargs):
        who = type(self).__name__
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(**kwargs)
        output_mode = _LEGACY_MODES.get(output_mode, output_mode)
        _choice(who, "output_mode", output_mode, _MODES)
        if max_tokens is not None and (isinstance(max_tokens, bool) or
                                       not isinstance(max_tokens, int) or max_tokens <= 1):
            raise ValueError(f"{who}: if set, `max_tokens` must be greater than 1. "
                             f"Received: max_tokens={max_tokens!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{who}: if pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, int) or \
                num_oov_indices < 0:
            raise ValueError(f"{who}: `num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices!r}")
        if num_oov_indices > 1 and self._key == "string" and not invert:
            raise ValueError(f"{who}: num_oov_indices={num_oov_indices} spreads unknown strings "
                             "over OOV indices by TensorFlow's FarmHash64, which tensorkit does "
                             "not have. Fix: num_oov_indices=1 (or 0).")
        if invert and output_mode != "int":
            raise ValueError(f"{who}: `output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{who}: `idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: output_mode={output_mode}")
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(f"{who}: when specifying the `vocabulary` argument, in TF-IDF "
                             "output mode, the `idf_weights` argument must also be provided.")
        _no_tensorflow_only(who, sparse)
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode = bool(invert), output_mode
        self.pad_to_max_tokens, self.sparse = bool(pad_to_max_tokens), bool(sparse)
        if max_tokens is not None and max_tokens <= self._token_start():
            raise ValueError(f"{who}: max_tokens={max_tokens} leaves no room for any token: it "
                             f"counts the {self._token_start()} mask/OOV entries too. "
                             f"Received: max_tokens={max_tokens}. Fix: max_tokens="
                             f"{self._token_start() + 1} or more (or None).")
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._tokens, self._index, self._idf, self._frozen = None, {}, None, None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- the layout: index 0 the mask (int mode), then the OOV indices, then the tokens
    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen

    def vocabulary_size(self):
        """The vocabulary's size, mask and OOV indices included."""
        return self._token_start() + len(self._tokens or ())

    def get_vocabulary(self, include_special_tokens=True):
        vocab = [self.mask_token] * self._oov_start() + \
            [self.oov_token] * self.num_oov_indices + list(self._tokens or ())
        return vocab if include_special_tokens else vocab[self._token_start():]

    def _as_tokens(self, values):
        if self._key == "string":
            return [str(v) for v in _strings(values, type(self).__name__).ravel()]
        return [int(v) for v in numpy.asarray(values).ravel()]

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use this vocabulary (a list, array, or a text file with one token a line) and, for
        'tf_idf', one idf weight per token. A leading [mask, OOV...] run is taken as given."""
        who = type(self).__name__
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{who}: `idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{who}: `idf_weights` should only be set if output_mode is "
                             f"`'tf_idf'`. Received: output_mode={self.output_mode}")
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        vocab = self._as_tokens(vocabulary)
        if not vocab:
            raise ValueError(f"{who}: cannot set an empty vocabulary. "
                             f"Received: vocabulary={vocabulary!r}")
        start = self._token_start()
        special = [self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices
        found = vocab[:start] == special
        tokens = vocab[start:] if found else vocab
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{who}: the passed vocabulary has at least one repeated term (it "
                             f"repeats a word): {repeated}. Fix: pass distinct terms, e.g. "
                             "list(dict.fromkeys(words)).")
        for token, arg in ((self.mask_token, "mask_token"),
                           (self.oov_token if self.invert else None, "oov_token")):
            if token is not None and token in tokens:
                raise ValueError(f"{who}: found reserved {arg} {token!r} at an unexpected "
                                 "location in `vocabulary`. Either leave the mask and OOV tokens "
                                 "out, or put them only at the start in precisely this order: "
                                 f"{special}.")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"{who}: attempted to set a vocabulary larger than the maximum "
                             f"vocab size. Received vocabulary size is {start + len(tokens)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        idf = None
        if idf_weights is not None:
            idf_weights = numpy.asarray(idf_weights, dtype=numpy.float64)
            if idf_weights.ndim != 1 or len(idf_weights) != len(vocab):
                raise ValueError(f"{who}: `idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {idf_weights.size}; len(vocabulary) is "
                                 f"{len(vocab)}")
            front = 0 if found else start
            back = self.max_tokens - front - len(idf_weights) if self.pad_to_max_tokens else 0
            idf = numpy.pad(idf_weights, (front, back), constant_values=(
                numpy.average(idf_weights), 0)).astype(numpy.float32)
        self._set(tokens, idf)
        self._has_input_vocabulary = True

    def _set(self, tokens, idf):
        self._tokens, self._idf = list(tokens), idf
        self._index = {t: i for i, t in enumerate(self._tokens, self._token_start())}
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen is not None and self._frozen != self.vocabulary_size():
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               "`pad_to_max_tokens=False`, the vocabulary size cannot be changed "
                               f"after the layer is called. Old vocab size is {self._frozen}, new "
                               f"vocab size is {self.vocabulary_size()}")
        self._frozen = self.vocabulary_size()

    # ---- adapt
    def adapt(self, data, steps=None):
        """Learn the vocabulary from `data`: an array or list of tokens (each row one
        document), or an iterable of batches (each batch one document, as Keras)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` method.")
        counts, docs, n_docs = collections.Counter(), collections.Counter(), 0
        batches = _batches(data)
        if batches is None:
            rows = self._documents(data, expand=True)
        else:
            rows = []
            for i, batch in enumerate(batches):
                if steps is not None and i >= steps:
                    break
                rows += self._documents(batch, expand=False)
        for row in rows:
            counts.update(row)
            docs.update(set(row))
            n_docs += 1
        self._finish(counts, docs, n_docs)

    def _documents(self, data, expand):
        """A batch as documents (lists of tokens): a rank-1 array is N documents given all at
        once (Keras expands it to (N, 1)), but one document as a batch."""
        arr = numpy.asarray(data.numpy() if isinstance(data, Tensor) else data,
                            dtype=object if self._key == "string" else None)
        if self._key != "string":
            _numbers(data, type(self).__name__)
        if arr.ndim == 0 or (arr.ndim == 1 and not expand):
            arr = arr.reshape(1, -1)
        return [self._as_tokens(row) for row in arr.reshape(arr.shape[0], -1)]

    def _finish(self, counts, docs, n_docs):
        if not counts:
            return                                  # Keras keeps the vocabulary it had
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        key = (lambda t: (counts[t], t.encode())) if self._key == "string" else \
            (lambda t: (counts[t], t))
        tokens = sorted(counts, key=key, reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start()]
        idf = None
        if self.output_mode == "tf_idf":
            df = numpy.array([docs[t] for t in tokens], numpy.float64)
            idf = numpy.log(1 + n_docs / (1 + df)).astype(numpy.float32)
            back = self.max_tokens - self._token_start() - len(idf) \
                if self.pad_to_max_tokens else 0
            idf = numpy.pad(idf, (self._token_start(), back),
                            constant_values=(idf.mean(dtype=numpy.float32), 0))
        self._set(tokens, idf)

    # ---- lookup
    def _lookup(self, values):
        """An array of tokens -> an int64 array of indices (Keras' _lookup_dense)."""
        who = type(self).__name__
        if self._tokens is None:
            raise NoVocabularyError(f"This {who} has no vocabulary yet (Keras: 'Table not "
                                    "initialized'). Fix: call layer.adapt(data) first, or pass "
                                    "vocabulary=[...].")
        flat = values.ravel()
        start, n_oov = self._oov_start(), self.num_oov_indices
        mask = 0 if self.output_mode == "int" else numpy.iinfo(numpy.int64).max
        out = numpy.empty(flat.shape, numpy.int64)
        for i, token in enumerate(flat):
            token = token if self._key == "string" else int(token)
            index = self._index.get(token)
            if self.mask_token is not None and token == self.mask_token:
                index = mask
            elif index is None:
                if n_oov == 0:
                    raise ValueError(f"{who}: when `num_oov_indices=0` all inputs should be in "
                                     f"vocabulary, found OOV value {token!r}. Fix: consider "
                                     "setting `num_oov_indices=1`.")
                index = start + (token % n_oov if n_oov > 1 else 0)
            out[i] = index
        return out.reshape(values.shape)

    def _invert(self, ids):
        vocab = self.get_vocabulary()
        dtype = object if self._key == "string" else numpy.int64
        out = numpy.empty(ids.shape, dtype)
        for i, index in numpy.ndenumerate(ids):
            if self.mask_token is not None and index == 0:
                out[i] = self.mask_token
            elif self._token_start() <= index < len(vocab):
                out[i] = vocab[index]
            else:
                out[i] = self.oov_token
        return out

    def _encode(self, ids):
        """Indices -> the output: int ids, or one/multi-hot, counts, tf-idf rows."""
        if self.output_mode == "int":
            return ids.astype(numpy.int32)
        if self._depth() is None:
            raise NoVocabularyError(f"When using `output_mode={self.output_mode}` and "
                                    "`pad_to_max_tokens=False`, you must set the layer's "
                                    "vocabulary before calling it. Either pass a `vocabulary` "
                                    "argument to the layer, or call `adapt` with some sample "
                                    "data.")
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return encode(ids, mode, self._depth(), numpy.int32, weights=self._idf)

    def _out_shape(self, shape):
        """Keras' compute_output_shape of a lookup."""
        if self.output_mode == "int":
            return tuple(shape)
        depth = self._depth()
        if self.output_mode == "one_hot":
            return (tuple(shape[:-1]) if len(shape) > 1 and shape[-1] == 1 else
                    tuple(shape)) + (depth,)
        return tuple(shape[:-1]) + (depth,)

    def get_config(self):
        vocab = self.input_vocabulary
        if vocab is None and self._tokens is not None:      # adapted: kept in the config
            vocab = list(self._tokens)
        elif vocab is not None:
            vocab = numpy.asarray(vocab).tolist()
        idf = self.input_idf_weights
        if idf is None and self._idf is not None:
            idf = self._idf[self._token_start():self.vocabulary_size()].tolist()
        elif idf is not None:
            idf = numpy.asarray(idf).tolist()
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self._key, "idf_weights": idf, "vocabulary": vocab,
                "vocabulary_size": self._frozen}


class StringLookup(_IndexLookup):
    """Strings -> indices: ``[UNK]`` is 0, then the vocabulary by frequency (Keras 3).

    Takes a list or array of str (any shape) *before* the model: tensors hold numbers only.
    ``output_mode``: 'int' (int32 ids, same shape), 'one_hot', 'multi_hot', 'count' (int32
    rows of vocabulary_size()), 'tf_idf' (float32). ``invert=True`` maps ids back to strings
    (a NumPy array of str). ``mask_token`` (e.g. "") maps to 0 in 'int' mode.
    """

    _key = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", salt=None, **kwargs):
        if encoding not in ("utf-8", "UTF-8", "utf8"):
            raise ValueError(f"StringLookup reads UTF-8 text. Received: encoding={encoding!r}")
        _choice("StringLookup", "oov_method", kwargs.pop("oov_method", "floormod"),
                ("floormod", "farmhash"))     # strings are always hashed: only with n > 1 OOVs
        if salt is not None:
            raise ValueError("StringLookup: salt hashes unknown strings with TensorFlow's "
                             "FarmHash64, which tensorkit does not have. Fix: salt=None. "
                             f"Received: salt={salt!r}")
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse, **kwargs)

    def __call__(self, inputs, *args, **kwargs):
        if self.invert:
            if isinstance(inputs, Tensor) and inputs.data is None:
                raise TypeError("StringLookup(invert=True) gives strings, which tensors cannot "
                                "hold. Fix: apply it after the model, on its predicted ids.")
            ids = numpy.asarray(inputs.numpy() if isinstance(inputs, Tensor) else inputs)
            if ids.dtype.kind not in "iu":
                raise TypeError(f"StringLookup(invert=True) takes integer ids. Received "
                                f"{ids.dtype} values.")
            return self._invert(ids)
        values = _strings(inputs, "StringLookup")
        return tensor(self._encode(self._lookup(values)))

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding, "oov_method": "floormod",
                "salt": None}


class IntegerLookup(_IndexLookup):
    """Integer categories -> contiguous indices: OOV (-1) is 0, then the vocabulary by
    frequency (Keras 3). ``num_oov_indices > 1`` spreads unknown values as ``value % n``.
    ``invert=True`` maps indices back to the values. Works inside a model (no gradient)."""

    _key = "int64"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError("IntegerLookup: vocabulary_dtype must be 'int64' (or 'int32'). "
                             f"Received: vocabulary_dtype={vocabulary_dtype!r}")
        if oov_method != "floormod" or salt is not None:
            raise ValueError("IntegerLookup: oov_method='farmhash' and salt need TensorFlow's "
                             "FarmHash64, which tensorkit does not have. Fix: leave "
                             f"oov_method='floormod', salt=None. Received: "
                             f"oov_method={oov_method!r}, salt={salt!r}")
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse, **kwargs)

    def __call__(self, inputs, *args, **kwargs):
        _numbers(inputs, "IntegerLookup")
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        if inputs.data is None:
            dtype = "float32" if self.output_mode == "tf_idf" else "int32"
            return symbolic(self._out_shape(inputs.shape), dtype=dtype)
        values = numpy.trunc(inputs.numpy()).astype(numpy.int64)   # as Keras' cast
        if self.invert:
            return tensor(self._invert(values).astype(numpy.int32))
        return tensor(self._encode(self._lookup(values)))

    def get_config(self):
        return {**super().get_config(), "oov_method": "floormod", "salt": None}


# ---- TextVectorization ---------------------------------------------------------------------

class TextVectorization(Layer):
    """Texts -> token ids (or multi-hot / count / tf-idf rows), as Keras 3's layer.

    ``adapt(texts)`` learns the vocabulary; ``get_vocabulary()`` is ``["", "[UNK]", ...]``
    (index 0 padding, 1 any unknown token), then tokens by frequency, ties high to low.
    ``max_tokens`` counts those two. Each text is standardized ('lower_and_strip_punctuation',
    'lower', 'strip_punctuation', None or a function of a NumPy array of str), split
    ('whitespace', 'character', None or a function of that array giving lists of tokens) and,
    with ``ngrams=n`` (or a tuple of sizes), joined into n-grams. Output of N texts:
    'int' -> int32 (N, T): padded at the end to ``output_sequence_length`` or the longest
    text; 'multi_hot' / 'count' -> int32 (N, V); 'tf_idf' -> float32 (N, V).

    Apply it before the model (tensors hold numbers only): ``x = vectorize(texts)``.
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        who = "TextVectorization"
        has_vocab = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **{k: v for k, v in kwargs.items() if k != "dtype"})
        _no_tensorflow_only(who, sparse, ragged)
        _choice(who, "standardize", standardize,
                ("lower_and_strip_punctuation", "lower", "strip_punctuation"), True, True)
        _choice(who, "split", split, ("whitespace", "character"), True, True)
        output_mode = _LEGACY_MODES.get(output_mode, output_mode)
        _choice(who, "output_mode", output_mode, _MODES)
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int) and not isinstance(ngrams, bool) and
                ngrams >= 1 or isinstance(ngrams, tuple) and ngrams and
                all(isinstance(n, int) and n >= 1 for n in ngrams)):
            raise ValueError(f"{who}: `ngrams` must be None, an integer, or a tuple of "
                             f"integers. Received: ngrams={ngrams!r}")
        if output_mode == "int" and output_sequence_length is not None and (
                isinstance(output_sequence_length, bool) or
                not isinstance(output_sequence_length, int) or output_sequence_length < 1):
            raise ValueError(f"{who}: `output_sequence_length` must be either None or a "
                             "positive integer when `output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length!r}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"{who}: `output_sequence_length` must not be set if "
                             "`output_mode` is not 'int'. "
                             f"Received output_sequence_length={output_sequence_length}.")
        if output_mode == "one_hot" and split is not None:
            raise ValueError(f"{who}: output_mode='one_hot' gives one row per token, which "
                             "needs split=None here (each text one token). Fix: "
                             "output_mode='multi_hot' or 'count' for one row per text.")
        if encoding not in ("utf-8", "UTF-8", "utf8"):
            raise ValueError(f"{who} reads UTF-8 text. Received: encoding={encoding!r}")
        self.max_tokens, self.standardize, self.split = max_tokens, standardize, split
        self.ngrams, self.output_mode = ngrams, output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens, self.encoding = bool(pad_to_max_tokens), encoding
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._lookup = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary,
                                    idf_weights=idf_weights, pad_to_max_tokens=pad_to_max_tokens,
                                    mask_token="", output_mode=output_mode,
                                    has_input_vocabulary=has_vocab,
                                    name=f"{self.name}_string_lookup")

    # ---- text -> tokens
    def _standardized(self, texts):
        if callable(self.standardize):
            out = numpy.asarray(self.standardize(texts.astype(str)), dtype=object)
            return _strings(out, "TextVectorization's standardize function")
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            texts = numpy.vectorize(lambda t: t.translate(_ASCII_LOWER), otypes=[object])(texts)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            texts = numpy.vectorize(lambda t: _STRIP.sub("", t), otypes=[object])(texts)
        return texts

    def _tokens(self, inputs):
        """Texts -> (token array or list of token lists per text, whether one text)."""
        texts = _strings(inputs, "TextVectorization")
        if texts.size:
            texts = self._standardized(texts)
        if self.split is None:
            if self._ngrams is not None:
                raise ValueError("TextVectorization: ngrams need split='whitespace', "
                                 "'character' or a function here.")
            return texts, False
        single = texts.ndim == 0
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError("When using `TextVectorization` to tokenize strings, the "
                                 "input rank must be 1 or the last shape dimension must be 1. "
                                 f"Received: inputs.shape={texts.shape} with "
                                 f"rank={texts.ndim}")
            texts = texts[..., 0]
        flat = texts.reshape(-1)
        if self.split == "whitespace":
            rows = [[w for w in _SPACE.split(t) if w] for t in flat]
        elif self.split == "character":
            rows = [list(t) for t in flat]
        else:
            rows = [[str(w) for w in row] for row in self.split(flat.astype(str))]
        if self._ngrams is not None:
            rows = [[" ".join(row[i:i + n]) for n in self._ngrams
                     for i in range(len(row) - n + 1)] for row in rows]
        return rows, single

    # ---- vocabulary
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and, for 'tf_idf', each token's document frequency) from
        texts: a list or array of str, or an iterable of batches of them."""
        lookup = self._lookup
        if lookup._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` method.")
        batches = _batches(data)
        counts, docs, n_docs = collections.Counter(), collections.Counter(), 0
        for i, batch in enumerate([data] if batches is None else batches):
            if batches is not None and steps is not None and i >= steps:
                break
            texts = _strings(batch, "TextVectorization.adapt")
            if batches is None and texts.ndim == 1:
                texts = texts[:, None]
            rows, single = self._tokens(texts)
            rows = [rows] if single else rows
            if self.split is None:
                rows = [list(numpy.atleast_1d(r).ravel()) for r in numpy.atleast_2d(rows)]
            for row in rows:
                counts.update(row)
                docs.update(set(row))
                n_docs += 1
        lookup._finish(counts, docs, n_docs)

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use a vocabulary saved earlier (a leading '', '[UNK]' pair is taken as given, so
        another layer's get_vocabulary() round-trips); 'tf_idf' needs idf_weights too."""
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    # ---- call
    def __call__(self, inputs, *args, **kwargs):
        """N texts -> (N, T) int32 ids (or (N, V) rows); one string -> (T,)."""
        rows, single = self._tokens(inputs)
        lookup = self._lookup
        if self.split is None:
            ids = lookup._lookup(rows)
            if self.output_mode == "int" and self.output_sequence_length is not None:
                n = self.output_sequence_length
                ids = ids[..., :n]
                ids = numpy.pad(ids, [(0, 0)] * (ids.ndim - 1) + [(0, n - ids.shape[-1])])
            return tensor(lookup._encode(ids))
        ids = [lookup._lookup(numpy.array(row, dtype=object)) for row in rows]
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max((len(r) for r in ids), default=0)
            out = numpy.zeros((len(ids), length), numpy.int32)        # (N, T), padded at the end
            for i, r in enumerate(ids):
                out[i, :min(len(r), length)] = r[:length]
            return tensor(out[0] if single else out)
        if lookup._depth() is None:
            lookup._encode(numpy.zeros(0, numpy.int64))              # Keras' no-vocabulary error
        rows_out = [lookup._encode(r[None, :]) if len(r) else
                    lookup._encode(numpy.zeros((1, 0), numpy.int64)) for r in ids]
        out = numpy.concatenate(rows_out, axis=0)                     # (N, V)
        return tensor(out[0] if single else out)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._lookup._depth())

    def get_config(self):
        inner = self._lookup.get_config()
        return {"name": self.name, "trainable": self.trainable, "dtype": "float32",
                "max_tokens": self.max_tokens, "standardize": self.standardize,
                "split": self.split, "ngrams": self.ngrams, "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": False, "ragged": False,
                "vocabulary": inner["vocabulary"], "idf_weights": inner["idf_weights"],
                "encoding": self.encoding, "vocabulary_size": self.vocabulary_size()}

    def __repr__(self):
        return (f"<TextVectorization name={self.name}, vocabulary_size="
                f"{self.vocabulary_size()}, output_mode={self.output_mode!r}>")


# ---- numbers -> categories -----------------------------------------------------------------

class CategoryEncoding(Layer):
    """Integer ids in 0..num_tokens-1 -> float32 rows of num_tokens: 'one_hot' (a row per id),
    'multi_hot' (1 where an id occurs in the sample), 'count' (how often; optionally weighted
    by ``count_weights``). A rank-1 input is one sample for 'multi_hot' and 'count', as Keras.
    An id outside 0..num_tokens-1 is an error here (Keras gives it no column)."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = _LEGACY_MODES.get(output_mode, output_mode)
        _choice("CategoryEncoding", "output_mode", output_mode, ("count", "one_hot", "multi_hot"))
        if num_tokens is None:
            raise ValueError("CategoryEncoding: num_tokens must be set to use this layer. If "
                             "the number of tokens is not known beforehand, use the "
                             "IntegerLookup layer instead.")
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, int) or num_tokens < 1:
            raise ValueError("CategoryEncoding: `num_tokens` must be >= 1. "
                             f"Received: num_tokens={num_tokens!r}.")
        _no_tensorflow_only("CategoryEncoding", sparse)
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, False

    def __call__(self, inputs, *args, **kwargs):
        _numbers(inputs, "CategoryEncoding")
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("CategoryEncoding: `count_weights` is not used when `output_mode` "
                             f"is not `'count'`. Received `count_weights={count_weights}`.")
        ids = ops.cast(inputs, "int32")
        if ids.ndim == 0:
            ids = ops.reshape(ids, (1,))
        if self.output_mode == "one_hot" and ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ops.squeeze(ids, -1)
        hot = ops.one_hot(ids, self.num_tokens, dtype=self.dtype.name)   # (..., V)
        if self.output_mode == "one_hot":
            return hot
        axis = 1 if ids.ndim > 1 else 0                                  # (N, T, V) -> (N, V)
        if self.output_mode == "multi_hot":
            return ops.max(hot, axis=axis)
        if count_weights is not None:
            weights = count_weights if isinstance(count_weights, Tensor) else \
                tensor(numpy.asarray(count_weights, numpy.float32))
            hot = hot * ops.expand_dims(ops.cast(weights, self.dtype.name), -1)
        return ops.sum(hot, axis=axis)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": False}


class Discretization(Layer):
    """Numbers -> bucket ids by ``bin_boundaries`` (x < b0 -> 0, b0 <= x < b1 -> 1, ...), or
    boundaries learned by ``adapt(data)`` as ``num_bins`` approximate quantiles (Keras' own
    summary algorithm, ``epsilon`` its tolerance). 'int' gives int32 ids; 'one_hot',
    'multi_hot' and 'count' float32 rows of len(bin_boundaries) + 1."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype or "float32", **kwargs)
        _choice("Discretization", "output_mode", output_mode,
                ("int", "one_hot", "multi_hot", "count"))
        _no_tensorflow_only("Discretization", sparse)
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(num_bins, int)
                                     or num_bins < 0):
            raise ValueError("Discretization: `num_bins` must be greater than or equal to 0. "
                             f"Received: `num_bins={num_bins!r}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Discretization: both `num_bins` and `bin_boundaries` should not "
                             f"be set. Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: you need to set either `num_bins` or "
                             "`bin_boundaries`.")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in bin_boundaries]
            if any(b > c for b, c in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError("Discretization: bin_boundaries must be sorted (increasing). "
                                 f"Received: bin_boundaries={bin_boundaries}")
        self.bin_boundaries, self.num_bins = bin_boundaries, num_bins
        self.epsilon, self.output_mode, self.sparse = epsilon, output_mode, False
        self.summary = None if bin_boundaries else numpy.zeros((2, 0), numpy.float32)

    def adapt(self, data, steps=None):
        """Estimate num_bins quantile boundaries from an array, or from batches."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        _numbers(data, "Discretization.adapt")
        summary = numpy.zeros((2, 0), numpy.float32)
        batches = _batches(data)
        for i, batch in enumerate([data] if batches is None else batches):
            if batches is not None and steps is not None and i >= steps:
                break
            batch = batch.numpy() if isinstance(batch, Tensor) else batch
            values = numpy.array(batch).astype("float32")
            summary = _merge(_summarize(values, self.epsilon), summary, self.epsilon)
        self.summary = summary
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def __call__(self, inputs, *args, **kwargs):
        _numbers(inputs, "Discretization")
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        x = ops.cast(inputs, "float32")
        bounds = tensor(numpy.asarray(self.bin_boundaries, numpy.float32))
        # np.digitize: how many boundaries are <= x          (...) -> (..., B) -> (...)
        ids = ops.sum(ops.cast(ops.greater_equal(ops.expand_dims(x, -1), bounds), "int32"),
                      axis=-1)
        if self.output_mode == "int":
            return ops.cast(ids, "int32")
        depth = len(self.bin_boundaries) + 1
        if ids.ndim == 0:
            ids = ops.reshape(ids, (1,))
        if self.output_mode == "one_hot" and ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ops.squeeze(ids, -1)
        hot = ops.one_hot(ids, depth, dtype=self.dtype.name)
        if self.output_mode == "one_hot":
            return hot
        axis = 1 if ids.ndim > 1 else 0
        return ops.max(hot, axis=axis) if self.output_mode == "multi_hot" else \
            ops.sum(hot, axis=axis)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": False,
                "name": self.name, "dtype": str(self.dtype), "trainable": self.trainable}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")            # adapted: keep them, as Keras
            layer = cls(**config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(**config)


# Keras' quantile summary (keras/src/layers/preprocessing/discretization.py), step for step
def _summarize(values, epsilon):
    values = numpy.sort(numpy.reshape(values, [-1]))
    step = max(numpy.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return numpy.stack([boundaries, numpy.ones_like(boundaries) * step])


def _merge(prev, nxt, epsilon):
    merged = numpy.concatenate((prev, nxt), axis=1)
    merged = numpy.take(merged, numpy.argsort(merged[0]), axis=1)
    return _compress(merged, epsilon)


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + numpy.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = numpy.interp(percents, cum_percents, summary[0])
    cum_weights = numpy.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - numpy.concatenate((numpy.array([0]), cum_weights[:-1]))
    return numpy.stack((new_bins, new_weights)).astype("float32")
