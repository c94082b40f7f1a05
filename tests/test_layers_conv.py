"""Convolution, pooling and spatial reshaping layers (1-D, 2-D and volumes): shapes (also
symbolic), float64 gradients, Keras weight shapes, parity with loop references, configs,
saving and error text."""

import inspect

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.testing import gradcheck


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# name -> (make the layer, input shape, expected output shape)
CASES = {
    "conv1d_valid": (lambda **k: layers.Conv1D(3, 3, **k), (2, 7, 2), (2, 5, 3)),
    "conv1d_same_s2": (lambda **k: layers.Conv1D(3, 3, strides=2, padding="same", **k),
                       (2, 7, 2), (2, 4, 3)),
    "conv1d_causal_d2": (lambda **k: layers.Conv1D(2, 2, padding="causal", dilation_rate=2,
                                                   activation="tanh", **k), (2, 6, 2), (2, 6, 2)),
    "conv2d_valid": (lambda **k: layers.Conv2D(3, 3, activation="relu", **k), (2, 5, 6, 2),
                     (2, 3, 4, 3)),
    "conv2d_same_s2": (lambda **k: layers.Conv2D(2, (3, 2), strides=2, padding="same", **k),
                       (2, 5, 6, 2), (2, 3, 3, 2)),
    "conv2d_dilated": (lambda **k: layers.Conv2D(2, 2, dilation_rate=2, use_bias=False, **k),
                       (1, 5, 5, 2), (1, 3, 3, 2)),
    "conv2d_transpose_same": (lambda **k: layers.Conv2DTranspose(2, 3, strides=2,
                                                                 padding="same", **k),
                              (2, 3, 3, 2), (2, 6, 6, 2)),
    "conv2d_transpose_valid": (lambda **k: layers.Conv2DTranspose(3, 3, strides=2, **k),
                               (1, 3, 2, 2), (1, 7, 5, 3)),
    "conv2d_transpose_outpad": (lambda **k: layers.Conv2DTranspose(2, 3, strides=2,
                                                                   output_padding=1, **k),
                                (1, 3, 3, 2), (1, 8, 8, 2)),
    "conv1d_transpose_valid": (lambda **k: layers.Conv1DTranspose(3, 3, strides=2, **k),
                               (2, 4, 2), (2, 9, 3)),
    "conv1d_transpose_same": (lambda **k: layers.Conv1DTranspose(2, 4, strides=2,
                                                                 padding="same", **k),
                              (2, 5, 3), (2, 10, 2)),
    "conv1d_transpose_outpad": (lambda **k: layers.Conv1DTranspose(2, 3, strides=3,
                                                                   output_padding=2, **k),
                                (1, 3, 2), (1, 11, 2)),
    "conv1d_transpose_dilated": (lambda **k: layers.Conv1DTranspose(
        2, 3, dilation_rate=2, activation="tanh", use_bias=False, **k), (2, 4, 3), (2, 8, 2)),
    "conv2d_groups": (lambda **k: layers.Conv2D(4, 3, groups=2, padding="same", **k),
                      (2, 4, 5, 6), (2, 4, 5, 4)),
    "conv1d_groups": (lambda **k: layers.Conv1D(6, 2, groups=3, **k), (2, 5, 3), (2, 4, 6)),
    "depthwise": (lambda **k: layers.DepthwiseConv2D(3, **k), (2, 5, 6, 2), (2, 3, 4, 2)),
    "depthwise_dm2_same_s2": (lambda **k: layers.DepthwiseConv2D(
        (3, 2), strides=2, padding="same", depth_multiplier=2, activation="relu", **k),
        (2, 5, 6, 3), (2, 3, 3, 6)),
    "depthwise_dilated": (lambda **k: layers.DepthwiseConv2D(2, dilation_rate=2, use_bias=False,
                                                             **k), (1, 5, 5, 5), (1, 3, 3, 5)),
    "separable": (lambda **k: layers.SeparableConv2D(3, 3, **k), (2, 5, 6, 2), (2, 3, 4, 3)),
    "separable_dm2_same_s2": (lambda **k: layers.SeparableConv2D(
        4, 3, strides=2, padding="same", depth_multiplier=2, activation="tanh", **k),
        (2, 5, 6, 3), (2, 3, 3, 4)),
    "max_pool1d": (lambda **k: layers.MaxPooling1D(**k), (2, 7, 3), (2, 3, 3)),
    "avg_pool1d_same": (lambda **k: layers.AveragePooling1D(3, 2, padding="same", **k),
                        (2, 7, 3), (2, 4, 3)),
    "max_pool2d": (lambda **k: layers.MaxPooling2D(**k), (2, 4, 5, 3), (2, 2, 2, 3)),
    "max_pool2d_same": (lambda **k: layers.MaxPooling2D(3, 2, padding="same", **k),
                        (2, 5, 5, 2), (2, 3, 3, 2)),
    "avg_pool2d": (lambda **k: layers.AveragePooling2D((2, 3), **k), (2, 4, 6, 2), (2, 2, 2, 2)),
    "avg_pool2d_same": (lambda **k: layers.AveragePooling2D(2, padding="same", **k),
                        (2, 5, 3, 2), (2, 3, 2, 2)),
    "global_avg1d": (lambda **k: layers.GlobalAveragePooling1D(**k), (2, 5, 3), (2, 3)),
    "global_max1d_keep": (lambda **k: layers.GlobalMaxPooling1D(keepdims=True, **k), (2, 5, 3),
                          (2, 1, 3)),
    "global_avg2d": (lambda **k: layers.GlobalAveragePooling2D(**k), (2, 3, 4, 3), (2, 3)),
    "global_max2d": (lambda **k: layers.GlobalMaxPooling2D(**k), (2, 3, 4, 3), (2, 3)),
    "upsample_nearest": (lambda **k: layers.UpSampling2D(**k), (2, 2, 3, 2), (2, 4, 6, 2)),
    "upsample_bilinear": (lambda **k: layers.UpSampling2D((2, 3), interpolation="bilinear", **k),
                          (1, 2, 3, 2), (1, 4, 9, 2)),
    "zero_padding": (lambda **k: layers.ZeroPadding2D(((1, 2), (0, 3)), **k), (2, 3, 2, 2),
                     (2, 6, 5, 2)),
    "upsample1d": (lambda **k: layers.UpSampling1D(3, **k), (2, 3, 2), (2, 9, 2)),
    "zero_padding1d": (lambda **k: layers.ZeroPadding1D((2, 1), **k), (2, 3, 2), (2, 6, 2)),
    "cropping1d": (lambda **k: layers.Cropping1D((1, 2), **k), (2, 5, 2), (2, 2, 2)),
    "cropping2d": (lambda **k: layers.Cropping2D(((1, 0), (1, 2)), **k), (2, 4, 5, 2),
                   (2, 3, 2, 2)),
    "conv3d_valid": (lambda **k: layers.Conv3D(2, 2, **k), (2, 3, 4, 3, 2), (2, 2, 3, 2, 2)),
    "conv3d_same_s2": (lambda **k: layers.Conv3D(2, (3, 2, 3), strides=2, padding="same",
                                                 activation="relu", **k),
                       (1, 3, 4, 5, 2), (1, 2, 2, 3, 2)),
    "conv3d_dilated_groups": (lambda **k: layers.Conv3D(4, 2, dilation_rate=(2, 1, 1), groups=2,
                                                        use_bias=False, **k),
                              (1, 3, 2, 2, 4), (1, 1, 1, 1, 4)),
    "conv3d_transpose_same": (lambda **k: layers.Conv3DTranspose(2, 2, strides=2,
                                                                 padding="same", **k),
                              (1, 2, 2, 1, 2), (1, 4, 4, 2, 2)),
    "conv3d_transpose_outpad": (lambda **k: layers.Conv3DTranspose(
        2, 2, strides=(2, 1, 2), output_padding=(1, 0, 0), activation="tanh", **k),
        (1, 2, 2, 2, 2), (1, 5, 3, 4, 2)),
    "max_pool3d": (lambda **k: layers.MaxPooling3D(**k), (2, 4, 4, 5, 2), (2, 2, 2, 2, 2)),
    "max_pool3d_same": (lambda **k: layers.MaxPooling3D(3, 2, padding="same", **k),
                        (1, 3, 4, 5, 2), (1, 2, 2, 3, 2)),
    "avg_pool3d": (lambda **k: layers.AveragePooling3D((1, 2, 2), **k), (2, 2, 4, 4, 2),
                   (2, 2, 2, 2, 2)),
    "avg_pool3d_same": (lambda **k: layers.AveragePooling3D(2, padding="same", **k),
                        (1, 3, 3, 2, 2), (1, 2, 2, 1, 2)),
    "global_avg3d": (lambda **k: layers.GlobalAveragePooling3D(**k), (2, 2, 3, 2, 3), (2, 3)),
    "global_max3d_keep": (lambda **k: layers.GlobalMaxPooling3D(keepdims=True, **k),
                          (2, 2, 3, 2, 3), (2, 1, 1, 1, 3)),
    "upsample3d": (lambda **k: layers.UpSampling3D((1, 2, 2), **k), (1, 2, 2, 2, 2),
                   (1, 2, 4, 4, 2)),
    "zero_padding3d": (lambda **k: layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)), **k),
                       (1, 2, 2, 2, 2), (1, 3, 4, 4, 2)),
    "cropping3d": (lambda **k: layers.Cropping3D(((1, 0), (0, 1), (1, 1)), **k),
                   (1, 3, 3, 4, 2), (1, 2, 2, 2, 2)),
    "separable1d": (lambda **k: layers.SeparableConv1D(3, 3, **k), (2, 7, 2), (2, 5, 3)),
    "separable1d_dm2_same_s2": (lambda **k: layers.SeparableConv1D(
        4, 3, strides=2, padding="same", depth_multiplier=2, activation="tanh", **k),
        (2, 7, 3), (2, 4, 4)),
    "depthwise1d": (lambda **k: layers.DepthwiseConv1D(3, **k), (2, 7, 3), (2, 5, 3)),
    "depthwise1d_dm2_dilated": (lambda **k: layers.DepthwiseConv1D(
        2, dilation_rate=2, depth_multiplier=2, use_bias=False, **k), (2, 6, 2), (2, 4, 4)),
}


