"""TensorFlow.js Layers format: export a model for the browser, import one into tensorkit.

``tk.export.to_tfjs(model, "web/model")`` (or ``model.save("web/model", format="tfjs")``)
writes the folder that ``tf.loadLayersModel("model/model.json")`` reads:

- ``model.json``: ``{"format": "layers-model", "generatedBy", "convertedBy",
  "modelTopology": {"class_name": "Sequential" | "Model", "config", "keras_version",
  "backend"}, "weightsManifest": [{"paths": [shard files], "weights": [{"name", "shape",
  "dtype"}]}], "userDefinedMetadata"?}``. Layer configs are Keras 2's, which TF.js reads:
  snake_case keys, ``batch_input_shape`` on a Sequential's first layer (an ``InputLayer``
  entry in a functional model), initializers as ``{"class_name", "config"}``, functional
  ``inbound_nodes`` as ``[[[layer, node, tensor, kwargs], ...]]``.
- ``group1-shard1ofN.bin``: the weights as little-endian float32, one after another in the
  manifest's order, cut into shards of at most 4 MiB (as TF.js's converter does).

TF.js finds each weight by name: ``layer/weight`` (``dense/kernel``); a Bidirectional's as
``bidirectional/forward_lstm/kernel``; a TimeDistributed's as ``time_distributed/kernel``; a
DepthwiseConv2D's kernel as ``depthwise_conv2d/depthwise_kernel`` (Keras 2's name for it);
``RNN(cell)``'s as ``rnn/kernel``, and with a list of cells (StackedRNNCells) cell i's as
``rnn/RNNCell_<i>/kernel``. An RNN's config holds its cell as ``{"class_name", "config"}``.

A few layers TF.js has no class for are written as the TF.js layer that computes the same,
predicting and training (they load back as that layer, under their own name): Identity and
ActivityRegularization as ``Activation("linear")`` (the activity penalty stays behind, as
any layer's activity_regularizer does), SpatialDropout2D as ``Dropout`` with
``noise_shape [null, 1, 1, null]``, CenterCrop as ``Cropping2D`` (TF.js 4.22's own
CenterCrop and Resizing break the model they are in). Augmentation layers (RandomFlip,
RandomRotation, ...), RandomCrop and Resizing are refused with the copy to export instead.

Exported configs say what tensorkit computes, where the two differ: ``recurrent_activation``
is written out (TF.js's default is Keras 2's hard_sigmoid). What TF.js would compute
differently, or cannot run, is refused with an ``ExportError`` naming the layer, before any
file is written: Lambda and custom layers, raw ops between layers, GRU(reset_after=True),
the hard_sigmoid activation (Keras 3's differs from TF.js's), bilinear UpSampling2D, the 1D
UpSampling / ZeroPadding / Cropping layers (TF.js has 2D ones only), ReLU with a
negative_slope or threshold, ELU with alpha != 1, Softmax off the last axis, a dilated
DepthwiseConv2D (TF.js ignores its dilation_rate), SeparableConv2D with both strides and
dilation_rate above 1, Conv1DTranspose, RMSNormalization, a Bidirectional around an RNN(cell)
(TF.js cannot load it), a masked stack of cells whose masked output differs, ... Where
the two name a setting differently, the config says TF.js's word (LeakyReLU's ``alpha``).

``load_tfjs(folder)`` reads such a folder, also one written by TensorFlow.js itself
(``model.save("downloads://...")``) or by its Keras converter, into a tensorkit model with
its weights. Nothing in the files is run: the topology becomes tensorkit's own model config
(``tensorkit.saving`` rebuilds it from its registry of layer classes, with its checks
against hostile sizes); shard names, sizes, shapes and dtypes are checked before loading.
"""

import inspect
import json
import os
import re
import shutil
import tempfile
import warnings

import numpy

from . import constraints, regularizers
from .layers.base import Layer, constrained
from .saving import ModelFileError, SaveError, _damaged, _hostile, _Loader, serialize_layer

__all__ = ["to_tfjs", "load_tfjs", "ExportError", "ModelFileError", "TFJS_LAYERS"]

SHARD_BYTES = 4 * 2**20
MAX_JSON_BYTES = 16 * 2**20
MAX_WEIGHT_BYTES = 2 * 2**30
_SHARD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_OUR_SHARD = re.compile(r"^group\d+-shard\d+of\d+\.bin$")


class ExportError(SaveError):
    """A model that TensorFlow.js cannot run as tensorkit computes it."""


# ---- what TF.js runs, and how its configs are spelled -------------------------------------
_CONV = "filters kernel_size strides padding data_format dilation_rate activation use_bias " \
        "kernel_initializer bias_initializer"
_POOL = "pool_size strides padding data_format"
_DEPTHWISE = "kernel_size strides padding data_format dilation_rate depth_multiplier activation " \
             "use_bias depthwise_initializer bias_initializer"
_CELL = "units activation use_bias kernel_initializer recurrent_initializer bias_initializer " \
        "dropout recurrent_dropout"
_RNN = _CELL + " return_sequences return_state go_backwards"

# class name -> the config keys TF.js and tensorkit share (beyond name, trainable, dtype)
TFJS_LAYERS = {name: keys.split() for name, keys in {
    "Dense": "units activation use_bias kernel_initializer bias_initializer",
    "Activation": "activation", "Dropout": "rate noise_shape seed", "Flatten": "",
    "Reshape": "target_shape", "Permute": "dims", "RepeatVector": "n",
    "Conv1D": _CONV, "Conv2D": _CONV, "Conv2DTranspose": _CONV, "Conv3D": _CONV,
    "Conv3DTranspose": _CONV, "MaxPooling3D": _POOL, "AveragePooling3D": _POOL,
    "ConvLSTM2D": _CONV + " recurrent_activation recurrent_initializer unit_forget_bias "
                  "dropout recurrent_dropout return_sequences return_state go_backwards",
    "DepthwiseConv2D": _DEPTHWISE,
    "SeparableConv2D": "filters " + _DEPTHWISE + " pointwise_initializer",
    "MaxPooling1D": _POOL, "MaxPooling2D": _POOL, "AveragePooling1D": _POOL,
    "AveragePooling2D": _POOL,
    "GlobalAveragePooling1D": "data_format", "GlobalAveragePooling2D": "data_format",
    "GlobalMaxPooling1D": "data_format", "GlobalMaxPooling2D": "data_format",
    "BatchNormalization": "axis momentum epsilon center scale beta_initializer "
                          "gamma_initializer moving_mean_initializer moving_variance_initializer",
    "LayerNormalization": "axis epsilon center scale beta_initializer gamma_initializer",
    "Embedding": "input_dim output_dim embeddings_initializer mask_zero",
    "SimpleRNN": _RNN, "LSTM": _RNN + " recurrent_activation unit_forget_bias",
    "GRU": _RNN + " recurrent_activation reset_after",
    "RNN": "cell return_sequences return_state go_backwards",
    "SimpleRNNCell": _CELL, "LSTMCell": _CELL + " recurrent_activation unit_forget_bias",
    "GRUCell": _CELL + " recurrent_activation reset_after", "StackedRNNCells": "cells",
    "Bidirectional": "layer merge_mode", "TimeDistributed": "layer",
    "Add": "", "Multiply": "", "Average": "", "Maximum": "", "Minimum": "",
    "Concatenate": "axis", "UpSampling2D": "size data_format interpolation",
    "ZeroPadding2D": "padding data_format", "Cropping2D": "cropping data_format",
    "ReLU": "max_value", "LeakyReLU": "negative_slope", "ELU": "alpha", "Softmax": "axis",
    "PReLU": "alpha_initializer shared_axes", "GaussianNoise": "stddev seed",
    "GaussianDropout": "rate seed", "AlphaDropout": "rate noise_shape seed",
    "SpatialDropout1D": "rate seed", "Masking": "mask_value",
    "Rescaling": "scale offset", "Dot": "axes normalize",
}.items()}


