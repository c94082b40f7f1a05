"""Convolution, pooling and upsampling ops (1-D, 2-D and volumes): loop references in float64,
gradients against finite differences, recorded == rule == symbolic shapes, the transposed
convolutions as their convolution's input gradient, and the text of every error a learner
meets."""

import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorkit as tk
from tensorkit.ops import conv
from tensorkit.ops.conv import conv_output_length, conv_shape, deconv_output_length, pool_shape
from tensorkit.testing import gradcheck


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _t(a):
    return tk.tensor(a, dtype="float64")


# ---- loop references: TensorFlow's padding worked out here, not taken from the library --------

def tf_pads(size, k, stride, padding, dilation=1):
    """(output size, padding before) for "valid" / "same" / "causal", written out plainly."""
    span = (k - 1) * dilation + 1
    if padding == "valid":
        return (size - span) // stride + 1, 0
    if padding == "causal":
        return (size - 1) // stride + 1, span - 1
    out = (size + stride - 1) // stride
    return out, max((out - 1) * stride + span - size, 0) // 2


def ref_conv2d(x, k, strides=(1, 1), padding="valid", dilation=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    oh, top = tf_pads(h, kh, strides[0], padding, dilation[0])
    ow, left = tf_pads(w, kw, strides[1], padding, dilation[1])
    out = np.zeros((n, oh, ow, f))
    for y, z, i, j in itertools.product(range(oh), range(ow), range(kh), range(kw)):
        r = y * strides[0] + i * dilation[0] - top
        q = z * strides[1] + j * dilation[1] - left
        if 0 <= r < h and 0 <= q < w:                 # outside: a padded zero
            out[:, y, z] += x[:, r, q] @ k[i, j]
    return out


def ref_conv1d(x, k, stride=1, padding="valid", dilation=1):
    n, length, c = x.shape
    size, f = k.shape[0], k.shape[2]
    out_len, before = tf_pads(length, size, stride, padding, dilation)
    out = np.zeros((n, out_len, f))
    for t, i in itertools.product(range(out_len), range(size)):
        r = t * stride + i * dilation - before
        if 0 <= r < length:
            out[:, t] += x[:, r] @ k[i]
    return out


def ref_pool2d(x, pool, strides, padding, reduce):
    """Each window's real (unpadded) cells, reduced: max, or the mean over those cells."""
    n, h, w, c = x.shape
    oh, top = tf_pads(h, pool[0], strides[0], padding)
    ow, left = tf_pads(w, pool[1], strides[1], padding)
    out = np.zeros((n, oh, ow, c))
    for y, z in itertools.product(range(oh), range(ow)):
        r0, q0 = y * strides[0] - top, z * strides[1] - left
        cells = x[:, max(r0, 0):r0 + pool[0], max(q0, 0):q0 + pool[1]]
        out[:, y, z] = reduce(cells.reshape(n, -1, c), axis=1)
    return out


# ---- conv2d / conv1d forward ------------------------------------------------------------------

CONV2D = [  # (input shape, kernel (kh, kw, out), strides, padding, dilation)
    ((2, 5, 5, 1), (3, 3, 4), 1, "valid", 1),
    ((2, 6, 7, 3), (3, 2, 2), 2, "same", 1),        # even sizes: the extra pad at bottom/right
    ((1, 7, 6, 5), (3, 3, 3), 2, "same", 1),        # many channels: the other gather
    ((2, 8, 8, 2), (2, 2, 3), (2, 1), "valid", 1),
    ((2, 7, 7, 6), (3, 3, 2), 1, "same", 2),
    ((1, 9, 8, 1), (3, 2, 2), 1, "valid", (2, 1)),
    ((2, 6, 6, 4), (4, 4, 2), 2, "same", 1),
    ((1, 5, 6, 8), (1, 1, 3), 2, "valid", 1),
    ((1, 4, 4, 2), (5, 5, 2), 1, "same", 1),        # kernel larger than the input, padded
]


def _pair(v):
    return (v, v) if isinstance(v, int) else v


@pytest.mark.parametrize("xs, ks, strides, padding, dilation", CONV2D)
def test_conv2d_matches_a_loop_reference(xs, ks, strides, padding, dilation):
    x = _x(xs)
    k = _x(ks[:2] + (xs[-1], ks[2]), seed=1)
    y = tk.conv2d(_t(x), _t(k), strides, padding, dilation)
    want = ref_conv2d(x, k, _pair(strides), padding, _pair(dilation))
    assert y.shape == want.shape
    np.testing.assert_allclose(y.numpy(), want, atol=1e-12)


def test_same_padding_puts_the_odd_extra_row_and_column_at_the_bottom_right():
    # 4x4 input, 2x2 kernel, stride 1: "same" needs 1 extra row and column, all after
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    y = tk.conv2d(_t(x), _t(np.ones((2, 2, 1, 1))), padding="same").numpy()[0, :, :, 0]
    assert y[0, 0] == 0 + 1 + 4 + 5                # top-left window: no padding before
    assert y[3, 3] == 15                            # bottom-right window: only the last cell
    assert conv_output_length(4, 2, 1, "same") == (4, (0, 1))


@pytest.mark.parametrize("length, size, stride, padding, dilation, cin", [
    (7, 3, 1, "valid", 1, 2), (8, 3, 2, "same", 1, 5), (7, 2, 1, "causal", 2, 3),
    (9, 3, 2, "causal", 1, 4), (6, 4, 1, "same", 1, 1)])
def test_conv1d_matches_a_loop_reference(length, size, stride, padding, dilation, cin):
    x, k = _x((2, length, cin)), _x((size, cin, 3), seed=1)
    y = tk.conv1d(_t(x), _t(k), stride, padding, dilation)
    np.testing.assert_allclose(y.numpy(), ref_conv1d(x, k, stride, padding, dilation),
                               atol=1e-12)


def test_causal_conv1d_never_sees_later_steps():
    x = _x((1, 8, 2))
    k = _t(_x((3, 2, 1), seed=1))
    y = tk.conv1d(_t(x), k, padding="causal", dilation_rate=2).numpy()
    x2 = x.copy()
    x2[:, 5:] = 100.0                               # change the future from step 5 on
    y2 = tk.conv1d(_t(x2), k, padding="causal", dilation_rate=2).numpy()
    np.testing.assert_array_equal(y[:, :5], y2[:, :5])
    assert y.shape == (1, 8, 1)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       cin=st.sampled_from([1, 2, 5]), sh=st.integers(1, 3), sw=st.integers(1, 3),
       d=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]))
def test_conv2d_any_geometry_matches_the_reference(h, w, kh, kw, cin, sh, sw, d, padding):
    if padding == "valid" and (h < (kh - 1) * d + 1 or w < (kw - 1) * d + 1):
        return                                      # no output: an error, tested below
    x, k = _x((2, h, w, cin)), _x((kh, kw, cin, 2), seed=1)
    y = tk.conv2d(_t(x), _t(k), (sh, sw), padding, d)
    np.testing.assert_allclose(y.numpy(), ref_conv2d(x, k, (sh, sw), padding, (d, d)),
                               atol=1e-12)