@pytest.mark.parametrize("case", CASES)
def test_output_shape_matches_compute_output_shape_and_symbolic(case):
    make, shape, want = CASES[case]
    layer = make()
    assert layer(tk.tensor(_x(shape))).shape == want
    symbolic = (None,) + want[1:]
    assert layer.compute_output_shape((None,) + shape[1:]) == symbolic
    assert layer(tk.symbolic((None,) + shape[1:])).shape == symbolic
    assert make()(tk.symbolic((None,) + shape[1:])).shape == symbolic    # built symbolically


def layer_gradcheck(layer, x):
    """Check d(layer(x)) for x and every trainable weight, in float64: the weights are
    swapped for gradcheck's tensors during the call."""
    layer(tk.tensor(x, dtype="float64"))
    names = [w.name.split("/")[-1] for w in layer.trainable_weights]
    values = [w.numpy() for w in layer.trainable_weights]

    def f(x, *weights):
        saved = [getattr(layer, n) for n in names]
        for n, w in zip(names, weights):
            setattr(layer, n, w)
        try:
            return layer(x)
        finally:
            for n, w in zip(names, saved):
                setattr(layer, n, w)

    assert gradcheck(f, x, *values, atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_gradients_match_finite_differences_in_float64(case):
    make, shape, _ = CASES[case]
    layer = make(dtype="float64")
    layer_gradcheck(layer, _x(shape, seed=1))
    assert all(w.dtype == np.float64 for w in layer.weights)


@pytest.mark.parametrize("case", CASES)
def test_get_config_round_trips(case):
    make, shape, _ = CASES[case]
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert clone(tk.symbolic((None,) + shape[1:])).shape == \
        layer.compute_output_shape((None,) + shape[1:])


def test_keras_weight_names_shapes_and_order():
    c1 = layers.Conv1D(4, 3)
    c1(tk.ones((1, 5, 2)))
    assert [w.name for w in c1.weights] == ["conv1d/kernel", "conv1d/bias"]
    assert [w.shape for w in c1.get_weights()] == [(3, 2, 4), (4,)]
    c2 = layers.Conv2D(8, (3, 2))
    c2(tk.ones((1, 5, 5, 3)))
    assert [w.shape for w in c2.get_weights()] == [(3, 2, 3, 8), (8,)]
    t = layers.Conv2DTranspose(8, 3, use_bias=False)
    t(tk.ones((1, 4, 4, 5)))
    assert [w.shape for w in t.get_weights()] == [(3, 3, 8, 5)]       # (kh, kw, filters, in)
    assert c2.count_params() == 3 * 2 * 3 * 8 + 8
    cfg = layers.Conv2D(8, 3).get_config()
    assert {k: cfg[k] for k in ("kernel_size", "strides", "padding", "dilation_rate",
                                "activation", "kernel_initializer", "bias_initializer")} == {
        "kernel_size": (3, 3), "strides": (1, 1), "padding": "valid", "dilation_rate": (1, 1),
        "activation": "linear", "kernel_initializer": "glorot_uniform",
        "bias_initializer": "zeros"}


# ---- references written out with loops ----------------------------------------------------

def same_pads(size, k, s, d=1):
    """TensorFlow's "same": ceil(size / s) outputs, the odd extra pad after (bottom/right)."""
    span = (k - 1) * d + 1
    total = max((-(-size // s) - 1) * s + span - size, 0)
    return total // 2, total - total // 2


def ref_conv2d(x, k, strides=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1)):
    x = np.pad(x, ((0, 0),) + pads + ((0, 0),))
    (kh, kw, _, f), (sh, sw), (dh, dw) = k.shape, strides, dilation
    oh = (x.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (x.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    out[:, i, j] += x[:, i * sh + a * dh, j * sw + b * dw] @ k[a, b]
    return out


def test_conv2d_same_padding_puts_the_extra_row_and_column_at_the_bottom_right():
    x, k, b = _x((2, 6, 7, 3)), _x((3, 4, 3, 5), 1), _x((5,), 2)
    layer = layers.Conv2D(5, (3, 4), strides=2, padding="same", dtype="float64")
    layer(tk.tensor(x, dtype="float64"))
    layer.set_weights([k, b])
    pads = (same_pads(6, 3, 2), same_pads(7, 4, 2))
    assert pads == ((0, 1), (1, 2))
    want = ref_conv2d(x, k, (2, 2), pads) + b
    np.testing.assert_allclose(layer(tk.tensor(x, dtype="float64")).numpy(), want, atol=1e-12)
    valid = layers.Conv2D(5, (3, 4), dilation_rate=(1, 2), activation="relu", dtype="float64")
    valid(tk.tensor(x, dtype="float64"))
    valid.set_weights([k, b])
    np.testing.assert_allclose(valid(tk.tensor(x, dtype="float64")).numpy(),
                               np.maximum(ref_conv2d(x, k, dilation=(1, 2)) + b, 0), atol=1e-12)


def test_conv1d_causal_sees_only_the_past():
    x, k = _x((2, 6, 2)), _x((3, 2, 4), 1)
    layer = layers.Conv1D(4, 3, padding="causal", use_bias=False, dtype="float64")
    layer(tk.tensor(x, dtype="float64"))
    layer.set_weights([k])
    want = ref_conv2d(x[:, None], k[None], pads=((0, 0), (2, 0)))[:, 0]
    y = layer(tk.tensor(x, dtype="float64")).numpy()
    np.testing.assert_allclose(y, want, atol=1e-12)
    later = x.copy()
    later[:, 4:] += 1.0                                # changing the future leaves the past
    np.testing.assert_allclose(layer(tk.tensor(later, dtype="float64")).numpy()[:, :4],
                               y[:, :4], atol=1e-12)


def test_conv2d_transpose_scatters_each_input_pixel_and_is_conv2d_adjoint():
    x, k = _x((2, 3, 2, 4)), _x((3, 3, 5, 4), 1)       # kernel (kh, kw, filters, in)
    layer = layers.Conv2DTranspose(5, 3, strides=2, use_bias=False, dtype="float64")
    layer(tk.tensor(x, dtype="float64"))
    layer.set_weights([k])
    want = np.zeros((2, 7, 5, 5))
    for i in range(3):
        for j in range(2):
            for a in range(3):
                for b in range(3):
                    want[:, 2 * i + a, 2 * j + b] += x[:, i, j] @ k[a, b].T
    np.testing.assert_allclose(layer(tk.tensor(x, dtype="float64")).numpy(), want, atol=1e-12)
    same = layers.Conv2DTranspose(5, 3, strides=2, padding="same", use_bias=False,
                                  dtype="float64")
    same(tk.tensor(x, dtype="float64"))
    same.set_weights([k])
    y = same(tk.tensor(x, dtype="float64")).numpy()                  # (2, 6, 4, 5)
    z = _x(y.shape, 3)
    conv = ref_conv2d(z, k, (2, 2), (same_pads(6, 3, 2), same_pads(4, 3, 2)))
    assert np.isclose(np.sum(y * z), np.sum(x * conv))                # <T x, z> = <x, C z>


def ref_pool(x, size, strides, padding, reduce):
    """Windows over the real cells only (padding is never the max, never counted)."""
    n, h, w, c = x.shape
    pads = [same_pads(h, size[0], strides[0]), same_pads(w, size[1], strides[1])] \
        if padding == "same" else [(0, 0), (0, 0)]
    oh = (h + sum(pads[0]) - size[0]) // strides[0] + 1
    ow = (w + sum(pads[1]) - size[1]) // strides[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - pads[0][0], j * strides[1] - pads[1][0]
            win = x[:, max(r0, 0):r0 + size[0], max(c0, 0):c0 + size[1]]
            out[:, i, j] = reduce(win, axis=(1, 2))
    return out


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_matches_window_references(padding):
    x = _x((2, 5, 7, 3))
    t = tk.tensor(x, dtype="float64")
    for cls, reduce in [(layers.MaxPooling2D, np.max), (layers.AveragePooling2D, np.mean)]:
        y = cls((2, 3), strides=(2, 2), padding=padding)(t).numpy()
        np.testing.assert_allclose(y, ref_pool(x, (2, 3), (2, 2), padding, reduce), atol=1e-12)
    y1 = layers.AveragePooling1D(3, 2, padding=padding)(tk.tensor(x[:, 0], dtype="float64"))
    np.testing.assert_allclose(y1.numpy(), ref_pool(x[:, :1], (1, 3), (1, 2), padding,
                                                     np.mean)[:, 0], atol=1e-12)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(t).numpy(), x.max(axis=(1, 2)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D(keepdims=True)(t).numpy(),
                               x.mean(axis=(1, 2), keepdims=True))


def test_global_average_pooling1d_leaves_masked_steps_out():
    x = _x((2, 4, 3))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
    t = tk.tensor(x, dtype="float64")
    t.mask = tk.tensor(mask)
    y = layers.GlobalAveragePooling1D()(t)
    want = np.stack([x[0, :2].mean(0), x[1, :3].mean(0)])
    np.testing.assert_allclose(y.numpy(), want, atol=1e-12)
    assert y.mask is None                                   # the steps are gone
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(tk.tensor(x)).numpy(),
                               x.mean(1), rtol=1e-6)


def test_upsampling_and_zero_padding_match_numpy():
    x = _x((2, 3, 2, 4))
    t = tk.tensor(x, dtype="float64")
    np.testing.assert_array_equal(layers.UpSampling2D((2, 3))(t).numpy(),
                                  x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(layers.ZeroPadding2D((1, 2))(t).numpy(),
                                  np.pad(x, ((0, 0), (1, 1), (2, 2), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding2D(1).get_config()["padding"],
                                  ((1, 1), (1, 1)))


# ---- errors learners meet ------------------------------------------------------------------

def test_conv2d_on_one_image_suggests_the_batch_axis_and_stays_unbuilt():
    layer = layers.Conv2D(16, 3)
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'conv2d': conv2d got shapes "
                                            r"\(28, 28, 1\), .*needs rank 4.*x\[None\] makes it "
                                            r"\(1, 28, 28, 1\)"):
        layer(tk.ones((28, 28, 1)))
    assert not layer.built and layer.weights == []
    assert layer(tk.ones((1, 28, 28, 1))).shape == (1, 26, 26, 16)


def test_conv2d_on_grey_batch_suggests_the_channel_axis():
    with pytest.raises(tk.ShapeError, match=r"(?s)batch without a channel axis.*x\[\.\.\., "
                                            r"None\] makes it \(5, 28, 28, 1\)"):
        layers.Conv2D(16, 3)(tk.ones((5, 28, 28)))
    with pytest.raises(tk.ShapeError, match=r"x\[\.\.\., None\] makes it \(None, 28, 28, 1\)"):
        tk.Sequential([tk.Input(shape=(28, 28)), layers.Conv2D(16, 3)])
    with pytest.raises(tk.ShapeError, match=r"MaxPooling2D needs rank 4.*\n.*\n.*x\[None\]"):
        layers.MaxPooling2D()(tk.ones((28, 28, 1)))


def test_conv2d_after_a_flat_batch_suggests_reshape_back_to_images():
    # (None, 64) is a batch of flattened 8x8 images, not one example: adding axes is wrong
    with pytest.raises(tk.ShapeError, match=r"flat vectors.*layers\.Reshape\(\(8, 8, 1\)\)"):
        tk.Sequential([tk.Input(shape=(64,)), layers.Conv2D(8, 3)])
    with pytest.raises(tk.ShapeError, match=r"Reshape\(\(height, width, channels\)\)"):
        tk.Sequential([tk.Input(shape=(60,)), layers.Conv2D(8, 3)])
    with pytest.raises(tk.ShapeError, match=r"x\[None, \.\.\., None\] makes it \(1, 8, 8, 1\)"):
        tk.conv2d(tk.zeros((8, 8)), tk.zeros((3, 3, 1, 2)))


def test_window_larger_than_input_and_channel_mismatch_are_explained():
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'conv2d'.*kernel spans 5 along the "
                                            r"height.*padding='same'"):
        layers.Conv2D(2, 5)(tk.ones((1, 3, 3, 1)))
    layer = layers.Conv2D(2, 3)
    layer(tk.ones((1, 5, 5, 3)))
    with pytest.raises(tk.ShapeError,
                       match=r"(?s)shape \(None, None, None, 3\).*last axis is 3"):
        layer(tk.ones((1, 5, 5, 4)))


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv2D(0, 3), r"Received: filters=0"),
    (lambda: layers.Conv2D(2, (3, 0)), r"kernel_size to be a positive .*Received: "
                                       r"kernel_size=\(3, 0\)"),
    (lambda: layers.Conv1D(2, 3, padding="full"), r"'valid', 'same', 'causal'.*padding='full'"),
    (lambda: layers.Conv2D(2, 3, padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.Conv2D(2, 3, data_format="channels_first"), r"only data_format="
                                                                r"'channels_last'"),
    (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), r"strides > 1 with "
                                                              r"dilation_rate > 1"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2),
     r"smaller than its stride.*Received: output_padding=2"),
    (lambda: layers.Conv2D(3, 3, groups=2), r"filters to be a multiple of groups.*"
                                            r"filters=3, groups=2"),
    (lambda: layers.Conv1D(4, 3, groups=0), r"Received: groups=0"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), r"Received: depth_multiplier=0"),
    (lambda: layers.DepthwiseConv2D(3, padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.SeparableConv2D(0, 3), r"Received: filters=0"),
    (lambda: layers.SeparableConv2D(2, 3, data_format="channels_first"), r"channels_last"),
    (lambda: layers.MaxPooling2D(strides=0), r"Received: strides=0"),
    (lambda: layers.AveragePooling1D(padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), r"interpolation='bicubic'"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), r"Received: padding=\(1, 2, 3\)"),
    (lambda: layers.GlobalMaxPooling2D(data_format="channels_first"), r"channels_last"),
    (lambda: layers.Conv1DTranspose(2, 3, strides=2, output_padding=2),
     r"Conv1DTranspose expects each output_padding to be smaller.*Received: output_padding=2"),
    (lambda: layers.Conv1DTranspose(2, 3, padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.Conv1DTranspose(2, (3, 3)), r"Conv1DTranspose expects kernel_size to be a "
                                                r"positive integer or a tuple of 1"),
    (lambda: layers.Conv1DTranspose(0, 3), r"Received: filters=0"),
])
def test_bad_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_conv_net_trains_end_to_end_gradients_reach_every_weight():
    model = tk.Sequential([tk.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, padding="same"),
                           layers.MaxPooling2D(), layers.Conv2DTranspose(2, 3, strides=2,
                                                                          padding="same"),
                           layers.ZeroPadding2D(1), layers.GlobalAveragePooling2D()])
    y = model(tk.tensor(_x((3, 8, 8, 1))))
    assert y.shape == (3, 2)
    (y * y).sum().backward()
    assert all(w.grad is not None and w.grad.shape == w.shape for w in model.trainable_weights)


