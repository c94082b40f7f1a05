"""TimeDistributed: one layer applied to every timestep, with one set of weights (Keras 3).

The batch and time axes are merged into one, the inner layer runs once on all the steps,
and the result is split back: (B, T, ...) -> (B * T, ...) -> layer -> (B, T, ...). So the
inner layer sees (and its summary row shows) ordinary batches of single steps.
"""

from .. import ops
from ..errors import ShapeError, format_shape
from .base import Layer

__all__ = ["TimeDistributed"]


class TimeDistributed(Layer):
    """``TimeDistributed(Conv2D(16, 3))`` on video frames (B, T, H, W, C), or
    ``TimeDistributed(Dense(10))`` on sequences (B, T, F): the same layer for every step."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError("TimeDistributed expects a layer to apply at every timestep, e.g. "
                             f"TimeDistributed(layers.Dense(8)). Received: layer={layer!r:.80}")
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        if isinstance(input_shape, list):
            raise ValueError("TimeDistributed takes one tensor (batch, time, ...). Received: a "
                             f"list of {len(input_shape)} tensors")
        if len(input_shape) < 3:
            raise ShapeError(
                f"TimeDistributed needs inputs (batch, time, ...) of rank 3 or more, but "
                f"received {format_shape(input_shape)}.",
                expected="an input with a time axis after the batch axis",
                fix=f"give {type(self.layer).__name__} its input directly if there is no time "
                    "axis, or reshape the data to (batch, time, ...).",
                op="TimeDistributed",
                shapes=(tuple(input_shape),),
                layer=self.name)
        # the inner layer builds itself on its first call, for (batch * time, ...) inputs

    def call(self, inputs, training=False):
        x = ops.reshape(inputs, (-1,) + inputs.shape[2:])  # (B, T, ...) -> (B*T, ...)
        y = self.layer(x, training=training)              # (B*T, ...) -> (B*T, ...')
        return ops.unflatten(y, inputs, axes=2)           # -> (B, T, ...'), T known or not

    def get_config(self):
        return {**super().get_config(),
                "layer": {"class_name": type(self.layer).__name__,
                          "config": self.layer.get_config()}}

    @classmethod
    def from_config(cls, config):
        from .. import layers
        config = dict(config)
        inner = config.pop("layer")
        inner_cls = getattr(layers, inner["class_name"], None)
        if not (isinstance(inner_cls, type) and issubclass(inner_cls, Layer)):
            raise ValueError(f"TimeDistributed: unknown inner layer class "
                             f"{inner['class_name']!r}. Expected a tensorkit.layers class.")
        return cls(inner_cls.from_config(inner["config"]), **config)
