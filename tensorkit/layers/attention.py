"""Attention layers: dot-product Attention, AdditiveAttention, MultiHeadAttention and
GroupQueryAttention, as in Keras 3.

All return, on request, the attention scores (the softmax weights) so a lesson can draw
them as a heatmap: (batch, query_len, key_len) for Attention and AdditiveAttention,
(batch, heads, query_len, key_len) for the multi-head layers. Masks: a key/value mask
(Embedding(mask_zero=True) sets one) hides padded keys, a query mask zeroes padded
queries' outputs (Attention) and use_causal_mask=True lets position i look only at
positions <= i.
"""

import math

import numpy

from .. import initializers, ops
from ..errors import ShapeError, format_shape
from ..tensor import Tensor, tensor
from .base import Layer, check_seed, get_initializer, unique_name
from .core import _einsum_dense_terms, _einsum_dense_weights, _positive_int, _rng

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention"]

_NEG = -1.0e9                          # Keras' "large negative" for masked scores (float32)


def _as_bool(mask):
    if mask is None:
        return None
    mask = mask if isinstance(mask, Tensor) else tensor(mask)
    return mask if mask.dtype == numpy.bool_ else ops.not_equal(mask, 0)


def _and(a, b):
    return b if a is None else a if b is None else ops.logical_and(a, b)


def _lengths(q_len, k_len, what):
    if q_len is None or k_len is None:
        raise ShapeError(f"{what} needs the sequence lengths, but they are unknown "
                         f"(query length {q_len}, key length {k_len}).",
                         expected="inputs with a known time axis",
                         fix="give the Input its length, e.g. tk.Input(shape=(20, 16)).")


def _causal(q_len, k_len):
    """(Tq, Tk) booleans: query i sees keys j <= i."""
    _lengths(q_len, k_len, "use_causal_mask")
    return tensor(numpy.tril(numpy.ones((q_len, k_len), dtype=bool)))


def _band(q_len, k_len, window):
    """(Tq, Tk) booleans: query i sees keys j with |i - j| < window (Keras' sliding_window)."""
    _lengths(q_len, k_len, "sliding_window")
    i, j = numpy.ogrid[:q_len, :k_len]
    return tensor(numpy.abs(i - j) < window)


def _masked_softmax(scores, mask):
    """softmax over keys, with masked-out keys (mask False) at a score of -1e9."""
    if mask is not None:
        scores = ops.where(mask, scores, _NEG)
    return ops.softmax(scores, axis=-1)


def _head_weights(scores, keep, zero_masked):
    """The multi-head layers' softmax: scores (B, heads, Tq, Tk), keep (B, Tq, Tk) or any
    shape that broadcasts to it, or None. zero_masked: Keras 3 then takes its explicit path
    (scores returned, or dropout), whose softmax also zeroes masked weights, so a query that
    sees no key (a padded one) gets weights 0, not 1/Tk."""
    keep = None if keep is None else ops.expand_dims(keep, -3)    # -> (B, 1, Tq, Tk)
    weights = _masked_softmax(scores, keep)                       # (B, heads, Tq, Tk)
    return ops.where(keep, weights, 0.0) if keep is not None and zero_masked else weights