# ---- depthwise, separable and grouped convolutions ------------------------------------------

def ref_depthwise(x, k, strides=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1)):
    """Channel c with its own filters k[..., c, :], output channel c * M + m."""
    c, m = k.shape[2:]
    outs = [ref_conv2d(x[..., i:i + 1], k[:, :, i:i + 1], strides, pads, dilation)
            for i in range(c)]                                     # each (N, OH, OW, M)
    return np.concatenate(outs, axis=-1)


@pytest.mark.parametrize("strides, padding, dilation, kernel", [
    ((1, 1), "valid", (1, 1), (3, 3, 3, 1)), ((2, 2), "same", (1, 1), (3, 2, 3, 2)),
    ((1, 1), "same", (2, 2), (2, 3, 3, 3)), ((2, 1), "valid", (1, 2), (2, 2, 3, 2)),
    ((2, 2), "same", (2, 2), (3, 3, 3, 1))])
def test_depthwise_conv2d_matches_a_loop_reference(strides, padding, dilation, kernel):
    x, k = _x((2, 7, 6, 3)), _x(kernel, seed=1)
    pads = ((0, 0), (0, 0)) if padding == "valid" else tuple(
        same_pads(n, kk, s, d) for n, kk, s, d in zip((7, 6), kernel[:2], strides, dilation))
    got = tk.depthwise_conv2d(tk.tensor(x, dtype="float64"), tk.tensor(k, dtype="float64"),
                              strides, padding, dilation).numpy()
    np.testing.assert_allclose(got, ref_depthwise(x, k, strides, pads, dilation), atol=1e-12)