def test_float32_stays_float32():
    x = tk.tensor(_x((2, 6, 6, 3)), requires_grad=True)
    k = tk.tensor(_x((3, 3, 3, 4), seed=1), requires_grad=True)
    outs = [tk.conv2d(x, k, padding="same"), tk.conv2d_transpose(x, tk.tensor(_x((3, 3, 2, 3)))),
            tk.max_pool2d(x), tk.avg_pool2d(x, 3, 2, "same"), tk.upsample2d(x),
            tk.upsample2d(x, interpolation="bilinear"), tk.conv1d(x[0], k[0], padding="causal"),
            tk.max_pool1d(x[0]), tk.avg_pool1d(x[0], padding="same")]
    for y in outs:
        assert y.dtype == np.float32, y.op
    tk.conv2d(x, k).sum().backward()
    assert x.grad.dtype == np.float32 and k.grad.dtype == np.float32


# ---- conv2d_transpose ---------------------------------------------------------------------------

def _input_gradient_of_conv2d(x, k, out_hw, strides, padding, dilation):
    """d sum(conv2d(z, k) * x) / dz for z of spatial size out_hw: what the transpose must be."""
    z = tk.tensor(np.zeros((x.shape[0],) + out_hw + (k.shape[2],)), dtype="float64",
                  requires_grad=True)
    (tk.conv2d(z, _t(k), strides, padding, dilation) * _t(x)).sum().backward()
    return z.grad.numpy()


@pytest.mark.parametrize("hw, kernel, strides, padding, output_padding, dilation", [
    ((3, 4), (3, 3), 2, "same", None, 1),
    ((3, 3), (3, 3), 2, "valid", None, 1),
    ((3, 2), (2, 3), (2, 3), "valid", None, 1),
    ((2, 3), (3, 3), 2, "valid", 1, 1),
    ((3, 3), (3, 3), 3, "same", (2, 1), 1),
    ((4, 4), (2, 2), 1, "same", None, 1),
    ((3, 3), (3, 2), 1, "valid", None, 2),
    ((3, 3), (1, 1), 3, "valid", None, 1),             # kernel smaller than the stride
])
@pytest.mark.parametrize("channels", [(2, 3), (6, 5)])  # (out, in): both gathers
def test_conv2d_transpose_is_the_input_gradient_of_conv2d(hw, kernel, strides, padding,
                                                          output_padding, dilation, channels):
    x = _x((2,) + hw + (channels[1],))
    k = _x(kernel + channels, seed=1)                  # (kh, kw, out, in): Keras's layout
    y = tk.conv2d_transpose(_t(x), _t(k), strides, padding, output_padding, dilation)
    s, op = _pair(strides), output_padding
    op = (op, op) if isinstance(op, int) else (op or (None, None))
    want_hw = tuple(deconv_output_length(n, kk, ss, padding, o, dilation)
                    for n, kk, ss, o in zip(hw, kernel, s, op))
    assert y.shape == (2,) + want_hw + (channels[0],)
    np.testing.assert_allclose(y.numpy(), _input_gradient_of_conv2d(
        x, k, want_hw, strides, padding, dilation), atol=1e-12)


@pytest.mark.parametrize("size, kernel, stride, padding, output_padding, want", [
    (7, 3, 2, "valid", None, 15),       # (7 - 1) * 2 + 3
    (7, 3, 2, "same", None, 14),        # 7 * 2
    (7, 3, 2, "valid", 1, 16),
    (7, 3, 2, "same", 1, 14),
    (7, 1, 3, "valid", None, 21),       # kernel < stride: size * stride, as Keras
    (5, 4, 1, "valid", None, 8),
])
def test_conv2d_transpose_output_size_follows_keras(size, kernel, stride, padding,
                                                     output_padding, want):
    assert deconv_output_length(size, kernel, stride, padding, output_padding) == want
    y = tk.conv2d_transpose(tk.ones((1, size, size, 2)), tk.ones((kernel, kernel, 3, 2)),
                            stride, padding, output_padding)
    assert y.shape == (1, want, want, 3)


def test_conv2d_transpose_scatters_each_pixel_as_a_copy_of_the_kernel():
    x = np.zeros((1, 2, 2, 1))
    x[0, 1, 0, 0] = 2.0
    k = np.arange(9.0).reshape(3, 3, 1, 1)
    y = tk.conv2d_transpose(_t(x), _t(k), strides=2).numpy()[0, :, :, 0]   # (5, 5)
    want = np.zeros((5, 5))
    want[2:5, 0:3] = 2 * k[:, :, 0, 0]
    np.testing.assert_array_equal(y, want)


# ---- pooling --------------------------------------------------------------------------------

POOL2D = [  # (input shape, pool_size, strides, padding)
    ((2, 6, 6, 3), 2, None, "valid"),
    ((2, 7, 5, 2), 2, None, "valid"),              # odd sizes: the last row/column dropped
    ((1, 7, 7, 2), 3, 2, "same"),
    ((2, 5, 6, 1), (2, 3), (1, 2), "same"),
    ((1, 6, 5, 2), 3, 1, "valid"),
    ((1, 4, 4, 1), 3, 3, "same"),
]


@pytest.mark.parametrize("xs, pool, strides, padding", POOL2D)
def test_pool2d_matches_a_loop_reference(xs, pool, strides, padding):
    x = _x(xs)
    s = _pair(pool) if strides is None else _pair(strides)
    np.testing.assert_allclose(tk.max_pool2d(_t(x), pool, strides, padding).numpy(),
                               ref_pool2d(x, _pair(pool), s, padding, np.max), atol=1e-12)
    np.testing.assert_allclose(tk.avg_pool2d(_t(x), pool, strides, padding).numpy(),
                               ref_pool2d(x, _pair(pool), s, padding, np.mean), atol=1e-12)


@pytest.mark.parametrize("length, pool, strides, padding", [
    (7, 2, None, "valid"), (7, 3, 2, "same"), (8, 2, 1, "same"), (5, 5, None, "valid")])
def test_pool1d_matches_pool2d_on_a_height_of_one(length, pool, strides, padding):
    x = _x((2, length, 3))
    s = pool if strides is None else strides
    for f, reduce in [(tk.max_pool1d, np.max), (tk.avg_pool1d, np.mean)]:
        want = ref_pool2d(x[:, None], (1, pool), (1, s), padding, reduce)[:, 0]
        np.testing.assert_allclose(f(_t(x), pool, strides, padding).numpy(), want, atol=1e-12)


