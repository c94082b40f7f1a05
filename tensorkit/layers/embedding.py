"""Embedding: integer token ids -> learned vectors, (batch, time) -> (batch, time, dim)."""

import warnings

from .. import initializers, ops
from ..errors import DTypeError, ShapeError, format_shape
from .base import Layer, get_initializer
from .core import _positive_int

__all__ = ["Embedding"]


class Embedding(Layer):
    """Row ``ids[b, t]`` of the table ``embeddings`` (input_dim, output_dim), as Keras 3.

    ``mask_zero=True`` treats id 0 as padding: the output carries the mask ``ids != 0``
    (batch, time), which RNNs, attention and GlobalAveragePooling1D use to skip the
    padding; id 0 is then reserved, so input_dim must be the vocabulary size + 1.
    ``input_length`` is accepted and ignored (deprecated in Keras 3).
    """

    regularized = {"embeddings_regularizer": "embeddings"}

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 mask_zero=False, input_length=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = _positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = get_initializer(self, "embeddings_initializer",
                                                      embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        if input_length is not None:
            warnings.warn("Embedding(input_length=...) is deprecated (as in Keras 3) and "
                          "ignored: the input's shape gives the length.", stacklevel=2)
        self.supports_masking = self.mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer)

    def _check_input(self, shape):
        """Ids of any shape: the table does not depend on it (as Keras)."""

    def _input_dtype(self):
        return "int32"

    def call(self, inputs):
        if inputs.data is None and inputs.dtype.kind == "f":
            inputs = ops.cast(inputs, "int32")         # tk.Input(shape=(T,)) is float32
        if inputs.dtype.kind not in "iu":
            raise DTypeError(
                f"Embedding '{self.name}' takes integer token ids, but received "
                f"{inputs.dtype} values of shape {format_shape(inputs.shape)}. Fix: pass "
                "ids as integers (x.astype('int32')); if these are already feature vectors, "
                "feed them to the next layer without an Embedding.")
        if inputs.data is not None and inputs.data.size:
            lo, hi = int(inputs.data.min()), int(inputs.data.max())
            if hi >= self.input_dim or lo < 0:
                bad = hi if hi >= self.input_dim else lo
                raise ShapeError(
                    f"Embedding '{self.name}' has input_dim={self.input_dim} rows (ids "
                    f"0..{self.input_dim - 1}), but the input holds the id {bad}"
                    + (f"; the largest id is {hi}." if hi >= self.input_dim else "."),
                    expected=f"ids in 0..{self.input_dim - 1}",
                    fix=f"input_dim must be larger than the largest id: use "
                        f"input_dim={hi + 1} or more (vocabulary size + 1 with mask_zero)"
                    if hi >= self.input_dim else "map negative ids to a real id first.",
                    op="Embedding", shapes=(inputs.shape,), layer=self.name)
        return ops.gather(self.embeddings, inputs)     # (V, D)[(B, T)] -> (B, T, D)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)                # (B, T) booleans: False on padding

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.name_of(self.embeddings_initializer),
                "mask_zero": self.mask_zero}