@pytest.mark.parametrize("strides, padding, dilation", [
    (1, "valid", 1), (2, "same", 1), (1, "same", 2), ((2, 1), "valid", (1, 2)), (2, "same", 2)])
def test_depthwise_conv2d_gradients_match_finite_differences(strides, padding, dilation):
    f = lambda x, k: tk.depthwise_conv2d(x, k, strides, padding, dilation)  # noqa: E731
    assert gradcheck(f, _x((2, 6, 5, 3)), _x((3, 2, 3, 2), seed=1))


def test_depthwise_conv2d_shape_rule_symbolic_labels_and_errors():
    from tensorkit.ops.conv import depthwise_shape
    k = tk.ones((3, 3, 2, 3))
    assert tk.depthwise_conv2d(tk.symbolic((None, 8, 8, 2)), k, 2, "same").shape == \
        (None, 4, 4, 6) == depthwise_shape((None, 8, 8, 2), (3, 3, 2, 3), strides=(2, 2),
                                           padding="same", dilation_rate=(1, 1))
    x = tk.tensor(np.ones((1, 5, 5, 2)), dims=("batch", "height", "width", "channels"))
    assert tk.depthwise_conv2d(x, tk.ones((3, 3, 2, 1))).dims == x.dims
    assert tk.depthwise_conv2d(x, k).dims == ("batch", "height", "width", None)
    with pytest.raises(tk.ShapeError, match=r"input has 3 channels .* kernel takes 2"):
        tk.depthwise_conv2d(tk.ones((1, 5, 5, 3)), k)
    with pytest.raises(tk.ShapeError, match=r"kernel_height, kernel_width, in_channels, "
                                            r"depth_multiplier"):
        tk.depthwise_conv2d(tk.ones((1, 5, 5, 2)), tk.ones((3, 3, 2)))
    with pytest.raises(ValueError, match=r"depthwise_conv2d got padding='full'"):
        tk.depthwise_conv2d(tk.ones((1, 5, 5, 2)), k, padding="full")