def test_avg_pool_same_leaves_padded_cells_out_of_the_mean():
    x = tk.ones((1, 3, 3, 1))
    # a 2x2 pool, stride 2 on 3x3 pads one row and column: counting them would give 0.5
    np.testing.assert_array_equal(tk.avg_pool2d(x, 2, padding="same").numpy(),
                                  np.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(tk.avg_pool1d(tk.ones((1, 5, 2)), 2, padding="same").numpy(),
                                  np.ones((1, 3, 2)))


def test_max_pool_gives_the_gradient_to_the_first_maximum_only():
    x = tk.tensor(np.zeros((1, 2, 2, 1)), dtype="float64", requires_grad=True)
    tk.max_pool2d(x).sum().backward()               # four tied cells: the first one wins
    np.testing.assert_array_equal(x.grad.numpy()[0, :, :, 0], [[1, 0], [0, 0]])


def _ref_max_pool_grad(x, g, pool, strides, padding):
    """Each window's gradient to its first maximum (row by row), by a loop."""
    pads = [conv_output_length(n, k, s, padding)[1] for n, k, s in zip(x.shape[1:3], pool,
                                                                        strides)]
    xpad = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=-np.inf)
    dx = np.zeros_like(xpad)
    for b, i, j, c in itertools.product(*map(range, g.shape)):
        rows, cols = i * strides[0], j * strides[1]
        win = xpad[b, rows:rows + pool[0], cols:cols + pool[1], c]
        r, q = np.unravel_index(np.argmax(win), win.shape)     # argmax: the first maximum
        dx[b, rows + r, cols + q, c] += g[b, i, j, c]
    return dx[:, pads[0][0]:pads[0][0] + x.shape[1], pads[1][0]:pads[1][0] + x.shape[2]]


@pytest.mark.parametrize("hw, pool, strides, padding", [
    ((6, 6), (2, 2), (2, 2), "valid"), ((7, 5), (2, 2), (2, 2), "valid"),
    ((5, 6), (3, 3), (1, 1), "valid"), ((5, 5), (3, 2), (2, 1), "same"),
    ((4, 7), (2, 3), (3, 3), "valid"), ((3, 3), (1, 1), (1, 1), "valid")])
def test_max_pool_gradient_with_ties_matches_a_loop_reference(hw, pool, strides, padding):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 3, (2,) + hw + (3,)).astype("float64")   # many ties, as after ReLU
    t = tk.tensor(x, dtype="float64", requires_grad=True)
    y = tk.max_pool2d(t, pool, strides, padding)
    g = rng.standard_normal(y.shape)
    (y * tk.tensor(g, dtype="float64")).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), _ref_max_pool_grad(x, g, pool, strides, padding),
                               atol=1e-12)
    t1 = tk.tensor(x[:, 0], dtype="float64", requires_grad=True)     # 1-D: (N, W, C)
    y1 = tk.max_pool1d(t1, pool[1], strides[1], padding)
    g1 = rng.standard_normal(y1.shape)
    (y1 * tk.tensor(g1, dtype="float64")).sum().backward()
    want = _ref_max_pool_grad(x[:, :1], g1[:, None], (1, pool[1]), (1, strides[1]), padding)
    np.testing.assert_allclose(t1.grad.numpy(), want[:, 0], atol=1e-12)


def test_max_pool_same_never_picks_the_padding():
    x = -np.ones((1, 3, 3, 1))
    assert tk.max_pool2d(_t(x), 2, padding="same").numpy().max() == -1


# ---- upsample2d ------------------------------------------------------------------------------

def test_upsample_nearest_repeats_each_pixel():
    x = _x((2, 2, 3, 2))
    np.testing.assert_array_equal(tk.upsample2d(_t(x), (2, 3)).numpy(),
                                  x.repeat(2, axis=1).repeat(3, axis=2))


def _bilinear_1d(v, scale):
    """TensorFlow's half-pixel resize of one row, written out."""
    n = len(v)
    out = []
    for o in range(n * scale):
        src = min(max((o + 0.5) / scale - 0.5, 0.0), n - 1)
        lo = int(np.floor(src))
        hi = min(lo + 1, n - 1)
        out.append(v[lo] + (v[hi] - v[lo]) * (src - lo))
    return np.array(out)


def test_upsample_bilinear_uses_half_pixel_centres():
    x = _x((1, 3, 4, 1))
    y = tk.upsample2d(_t(x), (2, 3), interpolation="bilinear").numpy()[0, :, :, 0]
    rows = np.stack([_bilinear_1d(r, 3) for r in x[0, :, :, 0]])           # (3, 12)
    want = np.stack([_bilinear_1d(c, 2) for c in rows.T], axis=1)          # (6, 12)
    np.testing.assert_allclose(y, want, atol=1e-12)
    assert y[0, 0] == x[0, 0, 0, 0]                 # edges clamp, as TensorFlow


# ---- gradients against finite differences (float64) -------------------------------------------

