"""Record PyTorch's values and input gradients for tensorkit's elementwise math ops.

Run with the project venv (it has torch):

    .venv/bin/python scripts/reference/torch_ops_math.py

Writes tests/data/reference/torch_ops_math.npz, replayed with every other torch_*.npz by
tests/test_reference_torch_gradients.py; the case format is in _torch.py.

Beside general inputs, the cases sit where libraries disagree or break: domain edges
(arcsin(1), arctanh(-1), arccosh(1), log1p(-1), rsqrt(0), reciprocal(-0.0)) and outside
them (nan values and gradients), tiny and large values (erf and log1p near 0, overflow to
inf), the origin for arctan2 and hypot, mod's ties, divisor signs and division by 0, and
ties and infinities in logaddexp. tensorkit uses NumPy's names, torch its own: arcsin is
torch.asin, arctan2 torch.atan2, mod torch.remainder, floor_divide torch.div(rounding_mode=
"floor") (torch.floor_divide has no gradient), squared_difference (x - y)^2.
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch import A, TorchCases  # noqa: E402

cases = TorchCases("torch_ops_math", seed=2024)
rng, randn, case, unary = cases.rng, cases.randn, cases.case, cases.unary


def f32(*values):
    return np.array(values, np.float32)


# ---- unary: general inputs in the domain, then its edges --------------------------------
gen = randn(3, 4) * 2
unit = np.tanh(randn(3, 4)).astype(np.float32)           # inside (-1, 1)
pos = np.abs(randn(3, 4)) + 0.1
big = f32(-1e4, -100.0, -30.0, 30.0, 100.0, 1e4)
for fn, tf, x in [("sin", torch.sin, gen), ("cos", torch.cos, gen), ("tan", torch.tan, unit),
                  ("arcsin", torch.asin, unit), ("arccos", torch.acos, unit),
                  ("arctan", torch.atan, gen), ("sinh", torch.sinh, gen),
                  ("cosh", torch.cosh, gen), ("arcsinh", torch.asinh, gen),
                  ("arccosh", torch.acosh, pos + 1), ("arctanh", torch.atanh, unit),
                  ("log1p", torch.log1p, pos - 0.5), ("expm1", torch.expm1, gen),
                  ("log2", torch.log2, pos), ("log10", torch.log10, pos),
                  ("reciprocal", torch.reciprocal, gen), ("rsqrt", torch.rsqrt, pos),
                  ("erf", torch.erf, gen)]:
    unary(f"{fn}-general", fn, tf, x)

for fn, tf in [("sin", torch.sin), ("cos", torch.cos), ("arctan", torch.atan),
               ("sinh", torch.sinh), ("cosh", torch.cosh), ("arcsinh", torch.asinh),
               ("expm1", torch.expm1), ("erf", torch.erf)]:
    unary(f"{fn}-large", fn, tf, big)                # sinh(100) overflows: inf, inf gradient
unary("tan-near-pole", "tan", torch.tan, f32(-1.5, 1.5, 1.57))
# the domain's edges (inf gradients) and beyond (nan values and gradients)
unary("arcsin-edges", "arcsin", torch.asin, f32(-2.0, -1.0, -0.0, 0.0, 1.0, 1.5))
unary("arccos-edges", "arccos", torch.acos, f32(-2.0, -1.0, -0.0, 0.0, 1.0, 1.5))
unary("arctanh-edges", "arctanh", torch.atanh, f32(-2.0, -1.0, -0.0, 0.999, 1.0, 3.0))
unary("arccosh-edges", "arccosh", torch.acosh, f32(-1.0, 0.5, 1.0, 1.001, 1e20))
unary("arcsinh-huge", "arcsinh", torch.asinh, f32(-1e20, -0.0, 0.0, 1e20))
unary("log1p-edges", "log1p", torch.log1p,
      f32(-2.0, -1.0, -0.999, -1e-8, -0.0, 0.0, 1e-8, 1e30))
unary("expm1-tiny", "expm1", torch.expm1, f32(-1e-8, -0.0, 0.0, 1e-8, 89.0))
for fn, tf in [("log2", torch.log2), ("log10", torch.log10)]:
    unary(f"{fn}-edges", fn, tf, f32(-1.0, -0.0, 0.0, 1.0, 8.0, 1000.0))
unary("reciprocal-edges", "reciprocal", torch.reciprocal,
      f32(-0.0, 0.0, 1e-30, -1e-30, 1e30, -0.5))
unary("rsqrt-edges", "rsqrt", torch.rsqrt, f32(-1.0, -0.0, 0.0, 1e-30, 0.25, 1e30))
# erf: tiny values keep their relative accuracy; the series/erfc switch at |x| = 0.5
unary("erf-edges", "erf", torch.erf,
      f32(-1e-30, -1e-8, -0.0, 0.0, 1e-8, 0.4999, 0.5, 0.5001, -0.5, 0.9, 2.0, 4.0, -6.0))
for fn, tf in [("ceil", torch.ceil), ("trunc", torch.trunc)]:     # steps: zero gradients
    unary(fn, fn, tf, f32(-2.0, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.0, 0.7))

# ---- binary: broadcasting, then each op's corners ---------------------------------------
pairs = {"same-shape": {"x": randn(3, 4), "y": randn(3, 4)},
         "broadcast": {"x": randn(2, 3, 4), "y": randn(3, 1)},
         "scalar-tensor": {"x": randn(3, 4), "y": np.array(1.5, np.float32)}}
for fn, tf in [("arctan2", torch.atan2), ("logaddexp", torch.logaddexp),
               ("squared_difference", lambda x, y: torch.square(x - y)),
               ("hypot", torch.hypot)]:
    for tag, arrays in pairs.items():
        if tag != "scalar-tensor" or fn == "arctan2":
            case(f"{fn}-{tag}", fn, [A("x"), A("y")], tf, arrays, ["x", "y"])
case("squared_difference-python-number", "squared_difference", [A("x"), 0.5],
     lambda x: torch.square(x - 0.5), {"x": randn(3, 4)}, ["x"])

# arctan2(y, x): the four signed zeros at the origin (torch: value by the signs, gradient
# 0), the axes, and each quadrant
case("arctan2-origin-and-axes", "arctan2", [A("y"), A("x")], torch.atan2,
     {"y": f32(0.0, 0.0, -0.0, -0.0, 1.0, -1.0, 0.0, 0.0, 1.0, -1.0, 1.0, -1.0),
      "x": f32(0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 2.0, -2.0, 1.0, 1.0, -1.0, -1.0)}, ["y", "x"])
case("hypot-origin", "hypot", [A("x"), A("y")], torch.hypot,
     {"x": f32(0.0, -0.0, 3.0, 1e30), "y": f32(0.0, 0.0, -4.0, 1e30)}, ["x", "y"])
case("logaddexp-ties-and-infinities", "logaddexp", [A("x"), A("y")], torch.logaddexp,
     {"x": f32(1.0, 0.0, -np.inf, np.inf, -np.inf, -100.0, 100.0, 3.0),
      "y": f32(1.0, 0.0, -np.inf, np.inf, 2.0, 100.0, -100.0, np.inf)}, ["x", "y"])

# mod (torch.remainder: the divisor's sign) and floor_divide (zero gradients): every sign
# pair, ties (x a multiple of y, where torch gives -0.0 for a negative x), division by 0,
# a quotient that naive floor(x / y) gets wrong (1 / 0.1 rounds up to 10 in float32, the
# floor of the exact quotient is 9), and large values
corners = {"x": f32(5.0, -5.0, 5.0, -5.0, 6.0, -6.0, 6.0, -6.0, 0.0, -0.0, 1.0, -1.0, 0.0,
                    1.0, 1e7 + 1, -7.5, 2.5),
           "y": f32(3.0, 3.0, -3.0, -3.0, 3.0, 3.0, -3.0, -3.0, 2.0, 2.0, 0.0, 0.0, 0.0,
                    0.1, 3.0, 2.5, -2.5)}
floor_div = lambda x, y: torch.div(x, y, rounding_mode="floor")  # noqa: E731
for fn, tf in [("mod", torch.remainder), ("floor_divide", floor_div)]:
    for tag, arrays in [("general", {"x": randn(3, 4) * 4, "y": randn(3, 4) + 2.5}),
                        ("broadcast", {"x": randn(2, 3, 4) * 4, "y": f32(1.5, -2.0, 0.75, 3.0)}),
                        ("corners", corners)]:
        case(f"{fn}-{tag}", fn, [A("x"), A("y")], tf, arrays, ["x", "y"])
    case(f"{fn}-python-number", fn, [A("x"), 2.5], lambda x, tf=tf: tf(x, torch.tensor(2.5)),
         {"x": randn(3, 4) * 4}, ["x"])

if __name__ == "__main__":
    cases.save()