class Attention(Layer):
    """Dot-product attention (Luong style): ``softmax(query @ key^T) @ value``.

    Called on ``[query, value]`` or ``[query, value, key]`` (key defaults to value):
    query (batch, Tq, dim), value and key (batch, Tv, dim) -> (batch, Tq, dim).
    use_scale adds a learned scalar "scale" on the scores; score_mode="concat" scores with
    ``sum(tanh(query + key))`` instead (Bahdanau style). ``return_attention_scores=True``
    in call also returns the weights (batch, Tq, Tv).
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Attention expects score_mode 'dot' or 'concat'. Received: "
                             f"score_mode={score_mode!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout < 1:
            raise ValueError(f"{type(self).__name__} expects dropout in [0, 1): the fraction "
                             f"of attention weights to drop. Received: dropout={dropout!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout, self.seed = float(dropout), check_seed(self, seed)
        self.supports_masking = True

    def build(self, input_shape):
        _check_inputs(self, input_shape, "Attention")
        self.scale = self.add_weight("scale", (), "ones") if self.use_scale else None
        self.concat_score_weight = self.add_weight("concat_score_weight", (), "ones") \
            if self.score_mode == "concat" else None

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        _check_inputs(self, [t.shape for t in inputs], type(self).__name__)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask, v_mask = (list(mask) + [None, None])[:2] if mask is not None else (None, None)
        scores = self._scores(q, k)                     # (B, Tq, Tv)
        keep = _as_bool(v_mask)
        keep = None if keep is None else ops.expand_dims(keep, 1)   # (B, Tv) -> (B, 1, Tv)
        if use_causal_mask:
            keep = _and(keep, _causal(q.shape[1], k.shape[1]))
        if keep is not None:
            # lowered by 1e9 as in Keras' Attention (MHA sets -1e9): the two differ only for
            # a query that sees no key, whose scores then still get a gradient
            scores = ops.where(keep, scores, scores - 1.0e9)
        weights = ops.softmax(scores, axis=-1)           # (B, Tq, Tv)
        attn = weights
        if training and self.dropout:
            attn = ops.dropout(weights, self.dropout)
        out = attn @ v                                  # (B, Tq, Tv) @ (B, Tv, d) -> (B, Tq, d)
        if q_mask is not None:
            out = out * ops.cast(ops.expand_dims(_as_bool(q_mask), -1), out.dtype)
        return (out, weights) if return_attention_scores else out

    def _scores(self, q, k):
        if self.score_mode == "dot":
            scores = q @ ops.transpose(k, (0, 2, 1))   # (B, Tq, d) @ (B, d, Tv) -> (B, Tq, Tv)
            return scores if self.scale is None else scores * self.scale
        qk = ops.expand_dims(q, 2) + ops.expand_dims(k, 1)       # -> (B, Tq, Tv, d)
        if self.scale is not None:
            qk = qk * self.scale
        return self.concat_score_weight * ops.sum(ops.tanh(qk), axis=-1)

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, list) else None

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau style): scores ``sum(scale * tanh(query + key))`` over
    the features, then as Attention: ``softmax(scores) @ value``, with the same inputs,
    masks, use_causal_mask and return_attention_scores. use_scale (on by default) learns
    one "scale" per feature, (dim,)."""

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        _check_inputs(self, input_shape, "AdditiveAttention")
        self.scale = self.add_weight("scale", (input_shape[0][-1],), "glorot_uniform") \
            if self.use_scale else None

    def _scores(self, q, k):
        qk = ops.tanh(ops.expand_dims(q, 2) + ops.expand_dims(k, 1))   # -> (B, Tq, Tv, d)
        return ops.sum(qk if self.scale is None else self.scale * qk, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


def _check_inputs(layer, shapes, cls):
    if not isinstance(shapes, list) or len(shapes) not in (2, 3) or \
            any(len(s) != 3 for s in shapes):
        given = shapes if not isinstance(shapes, list) else \
            ", ".join(format_shape(s) for s in shapes)
        raise ShapeError(f"{cls} takes [query, value] or [query, value, key], each (batch, "
                         f"time, features). Received: {given}.",
                         expected="a list of 2 or 3 tensors of rank 3",
                         fix="call it as layer([query, value]); for self-attention "
                             "layer([x, x]).", op=cls, layer=layer.name)
    q, v = shapes[0], shapes[1]
    k = shapes[2] if len(shapes) > 2 else v
    if q[-1] is not None and k[-1] is not None and q[-1] != k[-1]:
        raise ShapeError(f"query features {q[-1]} != key features {k[-1]}: dot-product "
                         "scores need equal sizes.", expected=f"key (batch, Tv, {q[-1]})",
                         fix="project one of them with Dense first, or use "
                             "MultiHeadAttention, which projects both.",
                         op=cls, shapes=tuple(shapes), layer=layer.name)
    if k[1] is not None and v[1] is not None and k[1] != v[1]:
        raise ShapeError(f"key length {k[1]} != value length {v[1]}.",
                         expected="one key per value", fix="pass keys and values of one "
                         "sequence.", op=cls, shapes=tuple(shapes), layer=layer.name)


def _with_fans(init, ins, outs):
    """A glorot/he-like (VarianceScaling) initializer that counts the kernel axes `ins` as its
    fan in and `outs` as its fan out, as Keras' EinsumDense does for attention kernels; other
    initializers as they are."""
    if isinstance(init, initializers.VarianceScaling) and init.input_axes is None:
        return type(init).from_config({**init.get_config(), "input_axes": tuple(ins),
                                       "output_axes": tuple(outs)})
    return init


class _QueryValueKey(Layer):
    """What the multi-head layers share: Keras' call(query, value, key=None, ...), their
    checks of the three inputs and their output's mask (the query's)."""

    _short = "layer"                                   # what error messages call an instance

    def __call__(self, query, value=None, key=None, **kwargs):
        """Keras' call signature; the tensors travel as one list so that masks and
        functional models see all of them."""
        if isinstance(query, list):                    # a functional model replaying a call
            query, value, key = (list(query) + [None, None])[:3]
        if value is None:
            short = self._short
            raise TypeError(f"{type(self).__name__} needs a value: {short}(query, value); "
                            f"for self-attention {short}(x, x).")
        return super().__call__([query, value] if key is None else [query, value, key],
                                **kwargs)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        """Keras' (query_shape, value_shape, key_shape=None), or one list of the shapes."""
        shapes = list(query_shape) if value_shape is None else \
            [query_shape, value_shape] + ([] if key_shape is None else [key_shape])
        return super().compute_output_shape([tuple(s) for s in shapes])

    def _check_shapes(self, shapes):
        """query, value and key: rank 3 with known features; keys and values pair up."""
        kind = type(self).__name__
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) > 2 else v
        for name, s in (("query", q), ("value", v), ("key", k)):
            if len(s) != 3 or s[-1] is None:
                raise ShapeError(f"the {name} has shape {format_shape(s)}, rank {len(s)}, "
                                 f"but {kind} needs rank 3.",
                                 expected="(batch, time, features) with features known",
                                 fix="pass sequences of vectors; for token ids add an "
                                     "Embedding first.", op=kind, layer=self.name)
        if k[1] is not None and v[1] is not None and k[1] != v[1]:
            raise ShapeError(f"the key has {k[1]} steps but the value {v[1]}.",
                             expected="one key per value: key (batch, Tv, features)",
                             fix="pass keys and values of one sequence.", op=kind,
                             shapes=(q, v, k), layer=self.name)
        return q, v, k

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, list) else None


