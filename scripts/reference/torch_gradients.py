"""Record PyTorch's forward values and input gradients for tensorkit's flat ops.

Run (needs torch, which the project venv has):

    make references

(which runs .venv-reference/bin/python scripts/reference/torch_gradients.py).

Writes tests/data/reference/torch_gradients.npz, read by
tests/test_reference_torch_gradients.py; the case format is in _torch.py.

Layouts: tensorkit is NHWC with (kh, kw, in, out) kernels; the torch side permutes to
NCHW and pads explicitly as TensorFlow's "same" does (more at the end when odd).
Beside general random inputs, the cases sit on the points where libraries disagree: ties
in max/min and maximum/minimum, kinks at exactly 0 or at clip bounds, sqrt/log at 0, pow
with a zero or negative base, zero variance, -inf in softmax, repeated gather indices,
max-pool ties, padded average pools.
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch import A, TorchCases  # noqa: E402

cases = TorchCases("torch_gradients", seed=1234)
rng, randn, case, unary = cases.rng, cases.randn, cases.case, cases.unary


# ---- elementwise, unary: general inputs, then the kinks at exactly 0 ---------------------
gen = randn(3, 4) * 2
kinks = np.array([[-2.0, -1.0, -0.0, 0.0], [1e-3, -1e-3, 1.0, 2.5]], np.float32)
pos = np.abs(randn(3, 4)) + 0.1
for fn, tf in [("neg", torch.neg), ("square", torch.square), ("tanh", torch.tanh),
               ("sigmoid", torch.sigmoid), ("exp", torch.exp)]:
    unary(f"{fn}-general", fn, tf, gen)
for where_, x in [("general", gen), ("kinks", kinks)]:
    unary(f"abs-{where_}", "abs", torch.abs, x)
    unary(f"relu-{where_}", "relu", torch.relu, x)
    unary(f"softplus-{where_}", "softplus", F.softplus, x)
    unary(f"silu-{where_}", "silu", F.silu, x)
    unary(f"leaky_relu-default-{where_}", "leaky_relu",
          lambda x: F.leaky_relu(x, 0.2), x)           # tk's default slope is Keras's 0.2
    unary(f"leaky_relu-0.01-{where_}", "leaky_relu", lambda x: F.leaky_relu(x, 0.01), x,
          {"negative_slope": 0.01})
    unary(f"elu-default-{where_}", "elu", F.elu, x)
    unary(f"elu-0.5-{where_}", "elu", lambda x: F.elu(x, 0.5), x, {"alpha": 0.5})
    unary(f"gelu-default-{where_}", "gelu", lambda x: F.gelu(x, approximate="tanh"), x)
    unary(f"gelu-erf-{where_}", "gelu", lambda x: F.gelu(x, approximate="none"), x,
          {"approximate": False})
# NaN inputs: what torch's gradients do with them (relu, elu and maximum pass g on)
nans = np.array([np.nan, -1.0, 0.0, 2.0], np.float32)
for fn, tf in [("relu", torch.relu), ("elu", F.elu), ("softmax", torch.softmax),
               ("leaky_relu", lambda x: F.leaky_relu(x, 0.2)), ("max", torch.amax),
               ("clip", lambda x: torch.clamp(x, -0.5, 1.0))]:
    args = [A("x"), -0.5, 1.0] if fn == "clip" else [A("x")]
    case(f"{fn}-nan", fn, args, (lambda x, tf=tf: tf(x, -1)) if fn == "softmax" else tf,
         {"x": nans}, ["x"])
for fn, tf in [("maximum", torch.maximum), ("minimum", torch.minimum)]:
    case(f"{fn}-nan", fn, [A("x"), A("y")], tf,
         {"x": nans, "y": np.array([0.0, np.nan, 0.0, 3.0], np.float32)}, ["x", "y"])
case("argmax-nan", "argmax", [A("x")], lambda x: torch.argmax(x).int(),
     {"x": np.array([1.0, np.nan, 3.0, np.nan], np.float32)})
unary("silu-large", "silu", F.silu, np.array([-30.0, -10.0, 10.0, 30.0], np.float32))
unary("softplus-large", "softplus", F.softplus,
      np.array([-40.0, -20.0, 19.0, 21.0, 40.0], np.float32))
unary("sigmoid-large", "sigmoid", torch.sigmoid, np.array([-40.0, -15.0, 15.0, 40.0],
                                                         np.float32))
unary("log-general", "log", torch.log, pos)
unary("log-at-zero", "log", torch.log, np.array([0.0, 1.0, 2.0], np.float32))
unary("sqrt-general", "sqrt", torch.sqrt, pos)
unary("sqrt-at-zero", "sqrt", torch.sqrt, np.array([0.0, 0.25, 4.0], np.float32))
for fn in ["sign", "floor", "round"]:                  # steps: zero gradients; round to even
    x = np.array([-1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 0.7], np.float32)
    case(f"{fn}", fn, [A("x")], getattr(torch, fn), {"x": x}, ["x"])

# clip: torch.clamp passes the gradient at the bounds (inclusive), zero outside
bounds = np.array([-2.0, -0.5, -0.2, 0.0, 0.3, 1.0, 1.5], np.float32)
case("clip-bounds", "clip", [A("x"), -0.5, 1.0], lambda x: torch.clamp(x, -0.5, 1.0),
     {"x": bounds}, ["x"])
case("clip-min-only", "clip", [A("x"), 0.0, None], lambda x: torch.clamp(x, min=0.0),
     {"x": bounds}, ["x"])
case("clip-max-only", "clip", [A("x"), None, 0.3], lambda x: torch.clamp(x, max=0.3),
     {"x": bounds}, ["x"])
case("clip-min-equals-max", "clip", [A("x"), 0.3, 0.3], lambda x: torch.clamp(x, 0.3, 0.3),
     {"x": bounds}, ["x"])
unary("gelu-tanh-general", "gelu", lambda x: F.gelu(x, approximate="tanh"), gen,
      {"approximate": True})
case("clip-general", "clip", [A("x"), -1.0, 1.0], lambda x: torch.clamp(x, -1.0, 1.0),
     {"x": gen}, ["x"])

# ---- elementwise, binary: broadcasting, division by 0, pow's corners, ties ----------------
for fn, tf in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul),
               ("div", torch.div)]:
    case(f"{fn}-same-shape", fn, [A("x"), A("y")], tf,
         {"x": randn(3, 4), "y": randn(3, 4) + 3}, ["x", "y"])
    case(f"{fn}-broadcast", fn, [A("x"), A("y")], tf,
         {"x": randn(2, 3, 4), "y": randn(3, 1) + 3}, ["x", "y"])
    if fn in ("sub", "div"):
        case(f"{fn}-scalar-tensor", fn, [A("x"), A("y")], tf,
             {"x": randn(3, 4), "y": np.array(1.5, np.float32)}, ["x", "y"])
        case(f"{fn}-python-number", fn, [A("x"), 2.5], lambda x, tf=tf: tf(x, 2.5),
             {"x": randn(3, 4)}, ["x"])
case("div-by-zero", "div", [A("x"), A("y")], torch.div,
     {"x": np.array([1.0, -2.0, 0.0, 3.0], np.float32),
      "y": np.array([0.0, 0.0, 0.0, 2.0], np.float32)}, ["x", "y"])

case("pow-general", "pow", [A("x"), A("y")], torch.pow,
     {"x": pos, "y": randn(3, 4)}, ["x", "y"])
case("pow-broadcast", "pow", [A("x"), A("y")], torch.pow,
     {"x": np.abs(randn(2, 3)) + 0.5, "y": randn(3)}, ["x", "y"])
# base 0: torch gives x's gradient 0 where y == 0, y's gradient 0 where y >= 0
case("pow-zero-base", "pow", [A("x"), A("y")], torch.pow,
     {"x": np.zeros(6, np.float32),
      "y": np.array([0.0, 1.0, 2.0, 0.5, -1.0, 3.0], np.float32)}, ["x", "y"])
# negative base: real values for whole exponents; y's gradient is nan (log of a negative)
case("pow-negative-base", "pow", [A("x"), A("y")], torch.pow,
     {"x": np.array([-2.0, -1.5, -3.0, -0.5], np.float32),
      "y": np.array([2.0, 3.0, 0.0, 1.0], np.float32)}, ["x", "y"])
for p in [2.0, 3.0, 0.5, 0.0, -1.0]:
    x = np.array([0.0, 1.5, 2.0, 0.25] if p in (0.5, -1.0) else [-2.0, -0.0, 0.0, 1.5],
                 np.float32)
    case(f"pow-number-exponent-{p}", "pow", [A("x"), p], lambda x, p=p: torch.pow(x, p),
         {"x": x}, ["x"])
case("pow-number-base", "pow", [2.0, A("y")], lambda y: torch.pow(2.0, y),
     {"y": randn(4)}, ["y"])

# maximum/minimum: torch gives half the gradient to each side of a tie
tie_x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], np.float32)
tie_y = np.array([[1.0, 1.0, 4.0], [0.0, 2.0, 5.0]], np.float32)
for fn, tf in [("maximum", torch.maximum), ("minimum", torch.minimum)]:
    case(f"{fn}-general", fn, [A("x"), A("y")], tf,
         {"x": randn(3, 4), "y": randn(3, 4)}, ["x", "y"])
    case(f"{fn}-ties", fn, [A("x"), A("y")], tf, {"x": tie_x, "y": tie_y}, ["x", "y"])
    case(f"{fn}-ties-broadcast", fn, [A("x"), A("y")], tf,
         {"x": tie_x, "y": np.array([1.0, 2.0, 5.0], np.float32)}, ["x", "y"])
    case(f"{fn}-with-number", fn, [A("x"), 1.0],
         lambda x, tf=tf: tf(x, torch.tensor(1.0)), {"x": tie_x}, ["x"])

# where: the condition picks, both sides broadcast
case("where-broadcast", "where", [A("c"), A("x"), A("y")], torch.where,
     {"c": np.array([[True], [False], [True]]), "x": randn(1, 4), "y": randn(3, 4)},
     ["x", "y"])
case("where-scalar-side", "where", [A("c"), A("x"), A("y")], torch.where,
     {"c": rng.random((2, 3)) > 0.5, "x": randn(2, 3), "y": np.array(0.5, np.float32)},
     ["x", "y"])

# ---- reductions -------------------------------------------------------------------------
x3 = randn(2, 3, 4)
ties = np.array([[3.0, 1.0, 3.0, 3.0], [2.0, 2.0, -1.0, 0.0], [-1.0, 5.0, 5.0, 4.0]],
                np.float32)


def dims(axis):
    return tuple(range(3)) if axis is None else axis


for axis, keep in [(None, False), (1, False), ([0, 2], True), (-1, True)]:
    tag = f"axis{axis}".replace(" ", "") + ("-keepdims" if keep else "")
    kw = {"axis": axis, "keepdims": keep}
    ta = tuple(axis) if isinstance(axis, list) else axis
    case(f"sum-{tag}", "sum", [A("x")],
         lambda x, ta=ta, keep=keep: x.sum() if ta is None else x.sum(ta, keepdim=keep),
         {"x": x3}, ["x"], kw)
    case(f"mean-{tag}", "mean", [A("x")],
         lambda x, ta=ta, keep=keep: x.mean() if ta is None else x.mean(ta, keepdim=keep),
         {"x": x3}, ["x"], kw)
    for fn, tf in [("max", torch.amax), ("min", torch.amin)]:
        case(f"{fn}-{tag}", fn, [A("x")],
             lambda x, ta=ta, keep=keep, tf=tf: tf(x, dim=() if ta is None else ta,
                                                    keepdim=keep), {"x": x3}, ["x"], kw)
    for fn in ["var", "std", "logsumexp"]:
        tf = getattr(torch, fn)
        extra = {} if fn == "logsumexp" else {"correction": 0}
        case(f"{fn}-{tag}", fn, [A("x")],
             lambda x, ta=ta, keep=keep, tf=tf, extra=extra:
                 tf(x, dim=dims(ta), keepdim=keep, **extra), {"x": x3}, ["x"], kw)

# ties: torch.amax/amin (and TF's reduce_max, JAX's max) share the gradient evenly
for fn, tf, t in [("max", torch.amax, ties), ("min", torch.amin, -ties)]:
    for axis in [None, 1, 0]:
        case(f"{fn}-ties-axis{axis}", fn, [A("x")],
             lambda x, axis=axis, tf=tf: tf(x, dim=() if axis is None else axis),
             {"x": t}, ["x"], {"axis": axis})
case("max-all-equal", "max", [A("x")], lambda x: torch.amax(x, dim=1),
     {"x": np.full((2, 3), 2.0, np.float32)}, ["x"], {"axis": 1})

# var/std: ddof (torch's correction), and zero variance (torch's std gradient is 0 there)
for fn in ["var", "std"]:
    tf = getattr(torch, fn)
    for ddof in [1, 2]:
        case(f"{fn}-ddof{ddof}-axis1", fn, [A("x")],
             lambda x, tf=tf, ddof=ddof: tf(x, dim=1, correction=ddof), {"x": x3}, ["x"],
             {"axis": 1, "ddof": ddof})
        case(f"{fn}-ddof{ddof}-all", fn, [A("x")],
             lambda x, tf=tf, ddof=ddof: tf(x, correction=ddof), {"x": x3}, ["x"],
             {"ddof": ddof})
    case(f"{fn}-ddof-reaches-n", fn, [A("x")],             # inf/nan (torch's var(dim) form)
         lambda x, tf=tf: tf(x, dim=1, correction=3), {"x": np.array(
             [[1.0, 2.0, 3.0], [1.0, 2.0, 4.0]], np.float32)}, ["x"], {"axis": 1, "ddof": 3})
    const = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], np.float32)
    case(f"{fn}-zero-variance", fn, [A("x")], lambda x, tf=tf: tf(x, dim=1, correction=0),
         {"x": const}, ["x"], {"axis": 1})
    case(f"{fn}-zero-variance-ddof1", fn, [A("x")],
         lambda x, tf=tf: tf(x, dim=1, correction=1), {"x": const}, ["x"],
         {"axis": 1, "ddof": 1})

ninf = np.array([[-np.inf, 1.0, 2.0, 0.5], [0.3, -np.inf, -np.inf, 1.0]], np.float32)
case("logsumexp-neg-inf", "logsumexp", [A("x")], lambda x: torch.logsumexp(x, dim=1),
     {"x": ninf}, ["x"], {"axis": 1})
case("logsumexp-large", "logsumexp", [A("x")], lambda x: torch.logsumexp(x, dim=1),
     {"x": np.array([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.5]], np.float32)},
     ["x"], {"axis": 1})

# argmax/argmin: the first of tied extremes (forward only)
for fn in ["argmax", "argmin"]:
    t = ties if fn == "argmax" else -ties
    for axis in [None, 0, 1]:
        case(f"{fn}-ties-axis{axis}", fn, [A("x")],
             lambda x, axis=axis, fn=fn: getattr(torch, fn)(x, dim=axis).int(),
             {"x": t}, kwargs={"axis": axis})

# ---- softmax / log_softmax ---------------------------------------------------------------
for fn, tf in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
    case(f"{fn}-last", fn, [A("x")], lambda x, tf=tf: tf(x, -1), {"x": x3}, ["x"])
    case(f"{fn}-axis0", fn, [A("x")], lambda x, tf=tf: tf(x, 0), {"x": x3}, ["x"],
         {"axis": 0})
    case(f"{fn}-neg-inf", fn, [A("x")], lambda x, tf=tf: tf(x, -1), {"x": ninf}, ["x"])
    case(f"{fn}-large", fn, [A("x")], lambda x, tf=tf: tf(x, -1),
         {"x": np.array([[1000.0, 999.0, -1000.0]], np.float32)}, ["x"])

# ---- linear algebra ---------------------------------------------------------------------
for name, xs, ys in [("2d", (3, 4), (4, 5)), ("batched", (2, 3, 4), (4, 5)),
                     ("both-batched", (2, 3, 4), (2, 4, 5)),
                     ("broadcast", (2, 1, 3, 4), (5, 4, 2)), ("vec-mat", (4,), (4, 5)),
                     ("mat-vec", (3, 4), (4,)), ("vec-vec", (4,), (4,)),
                     ("vec-batched", (4,), (2, 4, 3)), ("batched-vec", (2, 3, 4), (4,))]:
    case(f"matmul-{name}", "matmul", [A("x"), A("y")], torch.matmul,
         {"x": randn(*xs), "y": randn(*ys)}, ["x", "y"])
for name, xs, ys in [("vec", (4,), (4,)), ("mat", (3, 4), (4, 2)), ("mat-vec", (3, 4), (4,))]:
    case(f"dot-{name}", "dot", [A("x"), A("y")], torch.matmul,
         {"x": randn(*xs), "y": randn(*ys)}, ["x", "y"])
case("linear", "linear", [A("x"), A("k"), A("b")], lambda x, k, b: x @ k + b,
     {"x": randn(2, 3, 4), "k": randn(4, 5), "b": randn(5)}, ["x", "k", "b"])

# ---- shape ops --------------------------------------------------------------------------
case("reshape", "reshape", [A("x"), [4, -1]], lambda x: x.reshape(4, -1), {"x": x3}, ["x"])
case("transpose-default", "transpose", [A("x")], lambda x: x.permute(2, 1, 0), {"x": x3},
     ["x"])
case("transpose-axes", "transpose", [A("x"), [1, 2, 0]], lambda x: x.permute(1, 2, 0),
     {"x": x3}, ["x"])
case("expand_dims", "expand_dims", [A("x"), -1], lambda x: x.unsqueeze(-1), {"x": x3}, ["x"])
case("squeeze-axis", "squeeze", [A("x"), 1], lambda x: x.squeeze(1),
     {"x": randn(2, 1, 3, 1)}, ["x"])
case("squeeze-all", "squeeze", [A("x")], lambda x: x.squeeze(), {"x": randn(2, 1, 3, 1)},
     ["x"])
case("broadcast_to", "broadcast_to", [A("x"), [2, 3, 4]], lambda x: x.expand(2, 3, 4),
     {"x": randn(3, 1)}, ["x"])
case("flatten", "flatten", [A("x")], lambda x: x.flatten(1), {"x": x3}, ["x"])
case("concatenate-axis1", "concatenate", [[A("x"), A("y")]],
     lambda x, y: torch.cat([x, y], 1), {"x": randn(2, 3, 4), "y": randn(2, 1, 4)},
     ["x", "y"], {"axis": 1})
case("concatenate-axis-neg", "concatenate", [[A("x"), A("y"), A("z")]],
     lambda x, y, z: torch.cat([x, y, z], -1),
     {"x": randn(2, 3), "y": randn(2, 1), "z": randn(2, 2)}, ["x", "y", "z"], {"axis": -1})
case("stack-axis1", "stack", [[A("x"), A("y")]], lambda x, y: torch.stack([x, y], 1),
     {"x": randn(2, 3), "y": randn(2, 3)}, ["x", "y"], {"axis": 1})
case("split-sections", "split", [A("x"), 3], lambda x: torch.tensor_split(x, 3, 1),
     {"x": randn(2, 6)}, ["x"], {"axis": 1})
case("split-indices", "split", [A("x"), [1, 3]], lambda x: torch.tensor_split(x, [1, 3], 0),
     {"x": randn(5, 2)}, ["x"])
pad_pairs = [[1, 2], [2, 1]]
case("pad-constant", "pad", [A("x"), pad_pairs], lambda x: F.pad(x, (2, 1, 1, 2)),
     {"x": randn(3, 4)}, ["x"])
case("pad-constant-value", "pad", [A("x"), 1], lambda x: F.pad(x, (1, 1, 1, 1), value=1.5),
     {"x": randn(3, 4)}, ["x"], {"constant_values": 1.5})
for mode, tmode in [("reflect", "reflect"), ("edge", "replicate")]:
    case(f"pad-{mode}", "pad", [A("x"), pad_pairs],
         lambda x, tmode=tmode: F.pad(x[None], (2, 1, 1, 2), mode=tmode)[0],
         {"x": randn(3, 4)}, ["x"], {"mode": mode})


def _np_pad_gather(x, pairs, mode):
    """np.pad's modes as index gathers along each axis, so torch differentiates them."""
    for axis, (b, a) in enumerate(pairs):
        src = np.pad(np.arange(x.shape[axis]), (b, a), mode=mode)
        x = torch.index_select(x, axis, torch.tensor(src))
    return x


