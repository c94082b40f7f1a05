"""Attention layers: dot-product Attention, AdditiveAttention and MultiHeadAttention, as
in Keras 3.

All return, on request, the attention scores (the softmax weights) so a lesson can draw
them as a heatmap: (batch, query_len, key_len) for Attention and AdditiveAttention,
(batch, heads, query_len, key_len) for MultiHeadAttention. Masks: a key/value mask
(Embedding(mask_zero=True) sets one) hides padded keys, a query mask zeroes padded
queries' outputs (Attention) and use_causal_mask=True lets position i look only at
positions <= i.
"""

import math

import numpy

from .. import initializers, ops
from ..errors import ShapeError, format_shape
from ..tensor import Tensor, tensor
from .base import Layer, check_seed, get_initializer
from .core import _positive_int

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention"]

_NEG = -1.0e9                          # Keras' "large negative" for masked scores (float32)


def _as_bool(mask):
    if mask is None:
        return None
    mask = mask if isinstance(mask, Tensor) else tensor(mask)
    return mask if mask.dtype == numpy.bool_ else ops.not_equal(mask, 0)


def _and(a, b):
    return b if a is None else a if b is None else ops.logical_and(a, b)


def _causal(q_len, k_len):
    """(Tq, Tk) booleans: query i sees keys j <= i."""
    if q_len is None or k_len is None:
        raise ShapeError("use_causal_mask needs the sequence lengths, but they are unknown "
                         f"(query length {q_len}, key length {k_len}).",
                         expected="inputs with a known time axis",
                         fix="give the Input its length, e.g. tk.Input(shape=(20, 16)).")
    return tensor(numpy.tril(numpy.ones((q_len, k_len), dtype=bool)))


def _masked_softmax(scores, mask):
    """softmax over keys, with masked-out keys (mask False) at a score of -1e9."""
    if mask is not None:
        scores = ops.where(mask, scores, _NEG)
    return ops.softmax(scores, axis=-1)


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


class MultiHeadAttention(Layer):
    """Multi-head attention as Keras 3's: project query, key and value into `num_heads`
    heads, attend in each head, and project the heads back.

    Weights (get_weights order): query kernel (dim, heads, key_dim) and bias (heads,
    key_dim), key kernel and bias, value kernel (dim, heads, value_dim) and bias, output
    kernel (heads, value_dim, out_dim) and bias (out_dim,). Call:
    ``mha(query, value, key=None, attention_mask=None, return_attention_scores=False,
    use_causal_mask=False)``; scores are (batch, heads, Tq, Tk).
    """

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

    def __call__(self, query, value=None, key=None, **kwargs):
        """Keras' call signature; the tensors travel as one list so that masks and
        functional models see all of them."""
        if isinstance(query, list):                    # a functional model replaying a call
            query, value, key = (list(query) + [None, None])[:3]
        if value is None:
            raise TypeError("MultiHeadAttention needs a value: mha(query, value); for "
                            "self-attention mha(x, x).")
        return super().__call__([query, value] if key is None else [query, value, key],
                                **kwargs)

    def build(self, input_shape):
        q, v = input_shape[0], input_shape[1]
        k = input_shape[2] if len(input_shape) > 2 else v
        for name, s in (("query", q), ("value", v), ("key", k)):
            if len(s) != 3 or s[-1] is None:
                raise ShapeError(f"the {name} has shape {format_shape(s)}, rank {len(s)}, "
                                 "but MultiHeadAttention needs rank 3.",
                                 expected="(batch, time, features) with features known",
                                 fix="pass sequences of vectors; for token ids add an "
                                     "Embedding first.", op="MultiHeadAttention",
                                 layer=self.name)
        h, kd, vd = self.num_heads, self.key_dim, self.value_dim
        out_dim = self._output_dim or q[-1]
        w = self.add_weight
        self.query_kernel = w("query/kernel", (q[-1], h, kd), self.kernel_initializer)
        self.query_bias = w("query/bias", (h, kd), self.bias_initializer) \
            if self.use_bias else None
        self.key_kernel = w("key/kernel", (k[-1], h, kd), self.kernel_initializer)
        self.key_bias = w("key/bias", (h, kd), self.bias_initializer) if self.use_bias else None
        self.value_kernel = w("value/kernel", (v[-1], h, vd), self.kernel_initializer)
        self.value_bias = w("value/bias", (h, vd), self.bias_initializer) \
            if self.use_bias else None
        self.output_kernel = w("attention_output/kernel", (h, vd, out_dim),
                               self.kernel_initializer)
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
        keep = None if keep is None else ops.expand_dims(keep, -3)    # -> (B, 1, Tq, Tk)
        weights = _masked_softmax(scores, keep)        # (B, h, Tq, Tk)
        if keep is not None and (return_attention_scores or self.dropout):
            # Keras 3 then takes its explicit path, whose softmax also zeroes masked
            # weights: a query that sees no key (a padded one) gets weights 0, not 1/Tk
            weights = ops.where(keep, weights, 0.0)
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

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, list) else None

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "output_shape": self._output_dim,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "seed": self.seed}