# tensorkit layers TF.js has no class for, written as a TF.js layer that computes the same,
# predicting and training: (TF.js class, tensorkit's config with the keys TF.js reads)
def _center_crop(layer, config):
    (h, w), (ch, cw) = layer.input_shape[1:3], (config["height"], config["width"])
    top, left = (h - ch) // 2, (w - cw) // 2
    return "Cropping2D", {**config, "cropping": [[top, h - ch - top], [left, w - cw - left]]}


_TFJS_AS = {
    "Identity": lambda layer, config: ("Activation", {**config, "activation": "linear"}),
    # its penalty stays behind, as a layer's activity_regularizer does
    "ActivityRegularization": lambda layer, config: ("Activation",
                                                     {**config, "activation": "linear"}),
    # Keras 2's SpatialDropout2D is this Dropout: one draw per (example, channel)
    "SpatialDropout2D": lambda layer, config: ("Dropout",
                                               {**config, "noise_shape": [None, 1, 1, None]}),
    "SpatialDropout3D": lambda layer, config: ("Dropout",
                                               {**config, "noise_shape": [None, 1, 1, 1, None]}),
    "CenterCrop": _center_crop,         # TF.js 4.22's own CenterCrop breaks its model's input
}

# tensorkit's config key -> TF.js's, where they name one setting differently
_TFJS_KEYS = {"LeakyReLU": {"negative_slope": "alpha"}}
# tensorkit's weight name -> TF.js's, likewise
_TFJS_WEIGHTS = {"DepthwiseConv2D": {"kernel": "depthwise_kernel"}}

_NOT_IN_TFJS = {
    "Subtract": "TF.js has no Subtract layer. Fix: Add()([x, y_negated]) with a "
                "Dense/Activation branch, or train with Add.",
    "Attention": "TF.js has no Attention layer.",
    "EinsumDense": "TF.js has no EinsumDense layer. Fix: for 'ab,bc->ac' or 'abc,cd->abd' "
                   "use Dense (the same kernel and bias), else keep this model in Python.",
    "MultiHeadAttention": "TF.js has no MultiHeadAttention layer.",
    "GroupQueryAttention": "TF.js has no GroupQueryAttention layer.",
    **{kind: f"TF.js has no {kind} layer" for kind in (
        "GlobalAveragePooling3D", "GlobalMaxPooling3D", "UpSampling3D", "ZeroPadding3D",
        "Cropping3D", "SeparableConv1D", "DepthwiseConv1D", "ConvLSTM1D", "ConvLSTM3D",
        "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
        "AdaptiveAveragePooling1D", "AdaptiveAveragePooling3D")},
    "AdaptiveAveragePooling2D": "TF.js has no AdaptiveAveragePooling2D layer. Fix: for "
                                "output_size=1 use GlobalAveragePooling2D(keepdims=True)",
    "OpLayer": "it is a raw tensorkit op between layers (like x + y), which TF.js cannot "
               "replay. Fix: use a layer: layers.Add()([x, y]), layers.Multiply(), "
               "layers.Concatenate(), layers.Activation(...).",
    "UpSampling1D": "TF.js has no UpSampling1D layer. Fix: Reshape((steps, 1, channels)), "
                    "UpSampling2D((size, 1)), Reshape((steps * size, channels))",
    "ZeroPadding1D": "TF.js has no ZeroPadding1D layer. Fix: Reshape((steps, 1, channels)), "
                     "ZeroPadding2D(((left, right), (0, 0))), Reshape((-1, channels))",
    "Cropping1D": "TF.js has no Cropping1D layer. Fix: Reshape((steps, 1, channels)), "
                  "Cropping2D(((start, end), (0, 0))), Reshape((-1, channels))",
    "Normalization": "TF.js has no Normalization layer. Fix: normalize the inputs in the page "
                     "before predicting, (x - mean) / std with the layer's get_weights()",
    "GroupNormalization": "TF.js has no GroupNormalization layer.",
    "UnitNormalization": "TF.js has no UnitNormalization layer.",
    "AdditiveAttention": "TF.js has no AdditiveAttention layer.",
    "Lambda": "a Lambda holds Python code, which a web page cannot run. Fix: build the model "
              "from tensorkit's built-in layers (tk.export.TFJS_LAYERS lists those TF.js runs).",
    "Conv1DTranspose": "TF.js has no Conv1DTranspose layer. Fix: Reshape((steps, 1, channels)), "
                       "Conv2DTranspose(filters, (kernel_size, 1), strides=(strides, 1)), "
                       "Reshape((-1, filters)); its kernel is this one's with an axis added "
                       "(kernel[:, None])",
    "RMSNormalization": "TF.js has no RMSNormalization layer (its LayerNormalization subtracts "
                        "the mean first). Fix: LayerNormalization(center=False), and train again",
}

# image preprocessing TF.js cannot run in a model: done in the page, or left out there
_PREPROCESSING = {
    "Resizing": "TF.js 4.22's Resizing cannot run in a model (its output shape loses the batch "
                "axis) and resizes with other pixel centres (align_corners). Fix: resize the "
                "images in the page before predicting, tf.image.resizeBilinear(images, [height, "
                "width], false, true) (half-pixel centres, as tensorkit; resizeNearestNeighbor "
                "likewise for 'nearest'), and ",
    "RandomCrop": "TF.js has no RandomCrop layer, and when predicting it crops the centred "
                  "window of its aspect ratio and resizes it. Fix: crop and resize the images "
                  "in the page before predicting (tf.image.cropAndResize), and ",
    **{kind: f"TF.js has no {kind} layer; it changes the images only while training "
             "(predicting passes them through). Fix: "
       for kind in ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                    "RandomContrast", "RandomBrightness", "RandomGrayscale", "RandomHue",
                    "RandomSaturation", "RandomColorDegeneration", "RandomColorJitter",
                    "RandomSharpness", "RandomInvert", "RandomPosterization", "Solarization",
                    "RandomErasing", "RandomGaussianBlur", "MixUp", "CutMix")},
    "Hashing": "TF.js has no Hashing layer. Fix: hash the values in the page before "
               "predicting (FarmHash Fingerprint64 mod num_bins, as tk.layers.Hashing), and ",
    "AutoContrast": "TF.js has no AutoContrast layer, and it stretches each image's channels "
                    "when predicting too. Fix: stretch them in the page before predicting "
                    "(subtract each channel's minimum, scale by 255 / (max - min)), and ",
}