def test_separable_is_depthwise_then_pointwise_and_grouped_is_split_convs():
    x = tk.tensor(_x((2, 6, 5, 4)))
    sep = layers.SeparableConv2D(3, 3, depth_multiplier=2, use_bias=False)
    dk, pk = (w.numpy() for w in (sep(x), *sep.weights)[1:])
    want = tk.conv2d(tk.depthwise_conv2d(x, tk.tensor(dk)), tk.tensor(pk)).numpy()
    np.testing.assert_allclose(sep(x).numpy(), want, rtol=1e-5, atol=1e-6)
    conv = layers.Conv2D(6, 3, groups=2, use_bias=False)
    k = conv(x) is not None and conv.kernel.numpy()                  # (3, 3, 2, 6)
    halves = [tk.conv2d(tk.tensor(x.numpy()[..., 2 * i:2 * i + 2]),
                        tk.tensor(k[..., 3 * i:3 * i + 3])).numpy() for i in range(2)]
    np.testing.assert_allclose(conv(x).numpy(), np.concatenate(halves, -1), atol=1e-5)


def test_new_conv_layers_keras_weights_and_config():
    d = layers.DepthwiseConv2D(3, depth_multiplier=2)
    d(tk.ones((1, 5, 5, 3)))
    assert [w.name for w in d.weights] == ["depthwise_conv2d/kernel", "depthwise_conv2d/bias"]
    assert [w.shape for w in d.get_weights()] == [(3, 3, 3, 2), (6,)]
    s = layers.SeparableConv2D(8, 3, depth_multiplier=2)
    s(tk.ones((1, 5, 5, 3)))
    assert [w.name.split("/")[-1] for w in s.weights] == ["depthwise_kernel",
                                                          "pointwise_kernel", "bias"]
    assert [w.shape for w in s.get_weights()] == [(3, 3, 3, 2), (1, 1, 6, 8), (8,)]
    assert s.count_params() == 3 * 3 * 3 * 2 + 6 * 8 + 8
    g = layers.Conv2D(8, 3, groups=4)
    g(tk.ones((1, 5, 5, 12)))
    assert [w.shape for w in g.get_weights()] == [(3, 3, 3, 8), (8,)]
    assert g.get_config()["groups"] == 4 and "groups" not in layers.Conv2DTranspose(
        2, 3).get_config()
    cfg = s.get_config()
    assert {k: cfg[k] for k in ("filters", "depth_multiplier", "depthwise_initializer",
                                "pointwise_initializer", "depthwise_regularizer")} == {
        "filters": 8, "depth_multiplier": 2, "depthwise_initializer": "glorot_uniform",
        "pointwise_initializer": "glorot_uniform", "depthwise_regularizer": None}
    reg = layers.SeparableConv2D(2, 3, pointwise_regularizer="l2")
    reg(tk.ones((1, 5, 5, 1)))
    assert len(reg.losses) == 1


def test_grouped_conv_with_channels_groups_cannot_share_is_explained():
    with pytest.raises(tk.ShapeError, match=r"In layer 'conv2d'.*input has 5 channels, "
                                            r"which 2 groups cannot share"):
        layers.Conv2D(4, 3, groups=2)(tk.ones((1, 5, 5, 5)))


def test_new_conv_layers_save_load_round_trip_and_tfjs_refuses_them(tmp_path):
    model = tk.Sequential([tk.Input(shape=(8, 8, 4)),
                           layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
                           layers.SeparableConv2D(6, 3, strides=2, activation="relu"),
                           layers.Conv2D(4, 1, groups=2), layers.GlobalAveragePooling2D()])
    path = tmp_path / "m.tkmodel"
    model.save(path)
    again = tk.models.load_model(path)
    x = tk.tensor(_x((2, 8, 8, 4)).astype(np.float32))
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]
    for make in (lambda: layers.DepthwiseConv2D(3, dilation_rate=2),    # TF.js computes
                 lambda: layers.Conv2D(2, 3, groups=2)):                 # these otherwise
        tk.clear_session()
        layer = make()
        one = tk.Sequential([tk.Input(shape=(8, 8, 4)), layer])
        with pytest.raises(tk.export.ExportError, match=rf"'{layer.name}' "
                                                        rf"\({type(layer).__name__}\)"):
            tk.export.to_tfjs(one, tmp_path / layer.name)


# ---- Conv1DTranspose and Keras's other names -------------------------------------------------