GRAD_CASES = {
    "conv2d few channels": (lambda x, k: tk.conv2d(x, k, 2, "same"), (1, 5, 4, 2), (3, 2, 2, 3)),
    "conv2d many channels dilated": (lambda x, k: tk.conv2d(x, k, 1, "same", 2),
                                     (1, 5, 5, 5), (2, 3, 5, 2)),
    "conv1d causal": (lambda x, k: tk.conv1d(x, k, 2, "causal", 2), (2, 7, 2), (3, 2, 2)),
    "conv1d many channels": (lambda x, k: tk.conv1d(x, k, 1, "same"), (1, 6, 4), (3, 4, 2)),
    "conv2d_transpose": (lambda x, k: tk.conv2d_transpose(x, k, 2, "same"), (1, 3, 2, 2),
                         (3, 3, 2, 2)),
    "conv2d_transpose many": (lambda x, k: tk.conv2d_transpose(x, k, (2, 1), "valid", (1, 0)),
                              (1, 2, 3, 4), (2, 2, 5, 4)),
    "max_pool2d": (lambda x: tk.max_pool2d(x, 3, 2, "same"), (2, 5, 4, 2)),
    "max_pool2d overlapping": (lambda x: tk.max_pool2d(x, 2, 1), (1, 4, 4, 2)),
    "avg_pool2d same": (lambda x: tk.avg_pool2d(x, 3, 2, "same"), (2, 5, 4, 2)),
    "avg_pool2d valid": (lambda x: tk.avg_pool2d(x, (2, 3)), (1, 4, 7, 2)),
    "max_pool1d": (lambda x: tk.max_pool1d(x, 3, 2, "same"), (2, 7, 2)),
    "avg_pool1d": (lambda x: tk.avg_pool1d(x, 2, 1, "same"), (2, 5, 2)),
    "upsample nearest": (lambda x: tk.upsample2d(x, (2, 3)), (1, 2, 3, 2)),
    "upsample bilinear": (lambda x: tk.upsample2d(x, 2, "bilinear"), (1, 3, 2, 2)),
    "conv3d few channels": (lambda x, k: tk.conv3d(x, k, 2, "same"), (1, 3, 4, 3, 2),
                            (3, 2, 3, 2, 2)),
    "conv3d many channels dilated": (lambda x, k: tk.conv3d(x, k, 1, "same", (2, 1, 1)),
                                     (1, 4, 3, 3, 4), (2, 2, 2, 4, 2)),
    "conv3d_transpose": (lambda x, k: tk.conv3d_transpose(x, k, 2, "same"), (1, 2, 2, 2, 2),
                         (3, 2, 3, 2, 2)),
    "conv3d_transpose many": (lambda x, k: tk.conv3d_transpose(
        x, k, (2, 1, 2), "valid", (1, 0, 0)), (1, 2, 2, 2, 4), (2, 2, 2, 5, 4)),
    "max_pool3d": (lambda x: tk.max_pool3d(x, 3, 2, "same"), (1, 4, 3, 5, 2)),
    "max_pool3d overlapping": (lambda x: tk.max_pool3d(x, 2, 1), (1, 3, 3, 3, 2)),
    "avg_pool3d same": (lambda x: tk.avg_pool3d(x, (3, 2, 3), 2, "same"), (1, 4, 3, 5, 2)),
    "avg_pool3d valid": (lambda x: tk.avg_pool3d(x, (1, 2, 3)), (2, 2, 4, 6, 1)),
    "upsample3d": (lambda x: tk.upsample3d(x, (2, 1, 3)), (1, 2, 3, 2, 2)),
    "depthwise_conv1d": (lambda x, k: tk.depthwise_conv1d(x, k, 2, "same"), (2, 7, 3),
                         (3, 3, 2)),
    "depthwise_conv1d dilated": (lambda x, k: tk.depthwise_conv1d(x, k, 1, "valid", 2),
                                 (1, 8, 2), (3, 2, 3)),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_match_finite_differences(name):
    f, *shapes = GRAD_CASES[name]
    assert gradcheck(f, *[_x(s, seed=i) for i, s in enumerate(shapes)])


def test_kernel_gradient_of_conv2d_is_the_correlation_of_input_and_gradient():
    x = tk.tensor(_x((2, 5, 6, 3)), dtype="float64")
    k = tk.tensor(_x((3, 3, 3, 2), seed=1), dtype="float64", requires_grad=True)
    g = _x((2, 3, 4, 2), seed=2)
    (tk.conv2d(x, k) * _t(g)).sum().backward()
    xs = x.numpy()
    want = np.einsum("nhwc,nhwf->cf", xs[:, 1:4, 2:6], g)            # kernel position (1, 2)
    np.testing.assert_allclose(k.grad.numpy()[1, 2], want, atol=1e-12)


# ---- shapes: recorded == rule == symbolic ----------------------------------------------------

SHAPE_CASES = [
    (lambda x, k: tk.conv2d(x, k, 2, "same"), (3, 9, 8, 2), (3, 3, 2, 4),
     lambda s: conv_shape(s, (3, 3, 2, 4), strides=(2, 2), padding="same",
                          dilation_rate=(1, 1))),
    (lambda x, k: tk.conv1d(x, k, 1, "causal", 2), (3, 9, 2), (3, 2, 4),
     lambda s: conv_shape(s, (3, 2, 4), strides=(1,), padding="causal", dilation_rate=(2,))),
    (lambda x, k: tk.conv2d_transpose(x, k, 2, "valid"), (3, 4, 5, 2), (3, 3, 4, 2), None),
    (lambda x: tk.max_pool2d(x, 3, 2, "same"), (3, 9, 8, 2), None,
     lambda s: pool_shape(s, pool_size=(3, 3), strides=(2, 2), padding="same")),
    (lambda x: tk.avg_pool1d(x, 2), (3, 9, 2), None,
     lambda s: pool_shape(s, pool_size=(2,), strides=(2,), padding="valid")),
    (lambda x: tk.upsample2d(x, (2, 3)), (3, 4, 5, 2), None, None),
    (lambda x, k: tk.conv3d(x, k, (1, 2, 2), "same"), (3, 5, 9, 8, 2), (3, 3, 3, 2, 4),
     lambda s: conv_shape(s, (3, 3, 3, 2, 4), strides=(1, 2, 2), padding="same",
                          dilation_rate=(1, 1, 1))),
    (lambda x, k: tk.conv3d_transpose(x, k, 2, "same"), (3, 2, 4, 5, 2), (3, 3, 3, 4, 2),
     lambda s: conv.conv_transpose_shape(s, (3, 3, 3, 4, 2), strides=(2, 2, 2),
                                         padding="same", output_padding=None,
                                         dilation_rate=(1, 1, 1))),
    (lambda x: tk.max_pool3d(x, 3, 2, "same"), (3, 5, 9, 8, 2), None,
     lambda s: pool_shape(s, pool_size=(3, 3, 3), strides=(2, 2, 2), padding="same")),
    (lambda x: tk.avg_pool3d(x, (1, 2, 2)), (3, 3, 9, 8, 2), None,
     lambda s: pool_shape(s, pool_size=(1, 2, 2), strides=(1, 2, 2), padding="valid")),
    (lambda x: tk.upsample3d(x, (2, 1, 3)), (3, 2, 4, 5, 2), None,
     lambda s: conv.upsample_shape(s, size=(2, 1, 3))),
    (lambda x, k: tk.depthwise_conv1d(x, k, 2, "same"), (3, 9, 2), (3, 2, 3),
     lambda s: conv.depthwise_shape(s, (3, 2, 3), strides=(2,), padding="same",
                                    dilation_rate=(1,))),
]


@pytest.mark.parametrize("case", range(len(SHAPE_CASES)))
def test_recorded_shape_equals_the_rule_and_the_symbolic_shape(case):
    f, xs, ks, rule = SHAPE_CASES[case]
    args = [tk.ones(xs)] + ([tk.ones(ks)] if ks else [])
    with tk.trace() as tr:
        y = f(*args)
    node = tr.nodes[-1]
    assert node["op"] == y.op and tuple(node["shape"]) == y.shape
    sym = f(*([tk.symbolic((None,) + xs[1:])] + args[1:]))
    assert sym.shape == (None,) + y.shape[1:] and sym.is_symbolic
    if rule is not None:
        assert rule(xs) == y.shape and rule((None,) + xs[1:]) == sym.shape


def test_symbolic_conv2d_on_an_unknown_batch():
    y = tk.conv2d(tk.symbolic((None, 28, 28, 1)), tk.ones((3, 3, 1, 16)))
    assert y.shape == (None, 26, 26, 16)


def test_dim_labels_survive_and_channels_take_the_kernels_label():
    x = tk.tensor(np.ones((2, 6, 6, 1)), dims=("batch", "height", "width", "channels"))
    k = tk.tensor(np.ones((3, 3, 1, 4)), dims=(None, None, None, "filters"))
    assert tk.conv2d(x, k).dims == ("batch", "height", "width", "filters")
    assert tk.max_pool2d(x).dims == ("batch", "height", "width", "channels")


# ---- errors --------------------------------------------------------------------------------

K = np.ones((3, 3, 1, 16), dtype=np.float32)


def test_one_image_without_batch_axis_suggests_x_none():
    with pytest.raises(tk.ShapeError, match=r"(?s)conv2d got shapes \(28, 28, 1\), \(3, 3, 1, "
                                            r"16\): the input has rank 3 but conv2d needs rank "
                                            r"4: \(batch, height, width, channels\).*Fix: .*"
                                            r"x\[None\] makes it \(1, 28, 28, 1\)"):
        tk.conv2d(tk.ones((28, 28, 1)), K)


def test_grey_batch_without_channel_axis_suggests_x_ellipsis_none():
    with pytest.raises(tk.ShapeError, match=r"(?s)rank 3 but conv2d needs rank 4.*Fix: a batch "
                                            r"without a channel axis.*x\[\.\.\., None\] makes "
                                            r"it \(32, 28, 28, 1\)"):
        tk.conv2d(tk.ones((32, 28, 28)), K)
    with pytest.raises(tk.ShapeError, match=r"x\[\.\.\., None\] makes it \(None, 28, 28, 1\)"):
        tk.conv2d(tk.symbolic((None, 28, 28)), K)
    with pytest.raises(tk.ShapeError, match=r"(?s)2-D pooling needs rank 4.*one example.*"
                                            r"x\[None\] makes it \(1, 28, 28, 3\)"):
        tk.max_pool2d(tk.ones((28, 28, 3)))               # an RGB image: add the batch axis
    with pytest.raises(tk.ShapeError, match=r"x\[\.\.\., None\] makes it \(8, 28, 28, 1\)"):
        tk.max_pool2d(tk.ones((8, 28, 28)))               # a grey batch: add the channel axis
    with pytest.raises(tk.ShapeError, match=r"x\[None, \.\.\., None\] makes it \(1, 28, 28, 1\)"):
        tk.conv2d(tk.ones((28, 28)), K)


def test_channel_mismatch_names_both_numbers_and_axes():
    with pytest.raises(tk.ShapeError, match=r"(?s)the input has 3 channels \(axis -1\) but the "
                                            r"kernel takes 1 \(kernel axis 2, in_channels\).*"
                                            r"Fix: give the kernel 3 input channels, shape "
                                            r"\(3, 3, 3, 16\)"):
        tk.conv2d(tk.ones((2, 28, 28, 3)), K)
    with pytest.raises(tk.ShapeError, match=r"looks channels-first.*tk\.transpose\(x, "
                                            r"\(0, 2, 3, 1\)\) makes it \(2, 28, 28, 1\)"):
        tk.conv2d(tk.ones((2, 1, 28, 28)), K)
    with pytest.raises(tk.ShapeError, match=r"input has 4 channels .* kernel takes 2 \(kernel "
                                            r"axis 3, in_channels\)"):
        tk.conv2d_transpose(tk.ones((1, 5, 5, 4)), tk.ones((3, 3, 8, 2)))
    with pytest.raises(tk.ShapeError, match=r"kernel has rank 3 but conv2d needs rank 4: "
                                            r"\(kernel_height, kernel_width, in_channels, "
                                            r"out_channels\)(?s:.*)kernel\[\.\.\., None\]"):
        tk.conv2d(tk.ones((1, 5, 5, 3)), tk.ones((3, 3, 3)))


def test_window_larger_than_the_input_suggests_same_padding_or_a_smaller_window():
    with pytest.raises(tk.ShapeError, match=r"(?s)padding='valid' the kernel spans 5 along the "
                                            r"height, but the input height is only 3.*Fix: pad "
                                            r"the input with padding='same'.*smaller kernel"):
        tk.conv2d(tk.ones((1, 3, 8, 1)), tk.ones((5, 5, 1, 2)))
    with pytest.raises(tk.ShapeError, match=r"spans 5 \(size 3, dilation 2\) along the width"):
        tk.conv2d(tk.ones((1, 8, 4, 1)), tk.ones((3, 3, 1, 2)), dilation_rate=(1, 2))
    with pytest.raises(tk.ShapeError, match=r"(?s)the pool spans 3 along the length.*smaller "
                                            r"pool"):
        tk.max_pool1d(tk.ones((1, 2, 4)), 3)
    assert tk.conv2d(tk.ones((1, 3, 8, 1)), tk.ones((5, 5, 1, 2)), padding="same").shape == \
        (1, 3, 8, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: tk.conv2d(tk.ones((1, 5, 5, 1)), K, padding="full"),
     r"conv2d got padding='full'\. Expected 'valid' or 'same'"),
    (lambda: tk.conv1d(tk.ones((1, 5, 1)), tk.ones((3, 1, 2)), padding="casual"),
     r"Expected 'valid' or 'same' or 'causal'"),
    (lambda: tk.max_pool2d(tk.ones((1, 4, 4, 1)), padding="causal"),
     r"max_pool2d got padding='causal'"),
    (lambda: tk.conv2d(tk.ones((1, 5, 5, 1)), K, strides=0),
     r"conv2d got strides=0, but strides must be a positive int or a tuple of 2 positive ints"),
    (lambda: tk.conv2d(tk.ones((1, 5, 5, 1)), K, strides=(1, -2)),
     r"strides=\(1, -2\)"),
    (lambda: tk.avg_pool2d(tk.ones((1, 4, 4, 1)), 2, strides=(2, 0)),
     r"avg_pool2d got strides=\(2, 0\)"),
    (lambda: tk.conv1d(tk.ones((1, 5, 1)), tk.ones((3, 1, 2)), strides=1.5),
     r"conv1d got strides=1\.5"),
    (lambda: tk.conv2d(tk.ones((1, 5, 5, 1)), K, dilation_rate=(1, 2, 3)),
     r"a tuple of 2 positive ints"),
    (lambda: tk.max_pool2d(tk.ones((1, 4, 4, 1)), pool_size=0), r"pool_size=0"),
    (lambda: tk.conv2d_transpose(tk.ones((1, 3, 3, 1)), K, strides=2, output_padding=2),
     r"output_padding=\(2, 2\) with strides=\(2, 2\): each output_padding must be smaller"),
    (lambda: tk.upsample2d(tk.ones((1, 2, 2, 1)), interpolation="bicubic"),
     r"interpolation='bicubic'\. Expected 'nearest' or 'bilinear'"),
    (lambda: tk.upsample2d(tk.ones((1, 2, 2, 1)), size=0), r"upsample2d got size=0"),
])
def test_bad_options_are_value_errors_that_say_what_is_allowed(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_transpose_with_an_output_size_conv2d_cannot_invert_is_refused():
    # an even kernel with "same" and output_padding=0: conv2d would give 2, not 3, back
    with pytest.raises(tk.ShapeError, match=r"output_padding=0 .* which a conv2d would not "
                                            r"take back to 3"):
        tk.conv2d_transpose(tk.ones((1, 3, 3, 1)), tk.ones((2, 2, 1, 1)), 2, "same", 0)


# ---- volumes: conv3d, conv3d_transpose, max/avg_pool3d, upsample3d; depthwise_conv1d --------

def ref_conv3d(x, k, strides=(1, 1, 1), padding="valid", dilation=(1, 1, 1)):
    """Each output cell summed over the kernel positions whose input cell is not padding."""
    n, *sizes, c = x.shape
    window, f = k.shape[:3], k.shape[-1]
    outs, befores = zip(*(tf_pads(m, kk, s, padding, d)
                          for m, kk, s, d in zip(sizes, window, strides, dilation)))
    out = np.zeros((n,) + outs + (f,))
    for o in itertools.product(*map(range, outs)):
        for p in itertools.product(*map(range, window)):
            src = [oi * s + pi * d - b for oi, pi, s, d, b in zip(o, p, strides, dilation,
                                                                   befores)]
            if all(0 <= v < m for v, m in zip(src, sizes)):
                out[(slice(None), *o)] += x[(slice(None), *src)] @ k[p]
    return out


def ref_pool3d(x, pool, strides, padding, reduce):
    """Each window's real (unpadded) cells, reduced: max, or the mean over those cells."""
    n, *sizes, c = x.shape
    outs, befores = zip(*(tf_pads(m, p, s, padding) for m, p, s in zip(sizes, pool, strides)))
    out = np.zeros((n,) + outs + (c,))
    for o in itertools.product(*map(range, outs)):
        starts = [oi * s - b for oi, s, b in zip(o, strides, befores)]
        cells = x[(slice(None), *(slice(max(a, 0), a + p) for a, p in zip(starts, pool)))]
        out[(slice(None), *o)] = reduce(cells.reshape(n, -1, c), axis=1)
    return out


def _triple(v):
    return (v,) * 3 if isinstance(v, int) else v


CONV3D = [  # (input shape, kernel (kd, kh, kw, out), strides, padding, dilation)
    ((2, 4, 5, 4, 1), (3, 3, 3, 2), 1, "valid", 1),
    ((1, 5, 4, 7, 2), (3, 2, 3, 3), 2, "same", 1),        # odd sizes: the extra pad after
    ((1, 4, 5, 4, 5), (2, 3, 2, 2), (1, 2, 1), "same", 1),  # many channels: the other gather
    ((1, 5, 5, 6, 2), (2, 2, 2, 2), (2, 1, 3), "valid", 1),
    ((1, 5, 4, 5, 3), (2, 2, 3, 2), 1, "same", (2, 1, 2)),
    ((1, 5, 5, 5, 6), (2, 2, 2, 3), 1, "valid", 2),
    ((1, 3, 3, 3, 2), (4, 4, 4, 2), 1, "same", 1),        # kernel larger than the input
]


@pytest.mark.parametrize("xs, ks, strides, padding, dilation", CONV3D)
def test_conv3d_matches_a_loop_reference(xs, ks, strides, padding, dilation):
    x = _x(xs)
    k = _x(ks[:3] + (xs[-1], ks[3]), seed=1)
    y = tk.conv3d(_t(x), _t(k), strides, padding, dilation)
    want = ref_conv3d(x, k, _triple(strides), padding, _triple(dilation))
    assert y.shape == want.shape
    np.testing.assert_allclose(y.numpy(), want, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(sizes=st.tuples(*[st.integers(1, 5)] * 3), window=st.tuples(*[st.integers(1, 3)] * 3),
       strides=st.tuples(*[st.integers(1, 2)] * 3), cin=st.sampled_from([1, 4]),
       d=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]))
