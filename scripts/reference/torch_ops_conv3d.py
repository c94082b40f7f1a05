"""Record PyTorch's forward values and input gradients for tensorkit's volumetric ops:
conv3d, conv3d_transpose, max_pool3d, avg_pool3d, upsample3d, and depthwise_conv1d.

Run (needs torch, which the project venv has):

    .venv/bin/python scripts/reference/torch_ops_conv3d.py

Writes tests/data/reference/torch_ops_conv3d.npz, replayed by
tests/test_reference_torch_gradients.py; the case format is in _torch.py.

Layouts: tensorkit is NDHWC with (kd, kh, kw, in, out) kernels (transposed: (kd, kh, kw,
out, in)); the torch side permutes to NCDHW and pads explicitly as TensorFlow's "same" does
(the odd extra cell after), as torch_gradients.py does for 2-D. The transposed convolution
is torch's conv_transpose3d cropped (and zero-extended) to Keras's output size. The cases
sit where the libraries could differ: odd sizes with "same" and strides, even kernels,
dilation, output_padding, few and many channels (two gathers), tied maxima in
non-overlapping, overlapping and padded windows (the first maximum in (d, h, w) order takes
the gradient), and average windows that reach into the padding (TF leaves it uncounted).
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch import A, TorchCases  # noqa: E402

cases = TorchCases("torch_ops_conv3d", seed=3303)
rng, randn, case = cases.rng, cases.randn, cases.case


def ncdhw(x):
    return x.permute(0, 4, 1, 2, 3)


def ndhwc(x):
    return x.permute(0, 2, 3, 4, 1)


def same_pads(size, k, s, d=1):
    """TensorFlow's "same": (before, after), the odd one at the end."""
    total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def tf_pad3d(x, window, strides, padding, dilation=(1, 1, 1), value=0.0):
    """Pad an NCDHW tensor as TF's padding="same" would; "valid" leaves it."""
    if padding == "valid":
        return x
    (f, b), (t, bo), (l, r) = (same_pads(n, k, s, d) for n, k, s, d in
                               zip(x.shape[2:], window, strides, dilation))
    return F.pad(x, (l, r, t, bo, f, b), value=value)


def as_lists(**kw):
    """A case's kwargs as JSON: tuples become lists."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}


# ---- conv3d ------------------------------------------------------------------------------
def conv3d_torch(x, k, strides, padding, dilation):
    kk = k.permute(4, 3, 0, 1, 2)               # (kd, kh, kw, in, out) -> (out, in, kd, kh, kw)
    xp = tf_pad3d(ncdhw(x), k.shape[:3], strides, padding, dilation)
    return ndhwc(F.conv3d(xp, kk, stride=strides, dilation=dilation))


for name, xs, ks, strides, padding, dilation in [
        ("valid", (2, 3, 3, 4, 2), (3, 2, 2, 2, 2), (1, 1, 1), "valid", (1, 1, 1)),
        ("same", (1, 3, 3, 4, 3), (3, 3, 3, 3, 1), (1, 1, 1), "same", (1, 1, 1)),
        ("same-stride2-odd", (1, 5, 3, 5, 2), (3, 2, 3, 2, 1), (2, 2, 2), "same", (1, 1, 1)),
        ("same-even-kernel", (1, 3, 4, 3, 2), (2, 4, 2, 2, 1), (1, 1, 1), "same", (1, 1, 1)),
        ("valid-strides213", (1, 5, 3, 7, 1), (2, 2, 3, 1, 2), (2, 1, 3), "valid", (1, 1, 1)),
        ("same-dilation212", (1, 4, 3, 5, 2), (2, 2, 2, 2, 1), (1, 1, 1), "same", (2, 1, 2)),
        ("valid-dilation2", (1, 5, 5, 5, 1), (2, 3, 2, 1, 2), (1, 1, 1), "valid", (2, 2, 2)),
        ("same-stride3-many-channels", (1, 3, 4, 3, 4), (3, 2, 3, 4, 1), (3, 3, 3), "same",
         (1, 1, 1))]:
    case(f"conv3d-{name}", "conv3d", [A("x"), A("k")],
         lambda x, k, s=strides, p=padding, d=dilation: conv3d_torch(x, k, s, p, d),
         {"x": randn(*xs), "k": randn(*ks)}, ["x", "k"],
         as_lists(strides=strides, padding=padding, dilation_rate=dilation))


# ---- conv3d_transpose: torch's transposed conv, cut to Keras's size ------------------------
def deconv_length(n, k, s, padding, output_padding, d):
    """Keras's deconv_output_length."""
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s if padding == "same" else n * s + max(k - s, 0)
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