@pytest.mark.parametrize("kwargs", [dict(), dict(strides=2, padding="same"),
                                    dict(strides=3, output_padding=1), dict(dilation_rate=2)])
def test_conv1d_transpose_is_conv2d_transpose_on_a_height_of_one(kwargs):
    x, k = _x((2, 5, 3)), _x((3, 4, 3), seed=1)          # kernel (k, filters, in)
    y = tk.conv1d_transpose(tk.tensor(x), tk.tensor(k), **kwargs).numpy()
    pair = {key: (1 if key != "output_padding" else 0, v) for key, v in kwargs.items()
            if key != "padding"}
    want = tk.conv2d_transpose(tk.tensor(x[:, None]), tk.tensor(k[None]),
                               padding=kwargs.get("padding", "valid"), **pair).numpy()[:, 0]
    np.testing.assert_allclose(y, want, rtol=1e-12)


def test_conv1d_transpose_is_the_adjoint_of_conv1d():
    x, k, g = _x((2, 7, 3)), _x((3, 3, 2), seed=1), _x((2, 4, 2), seed=2)
    t = tk.tensor(x, requires_grad=True)
    tk.conv1d(t, tk.tensor(k), strides=2, padding="same").backward(tk.tensor(g))
    back = tk.conv1d_transpose(tk.tensor(g), tk.tensor(k), strides=2, padding="same",
                               output_padding=0).numpy()
    np.testing.assert_allclose(back, t.grad.numpy(), rtol=1e-10)


def test_conv1d_transpose_shape_errors_say_what_to_fix():
    with pytest.raises(tk.ShapeError, match=r"conv1d_transpose.*rank 4 but conv1d_transpose "
                                            r"needs rank 3"):
        layers.Conv1DTranspose(2, 3)(tk.ones((1, 4, 4, 2)))
    with pytest.raises(tk.ShapeError, match=r"the input has 3 channels .* kernel takes 2"):
        tk.conv1d_transpose(tk.ones((1, 4, 3)), tk.ones((3, 5, 2)))
    with pytest.raises(ValueError, match=r"conv1d_transpose got output_padding=\(2,\) with "
                                         r"strides=\(2,\)"):
        tk.conv1d_transpose(tk.ones((1, 4, 3)), tk.ones((3, 5, 3)), strides=2, output_padding=2)


def test_keras_alias_names_are_the_same_classes():
    for alias, name in [("MaxPool1D", "MaxPooling1D"), ("MaxPool2D", "MaxPooling2D"),
                        ("AvgPool1D", "AveragePooling1D"), ("AvgPool2D", "AveragePooling2D"),
                        ("GlobalMaxPool1D", "GlobalMaxPooling1D"),
                        ("GlobalMaxPool2D", "GlobalMaxPooling2D"),
                        ("GlobalAvgPool1D", "GlobalAveragePooling1D"),
                        ("GlobalAvgPool2D", "GlobalAveragePooling2D"),
                        ("Convolution1D", "Conv1D"), ("Convolution2D", "Conv2D"),
                        ("Convolution1DTranspose", "Conv1DTranspose"),
                        ("Convolution2DTranspose", "Conv2DTranspose"),
                        ("SeparableConvolution2D", "SeparableConv2D"),
                        ("Convolution3D", "Conv3D"), ("Convolution3DTranspose",
                                                      "Conv3DTranspose"),
                        ("MaxPool3D", "MaxPooling3D"), ("AvgPool3D", "AveragePooling3D"),
                        ("GlobalMaxPool3D", "GlobalMaxPooling3D"),
                        ("GlobalAvgPool3D", "GlobalAveragePooling3D"),
                        ("SeparableConvolution1D", "SeparableConv1D")]:
        assert getattr(layers, alias) is getattr(layers, name)
    assert layers.MaxPool2D().name == "max_pooling2d"        # Keras names it by the class
    with pytest.raises(AttributeError, match=r"here it is tk.layers.MaxPooling2D"):
        _ = layers.MaxPool2d                                 # PyTorch's spelling is explained


def test_conv1d_transpose_and_aliases_save_load_and_summary(tmp_path, capsys):
    model = tk.Sequential([tk.Input(shape=(6, 3)), layers.Convolution1D(4, 3, padding="same"),
                           layers.MaxPool1D(), layers.Conv1DTranspose(2, 3, strides=2,
                                                                      padding="same"),
                           layers.GlobalAvgPool1D()])
    path = tmp_path / "m.tkmodel"
    model.save(path)
    again = tk.models.load_model(path)
    x = tk.tensor(_x((2, 6, 3)).astype(np.float32))
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert [type(l) for l in again.layers] == [layers.Conv1D, layers.MaxPooling1D,
                                               layers.Conv1DTranspose,
                                               layers.GlobalAveragePooling1D]
    model.summary()
    assert "Conv1DTranspose" in capsys.readouterr().out
    kernel, bias = model.layers[2].weights
    assert kernel.shape == (3, 2, 4) and bias.shape == (2,)     # (k, filters, in), as Keras
    with pytest.raises(tk.export.ExportError, match=r"\(Conv1DTranspose\)"):
        tk.export.to_tfjs(model, tmp_path / "web")


# ---- volumes (Conv3D & co.) and the 1-D depthwise and separable convolutions ----------------

def test_volume_and_1d_layers_keras_weight_names_shapes_and_order():
    c3 = layers.Conv3D(8, (3, 2, 3))
    c3(tk.ones((1, 5, 5, 5, 3)))
    assert [w.name for w in c3.weights] == ["conv3d/kernel", "conv3d/bias"]
    assert [w.shape for w in c3.get_weights()] == [(3, 2, 3, 3, 8), (8,)]
    assert c3.count_params() == 3 * 2 * 3 * 3 * 8 + 8
    t3 = layers.Conv3DTranspose(8, 3, use_bias=False)
    t3(tk.ones((1, 4, 4, 4, 5)))
    assert [w.shape for w in t3.get_weights()] == [(3, 3, 3, 8, 5)]   # (.., filters, in)
    g3 = layers.Conv3D(8, 3, groups=4)
    g3(tk.ones((1, 4, 4, 4, 12)))
    assert [w.shape for w in g3.get_weights()] == [(3, 3, 3, 3, 8), (8,)]
    d1 = layers.DepthwiseConv1D(3, depth_multiplier=2)
    d1(tk.ones((1, 6, 3)))
    assert [w.name for w in d1.weights] == ["depthwise_conv1d/kernel", "depthwise_conv1d/bias"]
    assert [w.shape for w in d1.get_weights()] == [(3, 3, 2), (6,)]
    s1 = layers.SeparableConv1D(8, 3, depth_multiplier=2)
    s1(tk.ones((1, 6, 3)))
    assert [w.name.split("/")[-1] for w in s1.weights] == ["depthwise_kernel",
                                                           "pointwise_kernel", "bias"]
    assert [w.shape for w in s1.get_weights()] == [(3, 3, 2), (1, 6, 8), (8,)]
    assert s1.count_params() == 3 * 3 * 2 + 6 * 8 + 8
    cfg = layers.Conv3D(8, 3).get_config()
    assert {k: cfg[k] for k in ("kernel_size", "strides", "padding", "dilation_rate",
                                "groups", "data_format")} == {
        "kernel_size": (3, 3, 3), "strides": (1, 1, 1), "padding": "valid",
        "dilation_rate": (1, 1, 1), "groups": 1, "data_format": "channels_last"}
    assert layers.ZeroPadding3D().get_config()["padding"] == ((1, 1),) * 3     # Keras's
    assert layers.Cropping3D().get_config()["cropping"] == ((1, 1),) * 3       # defaults
    assert layers.UpSampling3D().get_config()["size"] == (2, 2, 2)
    assert layers.MaxPooling3D().get_config()["pool_size"] == (2, 2, 2)