# activation names tensorkit -> TF.js, where both compute the same function
_ACTIVATIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "softmax": "softmax",
                "linear": "linear", "elu": "elu", "softplus": "softplus", "gelu": "gelu",
                "silu": "swish", "swish": "swish", "keras2_hard_sigmoid": "hard_sigmoid",
                "relu6": "relu6", "selu": "selu", "softsign": "softsign", "mish": "mish",
                "log_softmax": "log_softmax"}
_ACTIVATION_DIFFERS = {
    "hard_sigmoid": "tensorkit's hard_sigmoid is Keras 3's clip(x / 6 + 0.5, 0, 1) but "
                    "TF.js's is Keras 2's clip(0.2 * x + 0.5, 0, 1). Fix: use 'sigmoid', or "
                    "'keras2_hard_sigmoid' (TF.js's formula)",
    "leaky_relu": "TF.js has no activation named leaky_relu. Fix: use 'relu' or 'elu', or "
                  "the layer LeakyReLU(negative_slope=0.2) after a linear one",
    "hard_silu": "TF.js has no hard_silu (hard_swish) activation. Fix: use 'swish' (x * "
                 "sigmoid(x)) and train again",
    "exponential": "TF.js has no exponential activation. Fix: a linear layer, then take exp() "
                   "of its output in the page",
}

# initializer names <-> Keras 2 / TF.js objects (they only matter for training further)
_INITIALIZERS = {
    "glorot_uniform": ("VarianceScaling", {"scale": 1.0, "mode": "fan_avg",
                                           "distribution": "uniform"}),
    "glorot_normal": ("VarianceScaling", {"scale": 1.0, "mode": "fan_avg",
                                          "distribution": "truncated_normal"}),
    "he_uniform": ("VarianceScaling", {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}),
    "he_normal": ("VarianceScaling", {"scale": 2.0, "mode": "fan_in",
                                      "distribution": "truncated_normal"}),
    "lecun_uniform": ("VarianceScaling", {"scale": 1.0, "mode": "fan_in",
                                          "distribution": "uniform"}),
    "lecun_normal": ("VarianceScaling", {"scale": 1.0, "mode": "fan_in",
                                         "distribution": "truncated_normal"}),
    "orthogonal": ("Orthogonal", {"gain": 1.0}),
    "zeros": ("Zeros", {}), "ones": ("Ones", {}),
    "random_normal": ("RandomNormal", {"mean": 0.0, "stddev": 0.05}),
    "random_uniform": ("RandomUniform", {"minval": -0.05, "maxval": 0.05}),
    "truncated_normal": ("TruncatedNormal", {"mean": 0.0, "stddev": 0.05}),
}


def _initializer_out(name):
    """A Keras 2 initializer object; a function of your own becomes Zeros (the exported
    weights hold the values either way)."""
    if isinstance(name, dict):                          # an initializer with arguments
        return {"class_name": name["class_name"],
                "config": {k: v for k, v in name["config"].items()
                           if k not in ("input_axes", "output_axes")}}
    class_name, config = _INITIALIZERS.get("random_uniform" if name == "uniform" else name,
                                           ("Zeros", {}))
    return {"class_name": class_name,
            "config": {**config, "seed": None} if config or class_name != "Zeros" else {}}


def _initializer_in(value):
    """A tensorkit initializer name from a Keras 2 / TF.js initializer (None: the default)."""
    if isinstance(value, str):
        value = {"class_name": value, "config": {}}
    if not isinstance(value, dict):
        return None
    class_name, config = str(value.get("class_name", "")), value.get("config") or {}
    if class_name == "VarianceScaling":
        distribution = {"normal": "truncated_normal", "untruncated_normal": None}.get(
            config.get("distribution"), config.get("distribution"))
        for name, (cls, known) in _INITIALIZERS.items():
            if cls == "VarianceScaling" and known["mode"] == config.get("mode") and \
                    known["distribution"] == distribution and \
                    float(known["scale"]) == float(config.get("scale", 0)):
                return name
        return None
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower().replace("le_cun", "lecun")
    return snake if snake in _INITIALIZERS else None


def _refuse(layer, why):
    return ExportError(f"cannot export layer '{layer.name}' ({type(layer).__name__}) to "
                       f"TensorFlow.js: {why.rstrip('.')}. Nothing was written.")


# ---- export --------------------------------------------------------------------------------
def _plain_json(value):
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    if isinstance(value, numpy.integer):
        return int(value)
    if isinstance(value, numpy.floating):
        return float(value)
    return value


def _activation_out(layer, key, name):
    if name in _ACTIVATIONS:
        return _ACTIVATIONS[name]
    why = _ACTIVATION_DIFFERS.get(name, f"the activation {name!r} is not one TF.js has "
                                        f"({', '.join(sorted(set(_ACTIVATIONS.values())))})")
    raise _refuse(layer, f"{key}={name!r}: {why}")


def _without(model, layer):
    """How to export `model` without `layer`, a preprocessing layer: when only such layers
    (nested Sequentials of them too, as Keras tutorials' data_augmentation) come first in a
    Sequential, the layers after them with an Input of their own shape."""
    from .models import InputLayer, Sequential

    def leading(l):
        if type(l) is Sequential:
            return all(leading(inner) for inner in l.layers)
        return isinstance(l, InputLayer) or type(l).__name__ in _PREPROCESSING

    def holds(l):
        return l is layer or type(l) is Sequential and any(holds(inner) for inner in l.layers)

    if type(model) is Sequential:
        k = 0
        while k < len(model.layers) and leading(model.layers[k]):
            k += 1
        shape = getattr(model.layers[k], "input_shape", None) if k < len(model.layers) else None
        if shape is not None and any(holds(l) for l in model.layers[:k]):
            return ("export a copy of the model without the preprocessing layers (the same "
                    "layer objects, so the same weights): tk.Sequential([tk.Input(shape="
                    f"{tuple(shape[1:])}), *model.layers[{k}:]])")
    return ("export a model built without it from the same layer objects (they keep their "
            "weights)")