def conv3d_transpose_torch(x, k, out_size, strides, padding, dilation):
    """torch's full transposed conv ((n - 1) * s + span cells per axis), then the cells of
    TF's output: from the "same" padding before, zero-extended where the output reaches past
    the full one (those cells get no input: output_padding and small kernels)."""
    kk = k.permute(4, 3, 0, 1, 2)           # (kd, kh, kw, out, in) -> (in, out, kd, kh, kw)
    full = F.conv_transpose3d(ncdhw(x), kk, stride=strides, dilation=dilation)
    cut = []
    for axis, (n, kn, s, d) in enumerate(zip(out_size, k.shape[:3], strides, dilation)):
        before = same_pads(n, kn, s, d)[0] if padding == "same" else 0
        extra = max(before + n - full.shape[2 + axis], 0)
        cut.append((before, extra))
    (fb, fe), (tb, te), (lb, le) = cut
    full = F.pad(full, (0, le, 0, te, 0, fe))
    d_, h_, w_ = out_size
    return ndhwc(full[:, :, fb:fb + d_, tb:tb + h_, lb:lb + w_])


for name, xs, ks, strides, padding, out_pad, dilation in [
        ("valid", (1, 2, 3, 2, 3), (2, 2, 2, 2, 3), (1, 1, 1), "valid", None, (1, 1, 1)),
        ("valid-stride2", (1, 2, 2, 2, 2), (3, 2, 3, 1, 2), (2, 2, 2), "valid", None, (1, 1, 1)),
        ("same-stride2", (1, 2, 2, 2, 2), (3, 3, 3, 2, 2), (2, 2, 2), "same", None, (1, 1, 1)),
        ("same-even-kernel", (1, 2, 3, 2, 2), (4, 2, 4, 2, 2), (2, 1, 2), "same", None,
         (1, 1, 1)),
        ("valid-output-padding", (1, 2, 2, 1, 2), (3, 2, 3, 1, 2), (2, 3, 2), "valid",
         (1, 2, 0), (1, 1, 1)),
        ("same-output-padding0", (1, 3, 2, 2, 2), (3, 3, 3, 1, 2), (2, 2, 2), "same",
         (0, 0, 0), (1, 1, 1)),
        ("kernel-smaller-than-stride", (1, 2, 2, 2, 2), (1, 2, 1, 1, 2), (3, 2, 2), "valid",
         None, (1, 1, 1)),
        ("valid-dilation2", (1, 2, 3, 2, 2), (2, 2, 2, 1, 2), (1, 1, 1), "valid", None,
         (2, 2, 2)),
        ("many-channels", (1, 2, 2, 2, 5), (2, 1, 2, 4, 5), (2, 1, 2), "same", None,
         (1, 1, 1))]:
    out_size = tuple(deconv_length(n, kn, s, padding, None if out_pad is None else op, d)
                     for n, kn, s, op, d in zip(xs[1:4], ks[:3], strides, out_pad or (0,) * 3,
                                                dilation))
    case(f"conv3d_transpose-{name}", "conv3d_transpose", [A("x"), A("k")],
         lambda x, k, o=out_size, s=strides, p=padding, d=dilation: conv3d_transpose_torch(
             x, k, o, s, p, d),
         {"x": randn(*xs), "k": randn(*ks)}, ["x", "k"],
         as_lists(strides=strides, padding=padding, output_padding=out_pad,
                  dilation_rate=dilation))


# ---- pooling ----------------------------------------------------------------------------
def max_pool_torch(x, pool, strides, padding):
    xp = tf_pad3d(ncdhw(x), pool, strides, padding, value=-np.inf)
    return ndhwc(F.max_pool3d(xp, pool, strides))


def avg_pool_torch(x, pool, strides, padding):
    """TF's average pool: padded cells are not counted (torch's count_include_pad=False)."""
    xp = tf_pad3d(ncdhw(x), pool, strides, padding)
    ones = tf_pad3d(torch.ones_like(ncdhw(x[:1, ..., :1])), pool, strides, padding)
    counts = F.avg_pool3d(ones, pool, strides)                 # share of real cells
    return ndhwc(F.avg_pool3d(xp, pool, strides) / counts)


def ties(*shape):
    return rng.integers(0, 3, shape).astype(np.float32)     # many tied maxima