def test_volume_and_1d_layers_take_regularizers_and_constraints():
    sep = layers.SeparableConv1D(2, 3, pointwise_regularizer="l2", depthwise_constraint="non_neg")
    sep(tk.ones((1, 5, 2)))
    assert len(sep.losses) == 1
    assert sep.depthwise_kernel.constraint is not None and sep.pointwise_kernel.constraint is None
    conv = layers.Conv3D(2, 2, kernel_regularizer="l1", bias_constraint="max_norm")
    conv(tk.ones((1, 3, 3, 3, 1)))
    assert len(conv.losses) == 1 and conv.bias.constraint is not None
    cfg = layers.DepthwiseConv1D(3, depthwise_regularizer="l2").get_config()
    assert cfg["depthwise_regularizer"] is not None and cfg["depthwise_constraint"] is None


def test_conv3d_transpose_takes_keras_argument_order():
    # Keras's Conv3DTranspose puts data_format before output_padding (Conv2DTranspose: after)
    params = list(inspect.signature(layers.Conv3DTranspose.__init__).parameters)[1:7]
    assert params == ["filters", "kernel_size", "strides", "padding", "data_format",
                      "output_padding"]
    layer = layers.Conv3DTranspose(2, 3, 2, "valid", None, 1)
    assert layer.get_config()["output_padding"] == (1, 1, 1)
    assert layer.compute_output_shape((None, 2, 3, 4, 1)) == (None, 6, 8, 10, 2)


def test_conv3d_is_frame_by_frame_conv2d_summed_over_the_kernel_depth():
    # output frame t of a "valid" Conv3D = sum over i of Conv2D(frame t + i, kernel[i])
    x, k, b = _x((2, 5, 4, 6, 2)), _x((3, 2, 3, 2, 3), 1), _x((3,), 2)
    layer = layers.Conv3D(3, (3, 2, 3), activation="relu", dtype="float64")
    layer(tk.tensor(x, dtype="float64"))
    layer.set_weights([k, b])
    frames = [sum(ref_conv2d(x[:, t + i], k[i]) for i in range(3)) for t in range(3)]
    want = np.maximum(np.stack(frames, axis=1) + b, 0)
    np.testing.assert_allclose(layer(tk.tensor(x, dtype="float64")).numpy(), want, atol=1e-12)


def test_conv3d_on_a_4d_tensor_says_the_layout_and_stays_unbuilt():
    layer = layers.Conv3D(4, 3)
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'conv3d': conv3d got shapes "
                                            r"\(8, 16, 32, 32\), .*needs rank 5: \(batch, depth, "
                                            r"height, width, channels\).*x\[\.\.\., None\] "
                                            r"makes it \(8, 16, 32, 32, 1\)"):
        layer(tk.ones((8, 16, 32, 32)))
    assert not layer.built and layer.weights == []
    with pytest.raises(tk.ShapeError, match=r"(?s)one example without the batch axis.*"
                                            r"x\[None\] makes it \(1, 16, 32, 32, 3\)"):
        layer(tk.ones((16, 32, 32, 3)))
    assert layer(tk.ones((1, 4, 4, 4, 1))).shape == (1, 2, 2, 2, 4)
    with pytest.raises(tk.ShapeError, match=r"x\[\.\.\., None\] makes it \(None, 16, 32, 32, 1\)"):
        tk.Sequential([tk.Input(shape=(16, 32, 32)), layers.Conv3D(4, 3)])
    with pytest.raises(tk.ShapeError, match=r"flat vectors.*Reshape\(\(16, 16, 16, 1\)\)"):
        tk.Sequential([tk.Input(shape=(4096,)), layers.Conv3D(4, 3)])


@pytest.mark.parametrize("make, name", [
    (lambda: layers.MaxPooling3D(), "MaxPooling3D"),
    (lambda: layers.AveragePooling3D(2), "AveragePooling3D"),
    (lambda: layers.GlobalAveragePooling3D(), "GlobalAveragePooling3D"),
    (lambda: layers.GlobalMaxPooling3D(), "GlobalMaxPooling3D"),
    (lambda: layers.UpSampling3D(), "UpSampling3D"),
    (lambda: layers.ZeroPadding3D(), "ZeroPadding3D"),
    (lambda: layers.Cropping3D(), "Cropping3D"),
])
def test_volume_layers_on_a_4d_tensor_say_which_axis_to_add(make, name):
    with pytest.raises(tk.ShapeError, match=rf"(?s)rank 4 but {name} needs rank 5: \(batch, "
                                            r"depth, height, width, channels\).*x\[None\] "
                                            r"makes it \(1, 6, 6, 6, 3\)"):
        make()(tk.ones((6, 6, 6, 3)))
    with pytest.raises(tk.ShapeError, match=r"x\[\.\.\., None\] makes it \(2, 6, 6, 6, 1\)"):
        make()(tk.ones((2, 6, 6, 6)))


def test_cropping3d_that_leaves_nothing_and_a_too_small_volume_are_explained():
    with pytest.raises(tk.ShapeError, match=r"Cropping3D crops 2 \+ 2 from axis 1 of the input "
                                            r"\(1, 4, 8, 8, 1\), which leaves nothing"):
        layers.Cropping3D(2)(tk.ones((1, 4, 8, 8, 1)))
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'conv3d'.*kernel spans 3 along the "
                                            r"depth, but the input depth is only 2"):
        layers.Conv3D(2, 3)(tk.ones((1, 2, 8, 8, 1)))
    with pytest.raises(tk.ShapeError, match=r"(?s)In layer 'max_pooling3d'.*the pool spans 2 "
                                            r"along the depth"):
        layers.MaxPooling3D()(tk.ones((1, 1, 8, 8, 1)))