def _check_exportable(layer, model=None):
    """Refuse what TF.js cannot run, or would run differently, naming the layer."""
    kind = type(layer).__name__
    if kind in _PREPROCESSING:
        raise _refuse(layer, _PREPROCESSING[kind] + _without(model, layer))
    from .models import Model
    if isinstance(layer, Model):
        raise _refuse(layer, "a model nested in a functional model (or a functional model "
                             "nested in a Sequential) is not exported yet; Sequential models "
                             "inside a Sequential are. Fix: build one model from the layers "
                             "(e.g. Sequential(inner.layers + [head]))")
    if kind in _NOT_IN_TFJS:
        raise _refuse(layer, _NOT_IN_TFJS[kind])
    if kind not in TFJS_LAYERS and kind not in _TFJS_AS or \
            type(layer).__module__.split(".")[0] != "tensorkit":
        raise _refuse(layer, "it is not one of the tensorkit layers TF.js runs (a layer class "
                             "of your own runs only in Python). tk.export.TFJS_LAYERS lists "
                             "those that export")
    config = layer.get_config()
    if "backward_layer" in config:
        raise _refuse(layer, "it has a backward_layer of your own, and TF.js's Bidirectional "
                             "always makes its backward RNN as a copy of the forward one. Fix: "
                             "leave backward_layer out")
    if config.get("stateful"):
        raise _refuse(layer, "it is stateful (each call continues the last one), which a web "
                             "page's single predictions would not do as it does in Python. "
                             "Fix: export a copy built with stateful=False (same weights: "
                             "copy.set_weights(model.get_weights()))")
    if kind in ("GRU", "GRUCell") and config["reset_after"]:
        raise _refuse(layer, "TF.js runs GRUs with reset_after=False only, and this one has "
                             f"reset_after=True (Keras 3's default). Fix: build and train it as "
                             f"{kind}(units, reset_after=False); its weights then export")
    if kind == "CenterCrop" and (layer.input_shape is None or None in layer.input_shape[1:3] or
                                 layer.input_shape[1] < config["height"] or
                                 layer.input_shape[2] < config["width"]):
        raise _refuse(layer, "it exports as TF.js's Cropping2D (TF.js 4.22's CenterCrop "
                             "overwrites its model's input shape), which needs images at least "
                             f"({config['height']}, {config['width']}) of a known size, and "
                             f"this one gets {layer.input_shape}, which it resizes. Fix: resize "
                             "the images in the page before predicting, and "
                             + _without(model, layer))
    if kind == "Bidirectional" and type(layer.forward_layer).__name__ == "RNN":
        raise _refuse(layer, "TF.js 4.22 cannot load a Bidirectional around an RNN(cell) (its "
                             "backward copy gets the forward's live cell: \"Improper config "
                             "format\"). Fix: Bidirectional(LSTM(units)), GRU or SimpleRNN: "
                             "RNN(LSTMCell(units)) is LSTM(units), weights and all")
    if kind == "RNN":
        cells = layer.cell.cells if type(layer.cell).__name__ == "StackedRNNCells" else \
            [layer.cell]
        for cell in cells:
            if type(cell).__name__ not in ("SimpleRNNCell", "LSTMCell", "GRUCell") or \
                    type(cell).__module__.split(".")[0] != "tensorkit":
                raise _refuse(layer, f"its cell is a {type(cell).__name__}, Python code TF.js "
                                     "cannot run. Fix: RNN(LSTMCell(units)), GRUCell(units, "
                                     "reset_after=False), SimpleRNNCell(units), or a list of "
                                     "them, or a LSTM / GRU / SimpleRNN layer")
            _check_exportable(cell)
        if len(cells) > 1 and config["return_state"]:
            raise _refuse(layer, "TF.js returns a stack of cells' states last cell first (h2, "
                                 "c2, h1, c1), and tensorkit as Keras in cell order. Fix: one "
                                 "RNN per cell (return_sequences=True but on the last), the "
                                 "last one with return_state=True")
    if kind == "Conv2DTranspose" and (config["output_padding"] is not None or
                                      max(config["dilation_rate"]) > 1):
        raise _refuse(layer, "TF.js's Conv2DTranspose has no output_padding or dilation_rate. "
                             "Fix: leave both out")
    if kind == "DepthwiseConv2D" and max(config["dilation_rate"]) > 1:
        raise _refuse(layer, "TF.js's DepthwiseConv2D ignores dilation_rate (it always "
                             "convolves undilated), and this one has dilation_rate="
                             f"{config['dilation_rate']}. Fix: dilation_rate=1 (a larger "
                             "kernel_size sees as far), or a SeparableConv2D, which TF.js "
                             "dilates, and train again")
    if kind == "SeparableConv2D" and max(config["strides"]) > 1 and \
            max(config["dilation_rate"]) > 1:
        raise _refuse(layer, "TF.js's SeparableConv2D cannot combine strides > 1 with "
                             f"dilation_rate > 1 (strides={config['strides']}, dilation_rate="
                             f"{config['dilation_rate']}): its depthwise convolution throws. "
                             "Fix: strides=1 and a MaxPooling2D after it, or dilation_rate=1, "
                             "and train again")
    if kind in ("Conv1D", "Conv2D") and config.get("groups", 1) > 1:
        raise _refuse(layer, f"TF.js's {kind} has no groups, and this one has "
                             f"groups={config['groups']}. Fix: groups=1, or one convolution "
                             "per group joined with layers.Concatenate()")
    if kind == "LayerNormalization" and config.get("rms_scaling"):
        raise _refuse(layer, "rms_scaling=True (deprecated in Keras 3) has no TF.js "
                             "counterpart. Fix: rms_scaling=False")
    if kind == "Conv1D" and config["padding"] == "causal":
        raise _refuse(layer, "TF.js's Conv1D does not run padding='causal' (\"not implemented "
                             "yet\"). Fix: padding='valid' or 'same'")
    if kind.startswith("Global") and config.get("keepdims"):
        raise _refuse(layer, "TF.js's global pooling has no keepdims. Fix: keepdims=False, "
                             "then layers.Reshape((1, 1, channels))")
    if kind == "UpSampling2D" and config["interpolation"] != "nearest":
        raise _refuse(layer, "TF.js's bilinear upsampling uses other pixel centres than "
                             "tensorkit's (TensorFlow 2's half-pixel ones). Fix: "
                             "interpolation='nearest'")
    if kind == "ReLU" and (config["negative_slope"] or config["threshold"]):
        raise _refuse(layer, "TF.js's ReLU has max_value only, and this one has "
                             f"negative_slope={config['negative_slope']}, threshold="
                             f"{config['threshold']}. Fix: leave both out, or use "
                             "LeakyReLU(negative_slope) (threshold 0, no max_value)")
    if kind == "ELU" and config["alpha"] != 1.0:
        raise _refuse(layer, f"TF.js's ELU runs alpha=1.0 only (\"Non-default alpha value is "
                             f"not supported\"), and this one has alpha={config['alpha']}. Fix: "
                             "ELU() or Activation('elu')")
    if kind == "Softmax" and config["axis"] != -1 and (
            layer.input_shape is None or config["axis"] != len(layer.input_shape) - 1):
        raise _refuse(layer, f"TF.js's softmax runs along the last axis only, and this one has "
                             f"axis={config['axis']} (inputs {layer.input_shape}). Fix: "
                             "Permute that axis last, Softmax(), Permute it back")
    if kind == "Dot" and any(len(s) > 3 for s in layer.input_shape or ()):
        raise _refuse(layer, "TF.js's Dot takes inputs of rank 3 at most (batch, steps, "
                             f"features), and this one gets {layer.input_shape}. Fix: Reshape "
                             "each input to (steps, features) first")
    for inner in (getattr(layer, "layer", None), getattr(layer, "forward_layer", None)):
        if isinstance(inner, Layer):
            _check_exportable(inner, model)