def test_conv3d_any_geometry_matches_the_reference(sizes, window, strides, cin, d, padding):
    if padding == "valid" and any(n < (k - 1) * d + 1 for n, k in zip(sizes, window)):
        return                                      # no output: an error, tested below
    x, k = _x((1,) + sizes + (cin,)), _x(window + (cin, 2), seed=1)
    y = tk.conv3d(_t(x), _t(k), strides, padding, d)
    np.testing.assert_allclose(y.numpy(), ref_conv3d(x, k, strides, padding, (d, d, d)),
                               atol=1e-12)


def _input_gradient_of_conv3d(x, k, out_size, strides, padding, dilation):
    """d sum(conv3d(z, k) * x) / dz for z of spatial size out_size."""
    z = tk.tensor(np.zeros((x.shape[0],) + out_size + (k.shape[3],)), dtype="float64",
                  requires_grad=True)
    (tk.conv3d(z, _t(k), strides, padding, dilation) * _t(x)).sum().backward()
    return z.grad.numpy()


@pytest.mark.parametrize("sizes, kernel, strides, padding, output_padding, dilation", [
    ((2, 3, 2), (3, 3, 3), 2, "same", None, 1),
    ((2, 2, 3), (3, 2, 3), 2, "valid", None, 1),
    ((2, 2, 2), (3, 3, 3), (2, 3, 2), "valid", (1, 2, 0), 1),
    ((2, 3, 2), (4, 2, 4), (2, 1, 2), "same", None, 1),        # even kernels
    ((2, 2, 3), (3, 3, 3), 2, "same", 0, 1),
    ((2, 3, 2), (2, 2, 2), 1, "valid", None, 2),
    ((2, 2, 2), (1, 1, 1), 3, "valid", None, 1),               # kernel smaller than the stride
])
@pytest.mark.parametrize("channels", [(2, 3), (5, 4)])     # (out, in): both gathers
def test_conv3d_transpose_is_the_input_gradient_of_conv3d(sizes, kernel, strides, padding,
                                                          output_padding, dilation, channels):
    x = _x((2,) + sizes + (channels[1],))
    k = _x(kernel + channels, seed=1)                  # (kd, kh, kw, out, in): Keras's layout
    y = tk.conv3d_transpose(_t(x), _t(k), strides, padding, output_padding, dilation)
    op = output_padding
    op = (op,) * 3 if isinstance(op, int) else (op or (None,) * 3)
    want_size = tuple(deconv_output_length(n, kk, ss, padding, o, dilation)
                      for n, kk, ss, o in zip(sizes, kernel, _triple(strides), op))
    assert y.shape == (2,) + want_size + (channels[0],)
    np.testing.assert_allclose(y.numpy(), _input_gradient_of_conv3d(
        x, k, want_size, strides, padding, dilation), atol=1e-12)