@pytest.mark.parametrize("cls, args, order", [
    ("Conv3D", (2, 3), r"\(0, 2, 3, 4, 1\)"), ("Conv3DTranspose", (2, 3), r"\(0, 2, 3, 4, 1\)"),
    ("MaxPooling3D", (), r"\(0, 2, 3, 4, 1\)"), ("AveragePooling3D", (2,), r"\(0, 2, 3, 4, 1\)"),
    ("GlobalAveragePooling3D", (), r"\(0, 2, 3, 4, 1\)"),
    ("GlobalMaxPooling3D", (), r"\(0, 2, 3, 4, 1\)"), ("UpSampling3D", (), r"\(0, 2, 3, 4, 1\)"),
    ("ZeroPadding3D", (), r"\(0, 2, 3, 4, 1\)"), ("Cropping3D", (), r"\(0, 2, 3, 4, 1\)"),
    ("SeparableConv1D", (2, 3), r"\(0, 2, 1\)"), ("DepthwiseConv1D", (3,), r"\(0, 2, 1\)"),
])
def test_channels_first_is_refused_with_the_transpose_that_fixes_it(cls, args, order):
    with pytest.raises(ValueError, match=rf"{cls} supports only data_format='channels_last'.*"
                                         rf"Received: data_format='channels_first'.*"
                                         rf"tk\.transpose\(x, {order}\)"):
        getattr(layers, cls)(*args, data_format="channels_first")


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv3D(0, 3), r"Conv3D .*Received: filters=0"),
    (lambda: layers.Conv3D(2, (3, 3)), r"Conv3D expects kernel_size to be a positive integer or "
                                       r"a tuple of 3.*kernel_size=\(3, 3\)"),
    (lambda: layers.Conv3D(2, 3, padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.Conv3D(2, 3, strides=2, dilation_rate=2), r"strides > 1 with "
                                                              r"dilation_rate > 1"),
    (lambda: layers.Conv3D(3, 3, groups=2), r"filters to be a multiple of groups"),
    (lambda: layers.Conv3DTranspose(2, 3, strides=2, output_padding=(1, 2, 1)),
     r"Conv3DTranspose expects each output_padding to be smaller than its stride"),
    (lambda: layers.MaxPooling3D(pool_size=(2, 2)), r"MaxPooling3D expects pool_size .*"
                                                    r"pool_size=\(2, 2\)"),
    (lambda: layers.AveragePooling3D(2, strides=0), r"AveragePooling3D .*strides=0"),
    (lambda: layers.AveragePooling3D(2, padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.UpSampling3D(size=(2, 2)), r"UpSampling3D expects size .*size=\(2, 2\)"),
    (lambda: layers.ZeroPadding3D((1, 2)), r"ZeroPadding3D expects padding to be a non-negative "
                                           r"int, 3 ints \(depth, rows, cols\).*"
                                           r"Received: padding=\(1, 2\)"),
    (lambda: layers.ZeroPadding3D(((1, 1), (1, 1), (1, -1))), r"padding=\(\(1, 1\)"),
    (lambda: layers.Cropping3D(-1), r"Cropping3D expects cropping .*cropping=-1"),
    (lambda: layers.SeparableConv1D(0, 3), r"SeparableConv1D expects filters .*filters=0"),
    (lambda: layers.SeparableConv1D(2, 3, padding="causal"), r"Received: padding='causal'"),
    (lambda: layers.DepthwiseConv1D(3, depth_multiplier=0), r"Received: depth_multiplier=0"),
    (lambda: layers.DepthwiseConv1D((3, 3)), r"DepthwiseConv1D expects kernel_size .*tuple of "
                                             r"1"),
])
def test_bad_volume_and_1d_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_volume_nets_save_load_summarize_train_and_tfjs_refuses_what_it_lacks(tmp_path, capsys):
    volumes = tk.Sequential([
        tk.Input(shape=(4, 6, 6, 2)), layers.Conv3D(4, 3, padding="same", activation="relu"),
        layers.MaxPool3D(), layers.Conv3DTranspose(3, 2, strides=2), layers.ZeroPadding3D(1),
        layers.Cropping3D(((1, 0), (1, 1), (0, 1))), layers.UpSampling3D((1, 2, 1)),
        layers.AvgPool3D(2), layers.GlobalMaxPool3D()])
    sequences = tk.Sequential([
        tk.Input(shape=(10, 3)), layers.SeparableConv1D(4, 3, padding="same"),
        layers.DepthwiseConv1D(3, depth_multiplier=2), layers.GlobalAveragePooling1D()])
    for model, shape in [(volumes, (2, 4, 6, 6, 2)), (sequences, (2, 10, 3))]:
        path = tmp_path / f"{model.name}.tkmodel"
        model.save(path)
        again = tk.models.load_model(path)
        x = tk.tensor(_x(shape).astype(np.float32))
        np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
        assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]
        assert [type(l) for l in again.layers] == [type(l) for l in model.layers]
        y = model(x)
        (y * y).sum().backward()
        assert all(w.grad is not None and w.grad.shape == w.shape
                   for w in model.trainable_weights)
        model.summary()
        table = capsys.readouterr().out
        assert all(type(l).__name__ in table for l in model.layers)
        lacking = next(l for l in model.layers if type(l).__name__ not in tk.export.TFJS_LAYERS)
        with pytest.raises(tk.export.ExportError,   # Conv3D & co. export; the first it lacks
                           match=rf"'{lacking.name}' \({type(lacking).__name__}\).*TF.js has no"):
            tk.export.to_tfjs(model, tmp_path / f"{model.name}-web")
    ops = {model.name: {node["op"] for node in model.graph().to_dict()["nodes"]}
           for model in (volumes, sequences)}
    assert {"conv3d", "max_pool3d", "conv3d_transpose", "pad", "upsample3d",
            "avg_pool3d"} <= ops[volumes.name]
    assert {"depthwise_conv1d", "conv1d"} <= ops[sequences.name]


def test_a_small_volume_classifier_learns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4, 6, 6, 1)).astype(np.float32)
    y = (x[:, :2].mean(axis=(1, 2, 3, 4)) > x[:, 2:].mean(axis=(1, 2, 3, 4))).astype(np.float32)
    model = tk.Sequential([tk.Input(shape=(4, 6, 6, 1)),
                           layers.Conv3D(4, 3, padding="same", activation="relu"),
                           layers.MaxPooling3D((2, 2, 2)), layers.GlobalAveragePooling3D(),
                           layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y[:, None], epochs=15, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