def _layer_out(layer, batch_input_shape=None):
    """``{"class_name", "config"}`` as Keras 2 / TF.js write it, for a checked layer."""
    kind = type(layer).__name__
    ours = layer.get_config()
    if kind in _TFJS_AS:
        kind, ours = _TFJS_AS[kind](layer, ours)
    config = {"name": layer.name, "trainable": bool(layer.trainable), "dtype": "float32"}
    if batch_input_shape is not None:
        config["batch_input_shape"] = [None] + [None if n is None else int(n)
                                                for n in batch_input_shape[1:]]
    for key in TFJS_LAYERS[kind]:
        value = ours[key]
        if key.endswith("_initializer"):
            value = _initializer_out(value)
        elif key.endswith("activation"):
            value = _activation_out(layer, key, value)
        elif key == "layer":
            inner = layer.forward_layer if kind == "Bidirectional" else layer.layer
            value = _layer_out(inner)
            if kind == "Bidirectional":     # TF.js names the copies forward_<name>, backward_<name>
                value["config"]["name"] = inner.name.removeprefix("forward_")
        elif key == "cell":
            value = _layer_out(layer.cell)
        elif key == "cells":
            value = [_layer_out(cell) for cell in layer.cells]
        elif key == "axes" and isinstance(value, (list, tuple)) and layer.input_shape:
            value = layer._axes(layer.input_shape)   # TF.js's Dot.build: no negative pairs
        config[_TFJS_KEYS.get(kind, {}).get(key, key)] = _plain_json(value)
    if kind == "Reshape" and -1 in config["target_shape"] and layer.output_shape is not None \
            and None not in layer.output_shape[1:]:
        config["target_shape"] = [int(n) for n in layer.output_shape[1:]]  # TF.js: no -1 here
    if kind in ("SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM2D"):
        config.update(stateful=False, unroll=False)
    for key in layer.regularized:       # not activity_regularizer: TF.js refuses to predict
        penalty = getattr(layer, key, None)
        if penalty is not None:                   # TF.js knows one class: L1L2
            config[key] = {"class_name": "L1L2", "config": {"l1": penalty.l1, "l2": penalty.l2}}
    for key in constrained(type(layer)):            # TF.js has the four Keras constraints
        if getattr(layer, key, None) is not None:
            config[key] = _plain_json(constraints.serialize(getattr(layer, key)))
    return {"class_name": kind, "config": config}


def _flat_layers(model):
    """A Sequential's layers with the Sequential models inside it opened up in place (a
    pretrained body under a new head): TF.js then runs one flat Sequential. Input layers
    are left out; any other model stays (and is refused by name)."""
    from .models import InputLayer, Sequential
    out = []
    for layer in model.layers:
        if type(layer) is Sequential:
            out += _flat_layers(layer)
        elif not isinstance(layer, InputLayer):
            out.append(layer)
    return out


def _weight_names(model):
    """[(name TF.js gives the weight, weight)] for every weight of `model`'s layers."""
    from .layers import Bidirectional, TimeDistributed
    from .models import Sequential

    def short(owner, w):
        name = w.name.split("/")[-1]
        return _TFJS_WEIGHTS.get(type(owner).__name__, {}).get(name, name)

    def scoped(scope, owner):
        cell = getattr(owner, "cell", None)
        if type(cell).__name__ == "StackedRNNCells":     # TF.js builds cell i in RNNCell_<i>
            return [(f"{scope}/RNNCell_{i}/{short(c, w)}", w) for i, c in enumerate(cell.cells)
                    for w in c.weights]
        return [(f"{scope}/{short(owner, w)}", w) for w in owner.weights]

    out = []
    for layer in _flat_layers(model) if type(model) is Sequential else model.layers:
        if isinstance(layer, Bidirectional):
            for rnn in (layer.forward_layer, layer.backward_layer):
                out += scoped(f"{layer.name}/{rnn.name}", rnn)
        elif isinstance(layer, TimeDistributed):  # TF.js scopes the inner layer's by its own
            out += [(f"{layer.name}/{short(layer.layer, w)}", w) for w in layer.weights]
        else:
            out += scoped(layer.name, layer)
    return out


_MASKS_OK = {"Dense", "Dropout", "Activation", "BatchNormalization", "LayerNormalization",
             "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed", "Add", "Multiply",
             "Average", "Maximum", "Minimum", "Concatenate", "ReLU", "PReLU",
             "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "Masking",
             "RNN", "Identity", "ActivityRegularization"}        # TF.js's supportsMasking


def _masked_layers(model):
    """The layers whose input carries a mask, seen in one symbolic call."""
    from .models import Sequential
    from .tensor import symbolic
    if type(model) is not Sequential:
        return [c.layer for c in model._calls if any(getattr(t, "mask", None) is not None
                                                     for t in c.inputs)]
    if model._build_shapes is None:
        return []                                 # _topology says what is missing
    first = model
    while type(first) is Sequential and first._input_layer is None and first.layers:
        first = first.layers[0]                   # a nested body's Input gives the dtype
    dtype = first._input_layer.dtype if type(first) is Sequential and \
        first._input_layer is not None else "float32"
    x, found = symbolic((None,) + tuple(model._build_shapes[1:]), dtype=dtype), []
    for layer in _flat_layers(model):
        if x.mask is not None:
            found.append(layer)
        x = layer(x)
    return found


def _check_masked_rnn(layer):
    """At a masked step TF.js's RNN outputs its first state (for a stack of cells, the last
    cell's), tensorkit as Keras 3 the first state of the first cell."""
    from .layers import Bidirectional
    rnn = layer.forward_layer if isinstance(layer, Bidirectional) else layer
    if type(rnn).__name__ != "RNN":
        return
    if rnn.zero_output_for_mask:
        raise _refuse(layer, "it gets a mask and has zero_output_for_mask=True, and TF.js "
                             "outputs the last state at masked steps, not zeros. Fix: "
                             "zero_output_for_mask=False")
    cells = getattr(rnn.cell, "cells", [rnn.cell])
    if len(cells) > 1 and not isinstance(cells[0].state_size, (list, tuple)) and \
            cells[0].units == cells[-1].units:
        raise _refuse(layer, "it gets a mask, and at masked steps TF.js's stack of cells "
                             "outputs its last cell's state, tensorkit (as Keras 3) its first "
                             f"cell's ({type(cells[0]).__name__}). Fix: one RNN per cell "
                             "(return_sequences=True but on the last), or an LSTMCell first")