case("pad-symmetric", "pad", [A("x"), pad_pairs],
     lambda x: _np_pad_gather(x, pad_pairs, "symmetric"), {"x": randn(3, 4)}, ["x"],
     {"mode": "symmetric"})

# ---- indexing ---------------------------------------------------------------------------
x4 = randn(3, 4, 2)
ids = np.array([0, 2, 2, -1, 0])
for name, index, torch_index in [
        ("int", [1], (1,)),
        ("neg-int", [-1], (-1,)),
        ("slice-step", [{"slice": [None, None, 2]}], (slice(None, None, 2),)),
        ("slices", [{"slice": [1, 3, None]}, {"slice": [None, -1, None]}],
         (slice(1, 3), slice(None, -1))),
        ("none", [None, {"slice": [None, None, None]}, 0], (None, slice(None), 0)),
        ("ellipsis", ["...", 1], (Ellipsis, 1)),
        ("ellipsis-none", [0, "...", None], (0, Ellipsis, None))]:
    case(f"getitem-{name}", "getitem", [A("x"), {"tuple": index}],
         lambda x, torch_index=torch_index: x[torch_index], {"x": x4}, ["x"])
case("getitem-int-array-repeats", "getitem", [A("x"), {"tuple": [A("i")]}],
     lambda x, i: x[i], {"x": x4, "i": ids}, ["x"])
