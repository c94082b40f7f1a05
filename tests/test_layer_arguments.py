"""Learners' argument mistakes: each layer refuses them at construction (or, for shapes, at
build) with a message naming the layer, the value received and the fix; everything Keras 3
accepts is accepted."""

import re

import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.errors import ShapeError

BAD_ARGUMENTS = [
    # sizes of the wrong type or sign
    (lambda: layers.Dense(units=10.5), ValueError, r"Dense expects units to be a positive "
                                                   r"integer. Received: units=10.5"),
    (lambda: layers.Dense("10"), ValueError, r"Dense .*units.*Received: units='10'"),
    (lambda: layers.Dense([10]), ValueError, r"Dense .*units.*Received: units=\[10\]"),
    (lambda: layers.Dense(0), ValueError, r"Dense .*positive integer.*units=0"),
    (lambda: layers.Conv2D(-4, 3), ValueError, r"Conv2D .*filters.*filters=-4"),
    (lambda: layers.LSTM(4.5), ValueError, r"LSTM .*units.*units=4.5"),
    (lambda: layers.Embedding(1000.0, 8), ValueError, r"Embedding .*input_dim=1000.0"),
    (lambda: layers.MultiHeadAttention(num_heads="2", key_dim=4), ValueError,
     r"MultiHeadAttention .*num_heads='2'"),
    # tuples of the wrong length, windows of the wrong kind
    (lambda: layers.Conv2D(8, kernel_size=(3, 3, 3)), ValueError,
     r"Conv2D expects kernel_size .*tuple of 2.*Received: kernel_size=\(3, 3, 3\)"),
    (lambda: layers.Conv1D(8, kernel_size=[3, 3]), ValueError, r"Conv1D .*kernel_size=\[3, 3\]"),
    (lambda: layers.MaxPooling2D(pool_size=(2,)), ValueError,
     r"MaxPooling2D expects pool_size .*Received: pool_size=\(2,\)"),
    (lambda: layers.Conv2D(8, 3, strides=0), ValueError, r"Conv2D .*strides=0"),
    (lambda: layers.UpSampling1D(size=(2,)), ValueError,
     r"UpSampling1D expects size to be one positive integer.*Fix: size=2"),
    (lambda: layers.Cropping2D(((1, 1), (1, 1), (1, 1))), ValueError, r"Cropping2D .*cropping="),
    # string options
    (lambda: layers.Conv2D(8, 3, padding="full"), ValueError,
     r"Conv2D expects padding to be one of 'valid', 'same'. Received: padding='full'"),
    (lambda: layers.MaxPooling2D(padding="causal"), ValueError, r"MaxPooling2D .*padding="),
    (lambda: layers.Conv2D(8, 3, data_format="channels_first"), ValueError,
     r"Conv2D supports only data_format='channels_last'.*Fix: .*transpose"),
    (lambda: layers.MaxPooling2D(data_format="channel_last"), ValueError,
     r"MaxPooling2D expects data_format .*Received: data_format='channel_last'"),
    (lambda: layers.Dense(4, activation="Relu"), ValueError,
     r"Dense: Unknown activation 'Relu' \(.*lower case.*Did you mean 'relu'\? "
     r"Fix: activation='relu'"),
    (lambda: layers.LSTM(4, recurrent_activation="sigmod"), ValueError,
     r"LSTM: Unknown activation 'sigmod'.*Fix: recurrent_activation='sigmoid'"),
    (lambda: layers.Dense(4, activation=5), ValueError, r"Dense expects activation .*=5"),
    (lambda: layers.Dense(4, kernel_initializer="glorot"), ValueError,
     r"Dense: unknown initializer 'glorot'. Did you mean 'glorot_\w+'\?"),
    (lambda: layers.Conv2D(4, 3, bias_initializer=5), ValueError,
     r"Conv2D expects bias_initializer .*bias_initializer=5"),
    (lambda: layers.UpSampling2D(interpolation="linear"), ValueError, r"UpSampling2D .*'linear'"),
    # rates and numbers
    (lambda: layers.Dropout(1.5), ValueError, r"Dropout expects rate in \[0, 1\).*rate=1.5"),
    (lambda: layers.Dropout(-0.1), ValueError, r"Dropout .*rate=-0.1"),
    (lambda: layers.Dropout("0.5"), ValueError, r"Dropout .*rate='0.5'"),
    (lambda: layers.SpatialDropout2D(1.0), ValueError, r"SpatialDropout2D .*rate=1.0"),
    (lambda: layers.LSTM(4, dropout=1.2), ValueError, r"LSTM expects dropout in \[0, 1\)"),
    (lambda: layers.AdditiveAttention(dropout=2), ValueError,
     r"AdditiveAttention expects dropout in \[0, 1\)"),
    (lambda: layers.BatchNormalization(momentum=1.5), ValueError,
     r"BatchNormalization expects momentum in \[0, 1\]"),
    (lambda: layers.LayerNormalization(epsilon=0), ValueError, r"LayerNormalization .*epsilon=0"),
    (lambda: layers.Rescaling("1/255"), ValueError,
     r"Rescaling expects scale to be a number.*1 / 255.*scale='1/255'"),
    (lambda: layers.Dropout(0.5, seed="42"), ValueError,
     r"Dropout expects seed to be an integer.*seed='42'"),
    (lambda: layers.RandomFlip(seed=4.5), ValueError, r"RandomFlip expects seed .*seed=4.5"),
    (lambda: layers.LSTMCell(4, seed="1"), ValueError, r"LSTMCell expects seed"),
    (lambda: layers.Dropout(0.5, noise_shape=5), ValueError,
     r"Dropout expects noise_shape to be a tuple.*noise_shape=5"),
    (lambda: layers.Normalization(axis=1.5), ValueError, r"Normalization expects axis .*=1.5"),
    # wrong objects
    (lambda: layers.Bidirectional(None), ValueError,
     r"Bidirectional wraps a recurrent layer.*Received: layer=None"),
    (lambda: layers.TimeDistributed("dense"), ValueError, r"TimeDistributed expects a layer"),
    # unknown keyword arguments, with the nearest real one
    (lambda: layers.Conv2D(filter=8, kernel_size=3), TypeError,
     r"Conv2D got unexpected argument\(s\) filter: Unrecognized keyword arguments passed to "
     r"Conv2D: \{'filter': 8\}. Did you mean filters\? Fix: Conv2D\(filters=8, ...\)"),
    (lambda: layers.Dense(unit=8), TypeError, r"Dense .*unit.*Did you mean units\?"),
    (lambda: layers.LSTM(4, return_sequence=True), TypeError,
     r"LSTM .*Did you mean return_sequences\?"),
    (lambda: layers.Dense(4, activaton="relu"), ValueError,
     r"Unrecognized keyword arguments passed to Dense.*Did you mean activation\?"),
    (lambda: layers.Flatten(start_dim=1), TypeError,
     r"Flatten got unexpected argument\(s\) start_dim.*Flatten takes: data_format"),
]