def _topology(model):
    from .models import InputLayer, Model, Sequential
    if type(model) not in (Sequential, Model) or (type(model) is Model and
                                                  not model._functional):
        raise ExportError(f"cannot export model '{model.name}' ({type(model).__name__}) to "
                          "TensorFlow.js: only tk.Sequential and functional tk.Model(inputs, "
                          "outputs) have a graph TF.js can rebuild; a subclassed model's call "
                          "is Python code. Nothing was written.")
    layers = _flat_layers(model) if type(model) is Sequential else \
        [l for l in model.layers if not isinstance(l, InputLayer)]
    for layer in layers:
        _check_exportable(layer, model)
    names = [l.name for l in layers]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExportError(f"model '{model.name}' has several layers named {twice}, and TF.js "
                          "finds weights by layer name. Fix: give each layer its own name=.")
    for layer in _masked_layers(model):
        if type(layer).__name__ not in _MASKS_OK:
            raise _refuse(layer, "its input carries a mask (from Embedding(mask_zero=True) or "
                                 "Masking), which TF.js's " + type(layer).__name__ + " does not "
                                 "take, so it would count the padding. Fix: put an RNN before "
                                 "it, or train without the mask (Embedding(mask_zero=False), no "
                                 "Masking)")
        _check_masked_rnn(layer)
    if type(model) is Sequential:
        shape = model._build_shapes
        if shape is None or not layers:
            raise ExportError(f"model '{model.name}' has no input shape yet, so TF.js could not "
                              "build it. Fix: start it with tk.Input(shape=...). Nothing was "
                              "written.")
        entries = [_layer_out(l, shape if i == 0 else None) for i, l in enumerate(layers)]
        return {"class_name": "Sequential", "config": {"name": model.name, "layers": entries}}
    config = serialize_layer(model, {})["config"]         # the graph: saving.py's inbound_nodes
    entries = []
    for layer, entry in zip(model.layers, config["layers"]):
        if isinstance(layer, InputLayer):
            out = {"class_name": "InputLayer", "config": {
                "batch_input_shape": [None] + list(layer.shape[1:]), "dtype": str(layer.dtype),
                "sparse": False, "name": layer.name}}
        else:
            out = _layer_out(layer)
        for node in entry["inbound_nodes"]:
            if len({tuple(ref[:3]) for ref in node}) < len(node):
                raise _refuse(layer, "it takes one tensor twice (like Add()([x, x])), which "
                                     "TF.js frees twice while predicting. Fix: pass each tensor "
                                     "once (x * 2 is Add()([x, x]); use a Dense or a branch)")
            for ref in node:
                if ref[3]:
                    raise _refuse(layer, f"it is called with {sorted(ref[3])}, which the "
                                         "exporter does not write. Fix: call it on tensors only")
        entries.append({**out, "name": layer.name, "inbound_nodes": entry["inbound_nodes"]})

    def refs(key):
        value = config[key]
        return [value] if value and isinstance(value[0], str) else value

    used = {tuple(ref[:3]) for e in entries for node in e["inbound_nodes"] for ref in node}
    used |= {tuple(ref) for ref in refs("output_layers")}
    for layer in model.layers:
        if getattr(layer, "return_state", False) and not layer.return_sequences and any(
                (layer.name, n, 0) in used and (layer.name, n, 1) in used for n in range(9)):
            raise _refuse(layer, "both its output and its state h are used, and without "
                                 "return_sequences they are one tensor, which TF.js then frees "
                                 "twice while predicting. Fix: use the state h only")
    return {"class_name": "Model", "config": {"name": model.name, "layers": entries,
                                              "input_layers": refs("input_layers"),
                                              "output_layers": refs("output_layers")}}


def to_tfjs(model, directory, metadata=None):
    """Write `model` as a TensorFlow.js Layers model: ``directory/model.json`` + shards.

    Load it in a page with ``tf.loadLayersModel("<url of directory>/model.json")``.
    `metadata` (JSON data, e.g. ``{"labels": [...]}``) is stored as the model's
    ``userDefinedMetadata`` (TF.js: ``model.getUserDefinedMetadata()``). A layer TF.js cannot
    run as tensorkit computes it raises ``ExportError`` before anything is written; files
    are written beside the folder first and moved in when complete.
    """
    from . import __version__
    from .models import Model
    if not isinstance(model, Model):
        raise TypeError(f"to_tfjs exports models (tk.Sequential, tk.Model), received "
                        f"{type(model).__name__}. Fix: put the layer in a model first.")
    topology = _topology(model)
    specs, chunks = [], []
    for name, w in _weight_names(model):
        arr = w.numpy()
        if arr.dtype.kind != "f":
            raise ExportError(f"weight '{name}' is {arr.dtype}; TF.js layers hold float32.")
        specs.append({"name": name, "shape": [int(n) for n in arr.shape], "dtype": "float32"})
        chunks.append(numpy.ascontiguousarray(arr, dtype="<f4").tobytes())
    data = b"".join(chunks)
    shards = [data[i:i + SHARD_BYTES] for i in range(0, len(data), SHARD_BYTES)] or [b""]
    paths = [f"group1-shard{i + 1}of{len(shards)}.bin" for i in range(len(shards))]
    doc = {"format": "layers-model", "generatedBy": f"tensorkit {__version__}",
           "convertedBy": None,
           "modelTopology": {**topology, "keras_version": f"tensorkit {__version__}",
                             "backend": "tensor_flow.js"},
           "weightsManifest": [{"paths": paths, "weights": specs}]}
    if metadata is not None:
        doc["userDefinedMetadata"] = metadata
    try:
        text = json.dumps(doc, indent=1, allow_nan=False).encode()
    except (TypeError, ValueError) as e:
        raise ExportError(f"metadata must be JSON data (numbers, strings, lists, dicts): {e}") \
            from None
    _write_folder(os.fspath(directory), {**dict(zip(paths, shards)), "model.json": text})