case("getitem-int-arrays-broadcast", "getitem", [A("x"), {"tuple": [A("i"), A("j")]}],
     lambda x, i, j: x[i, j],
     {"x": x4, "i": np.array([[0], [2], [0]]), "j": np.array([1, 1, 3])}, ["x"])
case("getitem-int-arrays-apart", "getitem",
     [A("x"), {"tuple": [A("i"), {"slice": [None, None, None]}, A("j")]}],
     lambda x, i, j: x[i, :, j], {"x": x4, "i": np.array([1, 1, 2]), "j": np.array([0, 1, 0])},
     ["x"])
case("getitem-slice-then-array", "getitem",
     [A("x"), {"tuple": [{"slice": [1, None, None]}, A("j")]}],
     lambda x, j: x[1:, j], {"x": x4, "j": np.array([3, 3, 0])}, ["x"])
case("getitem-bool-mask", "getitem", [A("x"), {"tuple": [A("m")]}], lambda x, m: x[m],
     {"x": x4, "m": rng.random((3, 4)) > 0.5}, ["x"])
case("getitem-bool-mask-axis1", "getitem",
     [A("x"), {"tuple": [{"slice": [None, None, None]}, A("m")]}], lambda x, m: x[:, m],
     {"x": x4, "m": np.array([True, False, True, True])}, ["x"])