for name, x, pool, strides, padding, fns in [
        ("2x2x2", randn(2, 4, 2, 4, 2), (2, 2, 2), (2, 2, 2), "valid", "max avg"),
        ("2x2x2-odd-valid", randn(1, 5, 5, 3, 2), (2, 2, 2), (2, 2, 2), "valid", "max"),
        ("3x3x3-stride2-same-odd", randn(1, 5, 4, 5, 1), (3, 3, 3), (2, 2, 2), "same",
         "max avg"),
        ("3x3x3-stride1-same", randn(1, 3, 4, 3, 2), (3, 3, 3), (1, 1, 1), "same", "avg"),
        ("232-stride121-valid", randn(1, 3, 5, 4, 2), (2, 3, 2), (1, 2, 1), "valid", "max"),
        ("213-stride112-same", randn(1, 3, 2, 5, 2), (2, 1, 3), (1, 1, 2), "same", "max avg"),
        ("2x2x2-ties", ties(1, 4, 4, 4, 2), (2, 2, 2), (2, 2, 2), "valid", "max"),
        ("2x2x2-stride1-ties-overlap", ties(1, 3, 4, 3, 2), (2, 2, 2), (1, 1, 1), "valid",
         "max"),
        ("3x3x3-stride2-same-ties", ties(1, 4, 3, 5, 1), (3, 3, 3), (2, 2, 2), "same", "max")]:
    kw = as_lists(pool_size=pool, strides=strides, padding=padding)
    if "max" in fns:
        case(f"max_pool3d-{name}", "max_pool3d", [A("x")],
             lambda x, p=pool, s=strides, pd=padding: max_pool_torch(x, p, s, pd), {"x": x},
             ["x"], kw)
    if "avg" in fns:
        case(f"avg_pool3d-{name}", "avg_pool3d", [A("x")],
             lambda x, p=pool, s=strides, pd=padding: avg_pool_torch(x, p, s, pd), {"x": x},
             ["x"], kw)
# symmetric padding: torch's own padding with count_include_pad=False gives the same
case("avg_pool3d-3x3x3-same-torch-padding", "avg_pool3d", [A("x")],
     lambda x: ndhwc(F.avg_pool3d(ncdhw(x), 3, 1, padding=1, count_include_pad=False)),
     {"x": randn(1, 3, 4, 3, 2)}, ["x"], {"pool_size": 3, "strides": 1, "padding": "same"})
case("max_pool3d-default-strides", "max_pool3d", [A("x")],
     lambda x: ndhwc(F.max_pool3d(ncdhw(x), 2)), {"x": randn(1, 4, 2, 4, 2)}, ["x"])

# ---- upsample3d (nearest) ----------------------------------------------------------------
for size in [(2, 2, 2), (1, 2, 3)]:
    case(f"upsample3d-{'x'.join(map(str, size))}", "upsample3d", [A("x")],
         lambda x, size=size: ndhwc(F.interpolate(ncdhw(x), scale_factor=size,
                                                  mode="nearest")),
         {"x": randn(1, 2, 3, 2, 2)}, ["x"], {"size": list(size)})


# ---- depthwise_conv1d: torch's grouped conv1d, one group per channel -----------------------
def depthwise1d_torch(x, k, stride, padding, dilation):
    size, c, m = k.shape
    kk = k.permute(1, 2, 0).reshape(c * m, 1, size)    # out channel c * M + m, as TF
    xt = x.permute(0, 2, 1)
    if padding == "same":
        xt = F.pad(xt, same_pads(xt.shape[2], size, stride, dilation))
    return F.conv1d(xt, kk, stride=stride, dilation=dilation, groups=c).permute(0, 2, 1)


for name, xs, ks, stride, padding, dilation in [
        ("valid", (2, 7, 3), (3, 3, 1), 1, "valid", 1),
        ("same-stride2-multiplier3", (2, 7, 2), (3, 2, 3), 2, "same", 1),
        ("same-even-kernel", (1, 6, 2), (4, 2, 2), 1, "same", 1),
        ("valid-dilation2", (2, 8, 3), (3, 3, 2), 1, "valid", 2)]:
    case(f"depthwise_conv1d-{name}", "depthwise_conv1d", [A("x"), A("k")],
         lambda x, k, s=stride, p=padding, d=dilation: depthwise1d_torch(x, k, s, p, d),
         {"x": randn(*xs), "k": randn(*ks)}, ["x", "k"],
         {"strides": stride, "padding": padding, "dilation_rate": dilation})

if __name__ == "__main__":
    cases.save()