def _write_folder(directory, files):
    """Write `files` into a temporary folder beside `directory`, then move them in, the
    shards first and model.json last, and drop shards an older export left behind."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise FileExistsError(f"cannot export to {directory!r}: it is a file. A TF.js model is "
                              "a folder (model.json + shards); give a folder name.")
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(directory) + ".")
    try:
        for name, data in files.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        os.makedirs(directory, exist_ok=True)
        for name in sorted(files, key=lambda n: n == "model.json"):
            os.replace(os.path.join(tmp, name), os.path.join(directory, name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name in os.listdir(directory):
        if _OUR_SHARD.match(name) and name not in files:
            os.unlink(os.path.join(directory, name))


# ---- import --------------------------------------------------------------------------------
_HARMLESS = {   # Keras 2 / TF.js keys tensorkit has no use for, when they hold these values
    "stateful": (False, None), "unroll": None, "implementation": None, "time_major": (False,),
    "input_length": None, "sparse": (False, None), "ragged": (False, None), "groups": (1,),
    "noise_shape": (None,), "num_constants": (None, 0), "input_dtype": None,
    "batch_input_shape": None, "batch_shape": None, "batch_size": None,
}
_TRAINING_ONLY = ("_regularizer", "_constraint")


def _tk_class(kind):
    from . import layers
    return getattr(layers, kind)


def _activation_in(path, name, key, value):
    if isinstance(value, dict):
        value = value.get("class_name") if not value.get("config") else value
    if not isinstance(value, str):
        raise ModelFileError(f"{path}: layer {name!r} has {key}={value!r:.60}, which tensorkit "
                             "does not read; nothing was run.")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", value).lower()
    if snake == "hard_sigmoid":
        return "keras2_hard_sigmoid"                   # TF.js's own (Keras 2's) formula
    if snake not in _ACTIVATIONS:
        raise ModelFileError(f"{path}: layer {name!r} uses {key}={value!r}, which tensorkit does "
                             f"not have (it has {', '.join(sorted(_ACTIVATIONS))}).")
    return snake


def _regularizer_in(value):
    """A TF.js / Keras 2 regularizer config as a tensorkit regularizer, or None."""
    try:
        return regularizers.get(value)        # JSON holds no functions: L1, L2, L1L2 or None
    except ValueError:
        return None


def _constraint_in(value):
    """A TF.js / Keras 2 constraint config as a saved tensorkit constraint, or None."""
    try:                                      # MaxNorm, MinMaxNorm, NonNeg, UnitNorm or None
        found = constraints.get(value) if isinstance(value, dict) else None
        return constraints.serialize(found) if found is not None else None
    except (TypeError, ValueError):           # unknown class or config keys
        return None


def _layer_in(path, entry, where):
    """A TF.js / Keras 2 layer entry -> tensorkit's ``{"class_name", "config"}``."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict) or \
            not isinstance(entry.get("class_name"), str):
        raise _damaged(path, f"{where} is not a {{'class_name', 'config'}} layer entry")
    kind, config = entry["class_name"], entry["config"]
    name = config.get("name", entry.get("name", "?"))
    if kind == "InputLayer":
        shape = config.get("batch_input_shape", config.get("batch_shape"))
        if not isinstance(shape, list) or not shape:
            raise _damaged(path, f"input layer {name!r} has no batch_input_shape")
        dtype = config.get("dtype") or "float32"
        return {"class_name": "InputLayer", "config": {"name": name, "shape": shape[1:],
                                                       "dtype": _dtype_in(path, name, dtype)}}
    if kind not in TFJS_LAYERS or kind in _NOT_IN_TFJS:
        raise ModelFileError(f"{path}: layer {name!r} is a {kind}, which tensorkit cannot load "
                             f"(it reads {', '.join(sorted(TFJS_LAYERS))}); nothing was run.")
    params = inspect.signature(_tk_class(kind).__init__).parameters
    ours = {theirs: key for key, theirs in _TFJS_KEYS.get(kind, {}).items()}
    cell = config.get("cell") if kind == "RNN" else None
    repeated = (cell.get("config") or {}) if isinstance(cell, dict) else {}
    out = {"name": name, "trainable": bool(config.get("trainable", True)),
           "dtype": _dtype_in(path, name, config.get("dtype") or "float32")}
    for key, value in config.items():
        if key in ("name", "trainable", "dtype"):
            continue
        key = ours.get(key, key)
        if key.endswith(_TRAINING_ONLY) or key == "activity_regularizer":
            if key in constrained(_tk_class(kind)):
                found = _constraint_in(value)
            else:
                penalty = _regularizer_in(value) if key == "activity_regularizer" or \
                    key in _tk_class(kind).regularized else None
                found = regularizers.serialize(penalty) if penalty is not None else None
            if found is not None:
                out[key] = found
            elif value is not None:
                warnings.warn(f"{path}: layer {name!r}: {key} is left out (tensorkit reads "
                              "L1/L2/L1L2 regularizers and the MaxNorm, MinMaxNorm, NonNeg "
                              "and UnitNorm constraints); predictions are the same, further "
                              "training differs.", stacklevel=3)
        elif key.endswith("_initializer") and key in params:
            found = _initializer_in(value)
            if found is not None:
                out[key] = found
        elif key.endswith("activation") and key in params:
            out[key] = _activation_in(path, name, key, value)
        elif key == "layer" and kind in ("Bidirectional", "TimeDistributed"):
            out[key] = _layer_in(path, value, f"the layer inside {name!r}")
        elif key == "cell" and kind == "RNN":
            out[key] = _cell_in(path, value, f"the cell of {name!r}")
        elif key == "cells" and kind == "StackedRNNCells" and isinstance(value, list):
            out[key] = [_cell_in(path, c, f"cell {i} of {name!r}") for i, c in enumerate(value)]
        elif key in repeated and key not in params:
            continue                          # TF.js's RNN config repeats its cell's keys
        elif key in params and key in TFJS_LAYERS[kind]:
            if value is None and params[key].default is not None and key != "merge_mode":
                continue                                   # TF.js's null: tensorkit's default
            out[key] = value[0] if key == "axis" and kind == "BatchNormalization" and \
                isinstance(value, list) and len(value) == 1 else value
        elif key in _HARMLESS and (_HARMLESS[key] is None or value in _HARMLESS[key]):
            continue
        else:
            raise ModelFileError(f"{path}: layer {name!r} ({kind}) has {key}={value!r:.60}, "
                                 f"which tensorkit's {kind} does not support; nothing was run.")
    if kind == "UpSampling2D" and out.get("interpolation", "nearest") != "nearest":
        raise ModelFileError(f"{path}: layer {name!r} upsamples bilinearly with TF.js's pixel "
                             "centres, which tensorkit does not compute; nothing was run.")
    rates = out.get("dilation_rate", 1)
    if kind == "DepthwiseConv2D" and any(type(r) is int and r > 1 for r in (
            rates if isinstance(rates, list) else [rates])):
        raise ModelFileError(f"{path}: layer {name!r} is a DepthwiseConv2D with dilation_rate="
                             f"{rates}, which TF.js ignores (it convolves undilated) but Keras "
                             "and tensorkit do not, so what the model computes is unclear; "
                             "nothing was run.")
    return {"class_name": kind, "config": out}


def _cell_in(path, entry, where):
    if not isinstance(entry, dict) or entry.get("class_name") not in (
            "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"):
        kind = entry.get("class_name") if isinstance(entry, dict) else None
        raise ModelFileError(f"{path}: {where} is a {kind!r}, which tensorkit cannot load (it "
                             "reads SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells); "
                             "nothing was run.")
    return _layer_in(path, entry, where)


def _dtype_in(path, name, dtype):
    if isinstance(dtype, dict):                   # Keras 3's DTypePolicy
        dtype = (dtype.get("config") or {}).get("name")
    if dtype not in ("float32", "int32"):
        raise ModelFileError(f"{path}: layer {name!r} has dtype {dtype!r}; tensorkit loads "
                             "float32 layers (int32 inputs) only.")
    return dtype


def _batch_shape(config):
    shape = config.get("batch_input_shape", config.get("batch_shape"))
    return shape if isinstance(shape, list) and shape else None