case("getitem-neg-step", "getitem", [A("x"), {"tuple": [{"slice": [None, None, -1]}]}],
     lambda x: torch.flip(x, [0]), {"x": x4}, ["x"])

table = randn(6, 3)
case("take-axis0-repeats", "take", [A("x"), A("i")], lambda x, i: x[i],
     {"x": table, "i": np.array([[0, 5, 5], [2, 0, 5]])}, ["x"], {"axis": 0})
case("take-axis0-negative", "take", [A("x"), A("i")], lambda x, i: x[i],
     {"x": table, "i": np.array([-1, 0, -1])}, ["x"], {"axis": 0})
case("take-axis1", "take", [A("x"), A("i")], lambda x, i: x[:, i],
     {"x": x4, "i": np.array([3, 0, 3, 3])}, ["x"], {"axis": 1})
case("take-flat", "take", [A("x"), A("i")], torch.take,
     {"x": randn(3, 4), "i": np.array([[11, 0], [11, 3]])}, ["x"])
case("gather-embedding", "gather", [A("x"), A("i")], lambda x, i: x[i],
     {"x": randn(5, 4), "i": np.array([[1, 1, 3], [4, 1, 0]])}, ["x"])
case("gather-big-table", "gather", [A("x"), A("i")], lambda x, i: x[i],     # add.at path
     {"x": randn(40, 3), "i": np.array([7, 7, 39])}, ["x"])