POOL3D = [  # (input shape, pool_size, strides, padding)
    ((2, 4, 4, 6, 2), 2, None, "valid"),
    ((1, 5, 5, 3, 2), 2, None, "valid"),           # odd sizes: the last cells dropped
    ((1, 5, 4, 5, 2), 3, 2, "same"),
    ((1, 3, 2, 5, 1), (2, 1, 3), (1, 1, 2), "same"),
    ((1, 3, 5, 4, 2), (2, 3, 2), 1, "valid"),
    ((1, 4, 4, 4, 1), 3, 3, "same"),
]


@pytest.mark.parametrize("xs, pool, strides, padding", POOL3D)
def test_pool3d_matches_a_loop_reference(xs, pool, strides, padding):
    x = _x(xs)
    s = _triple(pool) if strides is None else _triple(strides)
    np.testing.assert_allclose(tk.max_pool3d(_t(x), pool, strides, padding).numpy(),
                               ref_pool3d(x, _triple(pool), s, padding, np.max), atol=1e-12)
    np.testing.assert_allclose(tk.avg_pool3d(_t(x), pool, strides, padding).numpy(),
                               ref_pool3d(x, _triple(pool), s, padding, np.mean), atol=1e-12)


def _ref_max_pool3d_grad(x, g, pool, strides, padding):
    """Each window's gradient to its first maximum (in (d, h, w) order), by a loop."""
    pads = [conv_output_length(n, k, s, padding)[1] for n, k, s in zip(x.shape[1:4], pool,
                                                                        strides)]
    xpad = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-np.inf)
    dx = np.zeros_like(xpad)
    for b, i, j, l, c in itertools.product(*map(range, g.shape)):
        at = (i * strides[0], j * strides[1], l * strides[2])
        win = xpad[(b, *(slice(a, a + p) for a, p in zip(at, pool)), c)]
        first = np.unravel_index(np.argmax(win), win.shape)     # argmax: the first maximum
        dx[(b, *(a + f for a, f in zip(at, first)), c)] += g[b, i, j, l, c]
    return dx[(slice(None), *(slice(p[0], p[0] + n) for p, n in zip(pads, x.shape[1:4])))]