class MultiHeadAttention(_QueryValueKey):
    """Multi-head attention as Keras 3's: project query, key and value into `num_heads`
    heads, attend in each head, and project the heads back.

    Weights (get_weights order): query kernel (dim, heads, key_dim) and bias (heads,
    key_dim), key kernel and bias, value kernel (dim, heads, value_dim) and bias, output
    kernel (heads, value_dim, out_dim) and bias (out_dim,). Call:
    ``mha(query, value, key=None, attention_mask=None, return_attention_scores=False,
    use_causal_mask=False)``; scores are (batch, heads, Tq, Tk).
    """

    _short = "mha"
    regularized = {"kernel_regularizer": "kernel", "bias_regularizer": "bias"}  # + constraints

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = _positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.key_dim = _positive_int("MultiHeadAttention", "key_dim", key_dim)
        self.value_dim = key_dim if value_dim is None else \
            _positive_int("MultiHeadAttention", "value_dim", value_dim)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention expects dropout in [0, 1). Received: "
                             f"dropout={dropout!r}")
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self.seed = check_seed(self, seed)
        if isinstance(output_shape, (tuple, list)):
            if len(output_shape) != 1:
                raise ValueError("MultiHeadAttention supports an output_shape of one size "
                                 f"(the last axis). Received: output_shape={output_shape}")
            output_shape = output_shape[0]
        self._output_dim = None if output_shape is None else \
            _positive_int("MultiHeadAttention", "output_shape", output_shape)
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        q, v, k = self._check_shapes(input_shape)
        h, kd, vd = self.num_heads, self.key_dim, self.value_dim
        out_dim = self._output_dim or q[-1]
        def w(name, shape, init):                   # kernels and biases take their penalties
            kind = "kernel" if name.endswith("kernel") else "bias"
            return self.add_weight(name, shape, init,
                                   regularizer=getattr(self, f"{kind}_regularizer"),
                                   constraint=getattr(self, f"{kind}_constraint"))

        # Keras' EinsumDense fans: (dim) in, (heads, head_dim) out; the output the reverse
        into_heads = _with_fans(self.kernel_initializer, (0,), (1, 2))
        self.query_kernel = w("query/kernel", (q[-1], h, kd), into_heads)
        self.query_bias = w("query/bias", (h, kd), self.bias_initializer) \
            if self.use_bias else None
        self.key_kernel = w("key/kernel", (k[-1], h, kd), into_heads)
        self.key_bias = w("key/bias", (h, kd), self.bias_initializer) if self.use_bias else None
        self.value_kernel = w("value/kernel", (v[-1], h, vd), into_heads)
        self.value_bias = w("value/bias", (h, vd), self.bias_initializer) \
            if self.use_bias else None
        self.output_kernel = w("attention_output/kernel", (h, vd, out_dim),
                               _with_fans(self.kernel_initializer, (0, 1), (2,)))
        self.output_bias = w("attention_output/bias", (out_dim,), self.bias_initializer) \
            if self.use_bias else None

    @staticmethod
    def _heads(x, kernel, bias):
        """(B, T, dim) -> (B, heads, T, head_dim) with kernel (dim, heads, head_dim)."""
        y = ops.expand_dims(x, 1) @ ops.transpose(kernel, (1, 0, 2))  # (B,1,T,d)@(h,d,k)
        return y if bias is None else y + ops.expand_dims(bias, 1)    # + (h, 1, k)

    def call(self, inputs, mask=None, attention_mask=None, return_attention_scores=False,
             training=False, use_causal_mask=False):
        q_in, v_in = inputs[0], inputs[1]
        k_in = inputs[2] if len(inputs) > 2 else v_in
        masks = (list(mask) + [None] * 3)[:3] if mask is not None else [None] * 3
        q_mask, v_mask = masks[0], masks[1]
        k_mask = masks[2] if len(inputs) > 2 else None
        q = self._heads(q_in, self.query_kernel, self.query_bias)     # -> (B, h, Tq, kd)
        k = self._heads(k_in, self.key_kernel, self.key_bias)         # -> (B, h, Tk, kd)
        v = self._heads(v_in, self.value_kernel, self.value_bias)     # -> (B, h, Tk, vd)
        q = q * (1.0 / math.sqrt(self.key_dim))
        scores = q @ ops.transpose(k, (0, 1, 3, 2))    # (B, h, Tq, kd) @ (B, h, kd, Tk)
        keep = self._mask(q_in, k_in, q_mask, v_mask, k_mask, attention_mask,
                          use_causal_mask)             # (B, Tq, Tk) or None
        weights = _head_weights(scores, keep, return_attention_scores or self.dropout)
        attn = ops.dropout(weights, self.dropout) if training and self.dropout else weights
        heads = attn @ v                               # (B, h, Tq, Tk) @ (B, h, Tk, vd)
        out = ops.sum(heads @ self.output_kernel, axis=1)   # (B,h,Tq,vd)@(h,vd,o) -> (B,Tq,o)
        if self.output_bias is not None:
            out = out + self.output_bias
        return (out, weights) if return_attention_scores else out

    @staticmethod
    def _mask(q_in, k_in, q_mask, v_mask, k_mask, attention_mask, causal):
        """Which keys each query may attend to, as Keras' _compute_attention_mask."""
        keep = None
        if q_mask is not None:
            keep = ops.expand_dims(_as_bool(q_mask), -1)              # (B, Tq, 1)
        for m in (v_mask, k_mask):
            if m is not None:
                keep = _and(keep, ops.expand_dims(_as_bool(m), 1))    # (B, 1, Tk)
        if causal:
            keep = _and(keep, _causal(q_in.shape[1], k_in.shape[1]))  # (Tq, Tk)
        if attention_mask is not None:
            keep = _and(keep, _as_bool(attention_mask))               # (B, Tq, Tk)
        return keep

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "output_shape": self._output_dim,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "seed": self.seed}