case("gather-axis1", "gather", [A("x"), A("i")], lambda x, i: x[:, i],
     {"x": randn(3, 5), "i": np.array([2, 2, 0])}, ["x"], {"axis": 1})
case("one_hot", "one_hot", [A("i"), 4], lambda i: F.one_hot(i, 4).float(),
     {"i": np.array([[0, 3], [2, 2]])})

# ---- convolution and pooling: NHWC here, NCHW in torch -----------------------------------


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def same_pads(size, k, s, d):
    """TensorFlow's "same": (before, after), the odd one at the end."""
    total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def tf_pad2d(x, kernel, strides, padding, dilation=(1, 1), value=0.0):
    """Pad an NCHW tensor as TF's padding="same" would; "valid" leaves it."""
    if padding == "valid":
        return x
    (t, b), (l, r) = (same_pads(n, k, s, d) for n, k, s, d in
                      zip(x.shape[2:], kernel, strides, dilation))
    return F.pad(x, (l, r, t, b), value=value)


def conv2d_torch(x, k, strides, padding, dilation):
    kk = k.permute(3, 2, 0, 1)                              # (kh, kw, in, out) -> (out, in, kh, kw)
    xp = tf_pad2d(nchw(x), k.shape[:2], strides, padding, dilation)
    return nhwc(F.conv2d(xp, kk, stride=strides, dilation=dilation))