@pytest.mark.parametrize("sizes, pool, strides, padding", [
    ((4, 4, 4), (2, 2, 2), (2, 2, 2), "valid"), ((3, 4, 3), (2, 2, 2), (1, 1, 1), "valid"),
    ((4, 3, 5), (3, 3, 3), (2, 2, 2), "same"), ((3, 5, 4), (2, 3, 2), (1, 2, 1), "same")])
def test_max_pool3d_gradient_with_ties_matches_a_loop_reference(sizes, pool, strides, padding):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 3, (2,) + sizes + (2,)).astype("float64")   # many ties, as after ReLU
    t = tk.tensor(x, dtype="float64", requires_grad=True)
    y = tk.max_pool3d(t, pool, strides, padding)
    g = rng.standard_normal(y.shape)
    (y * tk.tensor(g, dtype="float64")).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), _ref_max_pool3d_grad(x, g, pool, strides,
                                                                    padding), atol=1e-12)


def test_avg_pool3d_same_leaves_padded_cells_out_and_max_never_picks_them():
    # 2x2x2 pools, stride 2, on 3x3x3 pad one cell after each axis: counting it gives < 1
    np.testing.assert_array_equal(tk.avg_pool3d(tk.ones((1, 3, 3, 3, 1)), 2,
                                                padding="same").numpy(), np.ones((1, 2, 2, 2, 1)))
    assert tk.max_pool3d(_t(-np.ones((1, 3, 3, 3, 1))), 2, padding="same").numpy().max() == -1


def test_upsample3d_repeats_each_cell():
    x = _x((2, 2, 3, 2, 2))
    np.testing.assert_array_equal(tk.upsample3d(_t(x), (2, 1, 3)).numpy(),
                                  x.repeat(2, axis=1).repeat(3, axis=3))
    assert tk.upsample3d(_t(x)).shape == (2, 4, 6, 4, 2)


@pytest.mark.parametrize("stride, padding, dilation, m", [
    (1, "valid", 1, 1), (2, "same", 1, 3), (1, "same", 2, 2), (3, "valid", 1, 2)])
def test_depthwise_conv1d_convolves_each_channel_with_its_own_filters(stride, padding,
                                                                      dilation, m):
    x, k = _x((2, 9, 3)), _x((3, 3, m), seed=1)          # kernel (k, C, M), as Keras
    y = tk.depthwise_conv1d(_t(x), _t(k), stride, padding, dilation).numpy()
    want = np.concatenate([ref_conv1d(x[..., c:c + 1], k[:, c:c + 1], stride, padding,
                                      dilation) for c in range(3)], axis=-1)
    np.testing.assert_allclose(y, want, atol=1e-12)       # channel c * M + m, as TF
    lifted = tk.depthwise_conv2d(_t(x[:, None]), _t(k[None]), (1, stride), padding,
                                 (1, dilation)).numpy()[:, 0]
    np.testing.assert_allclose(y, lifted, atol=1e-12)


def test_volume_ops_keep_float32_and_dim_labels():
    x = tk.tensor(_x((2, 4, 4, 4, 3)), requires_grad=True)
    k = tk.tensor(_x((3, 3, 3, 3, 4), seed=1), requires_grad=True)
    outs = [tk.conv3d(x, k, padding="same"), tk.conv3d_transpose(x, tk.tensor(
        _x((2, 2, 2, 2, 3)))), tk.max_pool3d(x), tk.avg_pool3d(x, 3, 2, "same"),
        tk.upsample3d(x), tk.depthwise_conv1d(x[0, 0], tk.tensor(_x((3, 3, 2))))]
    for y in outs:
        assert y.dtype == np.float32, y.op
    tk.conv3d(x, k).sum().backward()
    assert x.grad.dtype == np.float32 and k.grad.dtype == np.float32
    labelled = tk.tensor(np.ones((2, 4, 4, 4, 1)),
                         dims=("batch", "depth", "height", "width", "channels"))
    kernel = tk.tensor(np.ones((3, 3, 3, 1, 2)), dims=(None,) * 4 + ("filters",))
    assert tk.conv3d(labelled, kernel).dims == ("batch", "depth", "height", "width", "filters")
    assert tk.max_pool3d(labelled).dims == labelled.dims == tk.upsample3d(labelled).dims


def test_conv3d_on_a_batch_of_clips_keeps_memory_in_bounds():
    # 8 clips of 16 frames, 32x32 RGB: the patch matrix holds 27 * 3 floats an output
    # position (42 MB); forward and backward together stay within three of it
    x = tk.tensor(np.zeros((8, 16, 32, 32, 3), np.float32), requires_grad=True)
    k = tk.tensor(np.zeros((3, 3, 3, 3, 16), np.float32), requires_grad=True)
    patches = 8 * 16 * 32 * 32 * 27 * 3 * 4
    tracemalloc.start()
    try:
        tk.max_pool3d(tk.conv3d(x, k, padding="same")).sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * patches, f"{peak / 2**20:.0f} MB"
    assert x.grad.shape == x.shape and k.grad.shape == k.shape


K3 = np.ones((3, 3, 3, 1, 8), dtype=np.float32)