@pytest.mark.parametrize("make, error, words", BAD_ARGUMENTS,
                         ids=[f"case{i}" for i in range(len(BAD_ARGUMENTS))])
def test_bad_argument_is_refused_at_construction(make, error, words):
    with pytest.raises(error, match=words):
        make()


KERAS_ACCEPTS = [
    lambda: layers.Dense(4, input_dim=3),                 # Keras: input_shape=(3,)
    lambda: layers.Conv2D(8, 3, padding="SAME"),          # Keras lower-cases padding
    lambda: layers.MaxPooling2D(padding="Same"),
    lambda: layers.Conv2D(8, 3, data_format="CHANNELS_LAST"),   # and data_format
    lambda: layers.Dense(4, kernel_initializer="GlorotUniform"),  # Keras' class names
    lambda: layers.Dense(4, bias_initializer="zero"),     # and its aliases
    lambda: layers.Dense(4, kernel_initializer="normal"),
    lambda: layers.Dropout(0.0, seed=3),
    lambda: layers.Rescaling(1 / 255, offset=-1),
]


@pytest.mark.parametrize("make", KERAS_ACCEPTS, ids=[f"ok{i}" for i in range(len(KERAS_ACCEPTS))])
def test_what_keras_accepts_is_accepted(make):
    make()


def test_input_dim_gives_the_input_shape():
    model = tk.Sequential([layers.Dense(4, input_dim=3)])
    assert model.output_shape == (None, 4)


WRONG_RANK = [       # one per family: the layer, an input shape, the rank it needs
    (lambda: layers.Dense(4), (784,), "rank 1", "Dense", r"x\[None\]"),
    (lambda: layers.Conv2D(4, 3), (8, 28, 28), "rank 3", "conv2d", r"x\[\.\.\., None\]"),
    (lambda: layers.Conv1D(4, 3), (8, 20), "rank 2", "conv1d", "rank 3"),
    (lambda: layers.MaxPooling2D(), (28, 28, 1), "rank 3", "MaxPooling2D", r"x\[None\]"),
    (lambda: layers.GlobalAveragePooling2D(), (8, 16), "rank 2", "GlobalAveragePooling2D",
     "rank 4"),
    (lambda: layers.ZeroPadding2D(), (8, 28, 28), "rank 3", "ZeroPadding2D", "rank 4"),
    (lambda: layers.LSTM(4), (8, 16), "rank 2", "LSTM", "3-D"),
    (lambda: layers.BatchNormalization(), (16,), "rank 1", "BatchNormalization",
     r"x\[None\]"),
    (lambda: layers.MultiHeadAttention(2, 4), (8, 16), "rank 2", "MultiHeadAttention",
     "rank 3"),
    (lambda: layers.Permute((2, 1)), (8, 4, 4, 3), "rank 4", "Permute", r"1\.\.3"),
    (lambda: layers.RepeatVector(3), (8, 4, 4), "rank-2", "RepeatVector", "flatten"),
    (lambda: layers.TimeDistributed(layers.Dense(3)), (8, 4), "rank 3 or more",
     "TimeDistributed", "time"),
    (lambda: layers.RandomFlip(), (28, 28), "rank", "RandomFlip", ""),
]


@pytest.mark.parametrize("make, shape, rank, who, fix", WRONG_RANK,
                         ids=[f"rank{i}" for i in range(len(WRONG_RANK))])
def test_first_call_with_wrong_rank_names_layer_shape_and_rank(make, shape, rank, who, fix):
    layer = make()
    with pytest.raises(ShapeError) as info:
        layer(tk.symbolic(shape)) if not isinstance(layer, layers.MultiHeadAttention) else \
            layer(tk.symbolic(shape), tk.symbolic(shape))
    message = str(info.value)
    assert layer.name in message and who in message
    assert tk.errors.format_shape(shape) in message
    assert rank in message
    assert re.search(fix, message)


def test_dot_on_vectors_without_batch_names_the_layer():
    with pytest.raises(ShapeError, match=r"In layer 'dot\w*'.*axes=1 .*rank 1"):
        layers.Dot(axes=1)([tk.symbolic((4,)), tk.symbolic((4,))])