for name, xs, ks, strides, padding, dilation in [
        ("valid", (2, 5, 6, 3), (3, 3, 3, 2), (1, 1), "valid", (1, 1)),
        ("same", (1, 5, 6, 3), (3, 3, 3, 2), (1, 1), "same", (1, 1)),
        ("same-stride2", (1, 6, 7, 2), (3, 3, 2, 3), (2, 2), "same", (1, 1)),
        ("same-even-kernel", (1, 5, 5, 2), (2, 4, 2, 2), (1, 1), "same", (1, 1)),
        ("valid-stride21", (1, 7, 6, 3), (3, 2, 3, 2), (2, 1), "valid", (1, 1)),
        ("same-dilation2", (1, 7, 7, 2), (3, 3, 2, 3), (1, 1), "same", (2, 2)),
        ("valid-dilation2", (1, 7, 8, 3), (2, 3, 3, 2), (1, 1), "valid", (2, 1)),
        ("same-stride3-many-channels", (1, 7, 7, 5), (3, 3, 5, 2), (3, 3), "same", (1, 1))]:
    case(f"conv2d-{name}", "conv2d", [A("x"), A("k")],
         lambda x, k, s=strides, p=padding, d=dilation: conv2d_torch(x, k, s, p, d),
         {"x": randn(*xs), "k": randn(*ks)}, ["x", "k"],
         {"strides": list(strides), "padding": padding, "dilation_rate": list(dilation)})