def test_a_4d_tensor_given_to_a_volume_op_says_which_axis_to_add():
    with pytest.raises(tk.ShapeError, match=r"(?s)conv3d got shapes \(8, 16, 32, 32\), \(3, 3, "
                                            r"3, 1, 8\): the input has rank 4 but conv3d needs "
                                            r"rank 5: \(batch, depth, height, width, channels\)"
                                            r".*Fix: a batch without a channel axis.*"
                                            r"x\[\.\.\., None\] makes it \(8, 16, 32, 32, 1\)"):
        tk.conv3d(tk.ones((8, 16, 32, 32)), K3)
    with pytest.raises(tk.ShapeError, match=r"(?s)needs rank 5.*one example without the batch "
                                            r"axis.*x\[None\] makes it \(1, 16, 32, 32, 3\)"):
        tk.conv3d(tk.ones((16, 32, 32, 3)), tk.ones((3, 3, 3, 3, 8)))
    with pytest.raises(tk.ShapeError, match=r"(?s)3-D pooling needs rank 5.*x\[None\] makes it "
                                            r"\(1, 8, 16, 16, 3\)"):
        tk.max_pool3d(tk.ones((8, 16, 16, 3)))
    with pytest.raises(tk.ShapeError, match=r"(?s)upsample3d needs rank 5.*x\[\.\.\., None\] "
                                            r"makes it \(2, 4, 4, 5, 1\)"):
        tk.upsample3d(tk.ones((2, 4, 4, 5)))
    with pytest.raises(tk.ShapeError, match=r"x\[None, \.\.\., None\] makes it "
                                            r"\(1, 16, 32, 32, 1\)"):
        tk.conv3d(tk.ones((16, 32, 32)), K3)                  # one grey volume
    with pytest.raises(tk.ShapeError, match=r"x\[\.\.\., None\] makes it \(None, 16, 32, 32, 1\)"):
        tk.avg_pool3d(tk.symbolic((None, 16, 32, 32)))


def test_flat_vectors_given_to_conv3d_suggest_reshape_back_to_volumes():
    with pytest.raises(tk.ShapeError, match=r"flat vectors.*layers\.Reshape\(\(16, 16, 16, "
                                            r"1\)\)"):
        tk.conv3d(tk.symbolic((None, 4096)), K3)
    with pytest.raises(tk.ShapeError, match=r"Reshape\(\(depth, height, width, channels\)\)"):
        tk.conv3d(tk.symbolic((None, 60)), K3)


def test_volume_kernels_and_channels_are_explained():
    with pytest.raises(tk.ShapeError, match=r"(?s)kernel has rank 4 but conv3d needs rank 5: "
                                            r"\(kernel_depth, kernel_height, kernel_width, "
                                            r"in_channels, out_channels\).*kernel\[\.\.\., "
                                            r"None\] makes it \(3, 3, 3, 2, 1\)"):
        tk.conv3d(tk.ones((1, 4, 4, 4, 2)), tk.ones((3, 3, 3, 2)))
    with pytest.raises(tk.ShapeError, match=r"conv3d_transpose needs rank 5: \(kernel_depth, "
                                            r"kernel_height, kernel_width, out_channels, "
                                            r"in_channels\)"):
        tk.conv3d_transpose(tk.ones((1, 2, 2, 2, 3)), tk.ones((3, 3, 3, 3)))
    with pytest.raises(tk.ShapeError, match=r"depthwise_conv1d needs rank 3: \(kernel_size, "
                                            r"in_channels, depth_multiplier\)"):
        tk.depthwise_conv1d(tk.ones((1, 5, 2)), tk.ones((3, 2)))
    with pytest.raises(tk.ShapeError, match=r"looks channels-first.*tk\.transpose\(x, "
                                            r"\(0, 2, 3, 4, 1\)\) makes it \(2, 8, 8, 8, 1\)"):
        tk.conv3d(tk.ones((2, 1, 8, 8, 8)), K3)
    with pytest.raises(tk.ShapeError, match=r"(?s)the kernel spans 3 along the depth, but the "
                                            r"input depth is only 2.*padding='same'"):
        tk.conv3d(tk.ones((1, 2, 8, 8, 1)), K3)
    with pytest.raises(tk.ShapeError, match=r"the pool spans 2 along the depth"):
        tk.max_pool3d(tk.ones((1, 1, 8, 8, 1)))


@pytest.mark.parametrize("call, match", [
    (lambda: tk.conv3d(tk.ones((1, 4, 4, 4, 1)), K3, padding="causal"),
     r"conv3d got padding='causal'\. Expected 'valid' or 'same'"),
    (lambda: tk.conv3d(tk.ones((1, 4, 4, 4, 1)), K3, strides=(1, 2)),
     r"conv3d got strides=\(1, 2\), but strides must be a positive int or a tuple of 3"),
    (lambda: tk.conv3d(tk.ones((1, 4, 4, 4, 1)), K3, dilation_rate=0), r"dilation_rate=0"),
    (lambda: tk.max_pool3d(tk.ones((1, 4, 4, 4, 1)), pool_size=(2, 2)),
     r"max_pool3d got pool_size=\(2, 2\)"),
    (lambda: tk.avg_pool3d(tk.ones((1, 4, 4, 4, 1)), 2, strides=0), r"avg_pool3d got strides=0"),
    (lambda: tk.avg_pool3d(tk.ones((1, 4, 4, 4, 1)), padding="full"),
     r"avg_pool3d got padding='full'"),
    (lambda: tk.conv3d_transpose(tk.ones((1, 3, 3, 3, 1)), tk.ones((3, 3, 3, 1, 1)), strides=2,
                                 output_padding=(1, 2, 1)),
     r"output_padding=\(1, 2, 1\) with strides=\(2, 2, 2\): each output_padding must be"),
    (lambda: tk.upsample3d(tk.ones((1, 2, 2, 2, 1)), size=(2, 0, 2)),
     r"upsample3d got size=\(2, 0, 2\)"),
    (lambda: tk.depthwise_conv1d(tk.ones((1, 5, 2)), tk.ones((3, 2, 1)), padding="causal"),
     r"depthwise_conv1d got padding='causal'"),
])
def test_bad_volume_options_are_value_errors_that_say_what_is_allowed(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("op, shape", [(tk.avg_pool1d, (1, 4, 1)), (tk.avg_pool2d, (1, 2, 2, 1)),
                                       (tk.avg_pool3d, (1, 2, 2, 2, 1))])
def test_average_pooling_of_integers_is_a_float_mean(op, shape):
    x = np.arange(1, np.prod(shape) + 1, dtype="int32").reshape(shape) * 2 - 1   # odd numbers
    out = op(tk.tensor(x), 2)
    assert out.dtype == np.float32 and op(tk.symbolic(shape, dtype="int32"), 2).dtype == out.dtype
    assert out.numpy().ravel()[0] == x.ravel()[:2 ** (len(shape) - 2)].mean()