class GroupQueryAttention(_QueryValueKey):
    """Grouped-query attention as Keras 3's (Ainslie et al., 2023): `num_query_heads`
    query heads share `num_key_value_heads` key/value heads, each key/value head serving
    num_query_heads // num_key_value_heads query heads. 1 key/value head is multi-query
    attention; as many as query heads is multi-head attention.

    Weights (get_weights order; Keras' EinsumDense "query", "key", "gate", "value",
    "attention_output"): query kernel (dim, q_heads, head_dim) and bias (q_heads, head_dim),
    key kernel (key features, kv_heads, head_dim) and bias (kv_heads, head_dim), with
    use_gate a gate kernel and bias as the query's, value kernel and bias as the key's,
    output kernel (q_heads, head_dim, dim) and bias (dim,): the output has the query's
    features. Call:
    ``gqa(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, use_causal_mask=False)``; the
    inputs' own masks (Embedding(mask_zero=True)) fill in the masks not given; scores are
    (batch, q_heads, Tq, Tk). sliding_window=w lets position i see positions j with
    |i - j| < w; use_gate multiplies the heads by sigmoid(a gate projection of the query).

    >>> import tensorkit as tk
    >>> gqa = tk.layers.GroupQueryAttention(head_dim=8, num_query_heads=4,
    ...                                     num_key_value_heads=2)
    >>> x = tk.symbolic((None, 10, 16))
    >>> y, scores = gqa(x, x, return_attention_scores=True)
    >>> y.shape, scores.shape
    ((None, 10, 16), (None, 4, 10, 10))
    """

    regularized = {"kernel_regularizer": "kernel", "bias_regularizer": "bias"}
    _short = "gqa"

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", use_gate=False,
                 seed=None, name=None, **kwargs):
        super().__init__(name=name or unique_name("grouped_query_attention"), **kwargs)
        kind = "GroupQueryAttention"
        self.head_dim = _positive_int(kind, "head_dim", head_dim)
        self.num_query_heads = _positive_int(kind, "num_query_heads", num_query_heads)
        self.num_key_value_heads = _positive_int(kind, "num_key_value_heads",
                                                 num_key_value_heads)
        if num_query_heads % num_key_value_heads:
            fits = [n for n in range(1, num_query_heads + 1) if num_query_heads % n == 0]
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`: "
                             "each key/value head serves a group of query heads. Received: "
                             f"num_query_heads={num_query_heads}, num_key_value_heads="
                             f"{num_key_value_heads}. Fix: num_key_value_heads one of {fits}.")
        self.num_repeats = num_query_heads // num_key_value_heads
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout < 1:
            raise ValueError(f"{kind} expects dropout in [0, 1): the fraction of attention "
                             f"weights to drop. Received: dropout={dropout!r}")
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(
                sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window!r}. Fix: "
                             "sliding_window=4 lets each position see 3 on either side.")
        if flash_attention not in (None, False):
            raise ValueError(f"{kind}: tensorkit computes attention plainly (every score in "
                             "memory, which the attention scores need), with no flash "
                             "attention kernel. Received: flash_attention="
                             f"{flash_attention!r}. Fix: leave it out (None) or False; the "
                             "results are the same.")
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self.sliding_window, self.use_gate = sliding_window, bool(use_gate)
        self.seed = check_seed(self, seed)
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        q, v, k = self._check_shapes(input_shape)
        # Einsum letters, as Keras': b batch, q query steps, k key/value steps, m features,
        # u query heads, v key/value heads, h head_dim
        u, kv, h = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self.query_kernel, self.query_bias = self._projection(
            "query", "bqm,muh->bquh", "uh", q, (None, u, h))
        self.key_kernel, self.key_bias = self._projection(
            "key", "bkm,mvh->bkvh", "vh", k, (None, kv, h))
        self.gate_kernel, self.gate_bias = self._projection(
            "gate", "bqm,muh->bquh", "uh", q, (None, u, h)) if self.use_gate else (None, None)
        self.value_kernel, self.value_bias = self._projection(
            "value", "bkm,mvh->bkvh", "vh", v, (None, kv, h))
        self.output_kernel, self.output_bias = self._projection(
            "attention_output", "bquh,uhm->bqm", "m", (None, None, u, h), (None, q[-1]))

    def _projection(self, name, equation, bias_axes, input_shape, output_shape):
        """The kernel and bias Keras' EinsumDense(equation, name=name) builds: their shapes,
        and the fans of a glorot-like initializer (the kernel's input and output letters)."""
        kernel_shape, bias_shape, ins, outs = _einsum_dense_weights(
            _einsum_dense_terms(equation), bias_axes if self.use_bias else None, input_shape,
            output_shape)
        kernel = self.add_weight(f"{name}/kernel", kernel_shape,
                                 _with_fans(self.kernel_initializer, ins, outs),
                                 regularizer=self.kernel_regularizer,
                                 constraint=self.kernel_constraint)
        bias = None if bias_shape is None else self.add_weight(
            f"{name}/bias", bias_shape, self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        return kernel, bias

    def _dense(self, equation, x, kernel, bias, activation=None):
        """One of Keras' EinsumDense projections, which each take the layer's
        activity_regularizer too (on top of the layer's own, on its outputs)."""
        y = ops.einsum(equation, x, kernel)
        y = y if bias is None else y + bias
        y = y if activation is None else activation(y)
        if self.activity_regularizer is not None and y.data is not None:
            self.add_loss(self.activity_regularizer(y) / y.shape[0])     # per example
        return y

    def call(self, inputs, mask=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        self._check_shapes([t.shape for t in inputs])
        q_in, v_in = inputs[0], inputs[1]
        k_in = inputs[2] if len(inputs) > 2 else v_in
        masks = (list(mask) + [None] * 3)[:3] if mask is not None else [None] * 3
        q_mask = masks[0] if query_mask is None else query_mask     # given ones win, as in
        v_mask = masks[1] if value_mask is None else value_mask     # Keras
        k_mask = (masks[2] if len(inputs) > 2 else None) if key_mask is None else key_mask
        keep = MultiHeadAttention._mask(q_in, k_in, q_mask, v_mask, k_mask, attention_mask,
                                        use_causal_mask)            # (B, Tq, Tk) or None
        if self.sliding_window is not None:
            keep = _and(keep, _band(q_in.shape[1], k_in.shape[1], self.sliding_window))

        dense = self._dense
        q = dense("bqm,muh->bquh", q_in, self.query_kernel, self.query_bias)  # -> (B,Tq,u,h)
        k = dense("bkm,mvh->bkvh", k_in, self.key_kernel, self.key_bias)      # -> (B,Tk,v,h)
        v = dense("bkm,mvh->bkvh", v_in, self.value_kernel, self.value_bias)  # -> (B,Tk,v,h)
        # each key/value head once for each query head of its group: v -> u heads
        k = ops.repeat(k, self.num_repeats, axis=2)       # (B, Tk, v, h) -> (B, Tk, u, h)
        v = ops.repeat(v, self.num_repeats, axis=2)       # (B, Tk, v, h) -> (B, Tk, u, h)
        q = q * (1.0 / math.sqrt(self.head_dim))
        scores = ops.einsum("bquh,bkuh->buqk", q, k)      # -> (B, u, Tq, Tk)
        weights = _head_weights(scores, keep, return_attention_scores or self.dropout)
        attn = ops.dropout(weights, self.dropout, seed=_rng(self)) \
            if training and self.dropout else weights
        heads = ops.einsum("buqk,bkuh->bquh", attn, v)    # (B, u, Tq, Tk) -> (B, Tq, u, h)
        if self.use_gate:                                 # * (B, Tq, u, h) gates in (0, 1)
            heads = heads * dense("bqm,muh->bquh", q_in, self.gate_kernel, self.gate_bias,
                                  ops.sigmoid)
        out = dense("bquh,uhm->bqm", heads, self.output_kernel, self.output_bias)  # (B,Tq,m)
        return (out, weights) if return_attention_scores else out

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "seed": self.seed}