def conv1d_torch(x, k, stride, padding, dilation):
    kk = k.permute(2, 1, 0)                                 # (k, in, out) -> (out, in, k)
    xt = x.permute(0, 2, 1)
    size, width = xt.shape[2], k.shape[0]
    if padding == "same":
        xt = F.pad(xt, same_pads(size, width, stride, dilation))
    elif padding == "causal":
        xt = F.pad(xt, ((width - 1) * dilation, 0))
    return F.conv1d(xt, kk, stride=stride, dilation=dilation).permute(0, 2, 1)


for name, stride, padding, dilation in [("valid", 1, "valid", 1), ("same-stride2", 2, "same", 1),
                                        ("causal", 1, "causal", 1),
                                        ("causal-dilation2", 1, "causal", 2),
                                        ("same-dilation2", 1, "same", 2)]:
    case(f"conv1d-{name}", "conv1d", [A("x"), A("k")],
         lambda x, k, s=stride, p=padding, d=dilation: conv1d_torch(x, k, s, p, d),
         {"x": randn(2, 8, 2), "k": randn(3, 2, 2)}, ["x", "k"],
         {"strides": stride, "padding": padding, "dilation_rate": dilation})


def conv2d_transpose_torch(x, k, out_hw, strides, padding, dilation):
    """The transpose of TF's conv2d of an (out_hw) input: its input gradient, taken by
    torch's autograd, so "same" padding and output_padding need no formula here."""
    n, _, _, _ = x.shape
    z = torch.zeros(n, out_hw[0], out_hw[1], k.shape[2], requires_grad=True)
    y = conv2d_torch(z, k, strides, padding, dilation)    # k: (kh, kw, out, in)
    (dz,) = torch.autograd.grad(y, z, x, create_graph=True)
    return dz


def deconv_length(n, k, s, padding, output_padding, d):
    """Keras's deconv_output_length."""
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s if padding == "same" else n * s + max(k - s, 0)
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


for name, xs, ks, strides, padding, out_pad in [
        ("valid", (1, 3, 4, 3), (3, 3, 2, 3), (1, 1), "valid", None),
        ("valid-stride2", (1, 3, 4, 3), (3, 3, 2, 3), (2, 2), "valid", None),
        ("same-stride2", (1, 3, 4, 2), (3, 3, 3, 2), (2, 2), "same", None),
        ("same-stride2-kernel4", (1, 3, 3, 2), (4, 4, 2, 2), (2, 2), "same", None),
        ("valid-stride2-output-padding", (1, 3, 3, 2), (3, 3, 2, 2), (2, 2), "valid", (1, 1)),
        ("same-stride2-output-padding0", (1, 3, 3, 2), (3, 3, 2, 2), (2, 2), "same", (0, 0))]:
    out_hw = tuple(deconv_length(n, k, s, padding, None if out_pad is None else op, 1)
                   for n, k, s, op in zip(xs[1:3], ks[:2], strides, out_pad or (0, 0)))
    case(f"conv2d_transpose-{name}", "conv2d_transpose", [A("x"), A("k")],
         lambda x, k, o=out_hw, s=strides, p=padding: conv2d_transpose_torch(x, k, o, s, p,
                                                                            (1, 1)),
         {"x": randn(*xs), "k": randn(*ks)}, ["x", "k"],
         {"strides": list(strides), "padding": padding,
          "output_padding": None if out_pad is None else list(out_pad)})


def max_pool_torch(x, pool, strides, padding):
    xp = tf_pad2d(nchw(x), pool, strides, padding, value=-np.inf)
    return nhwc(F.max_pool2d(xp, pool, strides))


def avg_pool_torch(x, pool, strides, padding):
    """TF's average pool: padded cells are not counted (torch's count_include_pad=False)."""
    xp = tf_pad2d(nchw(x), pool, strides, padding)
    ones = tf_pad2d(torch.ones_like(nchw(x[:1, ..., :1])), pool, strides, padding)
    counts = F.avg_pool2d(ones, pool, strides)                  # share of real cells
    return nhwc(F.avg_pool2d(xp, pool, strides) / counts)


pool_ties = rng.integers(0, 3, (1, 5, 6, 2)).astype(np.float32)   # many tied maxima
for name, xs, pool, strides, padding, x in [
        ("2x2", (2, 4, 6, 2), (2, 2), (2, 2), "valid", None),
        ("3x3-stride2-same", (1, 5, 6, 2), (3, 3), (2, 2), "same", None),
        ("3x3-stride1-same", (1, 4, 5, 2), (3, 3), (1, 1), "same", None),
        ("2x3-stride12-valid", (1, 5, 6, 2), (2, 3), (1, 2), "valid", None),
        ("2x2-ties", None, (2, 2), (2, 2), "valid", pool_ties),
        ("3x3-stride1-ties-overlap", None, (3, 3), (1, 1), "valid", pool_ties),
        ("3x3-stride2-same-ties", None, (3, 3), (2, 2), "same", pool_ties)]:
    x = randn(*xs) if x is None else x
    kw = {"pool_size": list(pool), "strides": list(strides), "padding": padding}
    case(f"max_pool2d-{name}", "max_pool2d", [A("x")],
         lambda x, p=pool, s=strides, pd=padding: max_pool_torch(x, p, s, pd), {"x": x},
         ["x"], kw)
    if "ties" not in name:
        case(f"avg_pool2d-{name}", "avg_pool2d", [A("x")],
             lambda x, p=pool, s=strides, pd=padding: avg_pool_torch(x, p, s, pd), {"x": x},
             ["x"], kw)