def _topology_in(path, topology):
    """TF.js's modelTopology -> tensorkit's model config (checked by saving._Loader)."""
    if not isinstance(topology, dict):
        raise _damaged(path, "modelTopology is not an object")
    topology = topology.get("model_config", topology)          # Keras converter's wrapping
    kind, config = topology.get("class_name"), topology.get("config")
    if kind == "Sequential":
        entries = config if isinstance(config, list) else (config or {}).get("layers")
        if not isinstance(entries, list) or not entries:
            raise _damaged(path, "the Sequential model lists no layers")
        first = entries[0].get("config") if isinstance(entries[0], dict) else None
        layers = [_layer_in(path, e, f"layer {i}") for i, e in enumerate(entries)]
        if layers[0]["class_name"] != "InputLayer":
            shape = _batch_shape(first or {})
            if shape is None:
                raise ModelFileError(f"{path}: the Sequential model's first layer has no "
                                     "batch_input_shape, so its weights' shapes are unknown.")
            layers.insert(0, {"class_name": "InputLayer", "config": {
                "name": f"{layers[0]['config']['name']}_input", "shape": shape[1:],
                "dtype": "float32"}})
        name = config.get("name", "sequential") if isinstance(config, dict) else "sequential"
        return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}
    if kind in ("Model", "Functional"):
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise _damaged(path, f"the {kind} config lists no layers")
        layers = []
        for i, e in enumerate(config["layers"]):
            converted = _layer_in(path, e, f"layer {i}")
            nodes = e.get("inbound_nodes", [])
            if not isinstance(nodes, list):
                raise _damaged(path, f"layer {i} has no inbound_nodes list")
            if any(isinstance(n, dict) for n in nodes):
                raise ModelFileError(f"{path}: layer {converted['config']['name']!r} lists its "
                                     "inputs in Keras 3's format, which TF.js does not read "
                                     "either. Fix: export the model with the TF.js converter "
                                     "from a Keras 2 (tf.keras) model.")
            layers.append({**converted, "name": converted["config"]["name"],
                           "inbound_nodes": nodes})

        def refs(key):
            value = config.get(key)
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
                return value[0]
            return value

        return {"class_name": "Functional", "config": {
            "name": config.get("name", "model"), "layers": layers,
            "input_layers": refs("input_layers"), "output_layers": refs("output_layers")}}
    raise ModelFileError(f"{path}: modelTopology is a {kind!r}; tensorkit reads Sequential and "
                         "functional (Model) Layers models.")


def _read_weights(directory, path, manifest):
    """{name: float32 array} from the manifest's groups, every shard checked first."""
    if not isinstance(manifest, list) or not manifest:
        raise _damaged(path, "weightsManifest is missing or empty")
    arrays, total = {}, 0
    for g, group in enumerate(manifest):
        where = f"weightsManifest[{g}]"
        if not isinstance(group, dict) or not isinstance(group.get("paths"), list) or \
                not isinstance(group.get("weights"), list):
            raise _damaged(path, f"{where} has no 'paths' and 'weights' lists")
        specs, need = [], 0
        for spec in group["weights"]:
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or \
                    not isinstance(spec.get("shape"), list) or \
                    any(type(n) is not int or n < 0 for n in spec["shape"]):
                raise _damaged(path, f"{where} has a malformed weight entry {spec!r:.80}")
            if spec.get("quantization") is not None:
                raise ModelFileError(f"{path}: weight {spec['name']!r} is quantized; tensorkit "
                                     "reads float32 weights. Fix: convert without quantization.")
            if spec.get("dtype", "float32") not in ("float32", "int32"):
                raise ModelFileError(f"{path}: weight {spec['name']!r} has dtype "
                                     f"{spec.get('dtype')!r}; tensorkit reads float32.")
            size = 4 * int(numpy.prod(spec["shape"], dtype=object))
            need += size
            specs.append((spec, size))
        total += need
        if total > MAX_WEIGHT_BYTES:
            raise _hostile(path, f"its manifest asks for {total:,} bytes of weights")
        data = bytearray()
        for name in group["paths"]:
            if isinstance(name, str) and name.startswith("./"):    # TF.js's downloads write it
                name = name[2:]
            if not isinstance(name, str) or not _SHARD_NAME.match(name) or ".." in name:
                raise _hostile(path, f"{where} names the shard {name!r:.80}, which is not a "
                                     "file name in the model's folder")
            shard = os.path.join(directory, name)
            if not os.path.isfile(shard):
                raise ModelFileError(f"{path}: the weight shard {name!r} is missing from "
                                     f"{directory!r}. Fix: copy every file the export wrote "
                                     "(model.json and all *.bin shards).")
            if len(data) + os.path.getsize(shard) > need:
                raise _damaged(path, f"the shards of {where} hold more bytes than its "
                                     f"{len(specs)} weights need ({need:,})")
            with open(shard, "rb") as f:
                data += f.read()
        if len(data) != need:
            raise _damaged(path, f"the shards of {where} hold {len(data):,} bytes but its "
                                 f"weights need {need:,}")
        offset = 0
        for spec, size in specs:
            dtype = "<i4" if spec.get("dtype") == "int32" else "<f4"
            arr = numpy.frombuffer(bytes(data[offset:offset + size]), dtype=dtype)
            offset += size
            if spec.get("group") == "optimizer":
                continue
            if spec["name"] in arrays:
                raise _damaged(path, f"the weight {spec['name']!r} is listed twice")
            arrays[spec["name"]] = arr.reshape(spec["shape"]).astype(numpy.float32)
    return arrays


def _assign(path, model, arrays):
    """Set every weight by TF.js's rule: by name, a 'layer/cell/weight' name also standing
    for 'layer/weight' (Keras' converter writes the RNN cell's name in between)."""
    targets = dict(_weight_names(model))
    pairs = {}
    for name, arr in arrays.items():
        key = name
        if key not in targets:
            parts = name.split("/")
            key = "/".join(parts[:-2] + parts[-1:])
        if key not in targets or key in pairs:
            raise ModelFileError(f"{path}: the weight {name!r} belongs to no layer of the model "
                                 f"(its weights: {sorted(targets)[:8]}); nothing was loaded.")
        if tuple(arr.shape) != targets[key].shape:
            raise ModelFileError(f"{path}: weight {name!r} has shape {tuple(arr.shape)} in the "
                                 f"shards but {targets[key].shape} in the model's layers; "
                                 "nothing was loaded.")
        pairs[key] = arr
    missing = sorted(set(targets) - set(pairs))
    if missing:
        raise ModelFileError(f"{path}: the weights {missing[:8]} are not in the manifest; "
                             "nothing was loaded.")
    for key, arr in pairs.items():
        targets[key].assign(arr)


def load_tfjs(directory):
    """A tensorkit model, weights included, from a TF.js Layers model folder (or its
    model.json): written by ``to_tfjs``, by TensorFlow.js, or by its Keras converter."""
    directory = os.fspath(directory)
    path = directory if directory.endswith(".json") else os.path.join(directory, "model.json")
    directory = os.path.dirname(path) or "."
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no TF.js model at {path!r}. Fix: give the folder that "
                                "holds model.json and its *.bin shards.")
    if os.path.getsize(path) > MAX_JSON_BYTES:
        raise _hostile(path, f"it is {os.path.getsize(path):,} bytes, more than a model.json")
    with open(path, "rb") as f:
        raw = f.read()

    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _damaged(path, f"model.json is not valid JSON: {e}") from None
    if not isinstance(doc, dict) or "modelTopology" not in doc:
        raise _damaged(path, "model.json has no modelTopology")
    if doc.get("format") not in (None, "layers-model"):
        raise ModelFileError(f"{path} is a TF.js {doc.get('format')!r}; tensorkit reads "
                             "'layers-model' (from tf.LayersModel.save or the Keras converter).")
    arrays = _read_weights(directory, path, doc.get("weightsManifest"))
    config = _topology_in(path, doc["modelTopology"])
    n_params = sum(a.size for a in arrays.values())
    try:
        model = _Loader(path, {}, max(2**20, 4 * n_params), None).layer(config, "model.json")
    except RecursionError:
        raise _hostile(path, "its topology nests too deeply") from None
    _assign(path, model, arrays)
    return model