# symmetric padding: torch's own padding with count_include_pad=False gives the same
case("avg_pool2d-3x3-same-torch-padding", "avg_pool2d", [A("x")],
     lambda x: nhwc(F.avg_pool2d(nchw(x), 3, 1, padding=1, count_include_pad=False)),
     {"x": randn(1, 4, 5, 2)}, ["x"], {"pool_size": 3, "strides": 1, "padding": "same"})
case("max_pool2d-default-strides", "max_pool2d", [A("x")],
     lambda x: nhwc(F.max_pool2d(nchw(x), 2)), {"x": randn(1, 4, 4, 2)}, ["x"])
case("max_pool2d-odd-valid", "max_pool2d", [A("x")],
     lambda x: nhwc(F.max_pool2d(nchw(x), 2)), {"x": randn(1, 5, 5, 1)}, ["x"])

for name, pool, stride, padding in [("valid", 2, 2, "valid"), ("same-stride2", 3, 2, "same")]:
    kw = {"pool_size": pool, "strides": stride, "padding": padding}
    x1 = randn(2, 7, 3)
    case(f"max_pool1d-{name}", "max_pool1d", [A("x")],
         lambda x, p=pool, s=stride, pd=padding: max_pool_torch(
             x[:, None], (1, p), (1, s), pd)[:, 0], {"x": x1}, ["x"], kw)
    case(f"avg_pool1d-{name}", "avg_pool1d", [A("x")],
         lambda x, p=pool, s=stride, pd=padding: avg_pool_torch(
             x[:, None], (1, p), (1, s), pd)[:, 0], {"x": x1}, ["x"], kw)

for interp, mode in [("nearest", "nearest"), ("bilinear", "bilinear")]:
    for size in [(2, 2), (3, 2)]:
        extra = {"align_corners": False} if mode == "bilinear" else {}
        case(f"upsample2d-{interp}-{size[0]}x{size[1]}", "upsample2d", [A("x")],
             lambda x, size=size, mode=mode, extra=extra: nhwc(
                 F.interpolate(nchw(x), scale_factor=size, mode=mode, **extra)),
             {"x": randn(1, 3, 4, 2)}, ["x"], {"size": list(size), "interpolation": interp})

# ---- fused losses and normalization (per-sample values, torch's reduction="none") --------
logits = randn(4, 5)
case("sparse_softmax_cross_entropy", "sparse_softmax_cross_entropy", [A("x"), A("i")],
     lambda x, i: F.cross_entropy(x, i, reduction="none"),
     {"x": logits, "i": np.array([0, 4, 4, 2])}, ["x"])
probs_t = rng.dirichlet(np.ones(5), 4).astype(np.float32)
case("softmax_cross_entropy", "softmax_cross_entropy", [A("x"), A("t")],
     lambda x, t: F.cross_entropy(x, t, reduction="none"),
     {"x": logits, "t": probs_t}, ["x", "t"])
case("sigmoid_cross_entropy", "sigmoid_cross_entropy", [A("x"), A("t")],
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
     {"x": np.concatenate([logits, [[0.0, 30.0, -30.0, 1.0, -1.0]]]).astype(np.float32),
      "t": rng.random((5, 5)).astype(np.float32)}, ["x", "t"])
case("layer_norm", "layer_norm", [A("x"), A("gamma"), A("beta")],
     lambda x, gamma, beta: F.layer_norm(x, (4,), gamma, beta, eps=1e-3),
     {"x": x3, "gamma": randn(4), "beta": randn(4)}, ["x", "gamma", "beta"])
case("batch_norm-training", "batch_norm", [A("x"), A("gamma"), A("beta")],
     lambda x, gamma, beta: nhwc(F.batch_norm(nchw(x), None, None, gamma, beta,
                                              training=True, eps=1e-3)),
     {"x": randn(3, 2, 2, 4), "gamma": randn(4), "beta": randn(4)}, ["x", "gamma", "beta"])

if __name__ == "__main__":
    cases.save()
