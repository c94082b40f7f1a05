"""Linear algebra: matmul (batched, broadcasting as NumPy), dot, einsum (with tensordot and
outer written as einsums) and norm."""


import functools
import math
import string

import numpy

from ..errors import ShapeError, format_shape
from ..shapes import broadcast_dims, broadcast_shapes, normalize_axis, reduced_dims, reduced_shape
from ..tensor import Tensor, defop, tensor
from .common import expand_reduced, unbroadcast
from .shape import reshape

__all__ = ["matmul", "dot", "matmul_shape", "linear", "einsum", "tensordot", "outer", "norm"]


def _matmul_fix(x, y):
    """One concrete change that would make x @ y work."""
    k, k2 = x[-1], y[-2] if len(y) > 1 else y[0]
    if len(y) >= 2 and y[-1] == k:
        fitted = x[:-1] + (y[-2],)
        return (f"transpose the second operand: x @ tk.transpose(y) multiplies "
                f"{format_shape(x)} by {format_shape(y[:-2] + (y[-1], y[-2]))} and gives "
                f"{format_shape(fitted)}.")
    if len(x) >= 2 and x[-2] == k2:
        return (f"transpose the first operand: tk.transpose(x) @ y multiplies "
                f"{format_shape(x[:-2] + (x[-1], x[-2]))} by {format_shape(y)}.")
    if len(y) >= 2:
        return (f"the second operand needs {k} rows to match the {k} columns of the first: "
                f"a shape like {format_shape((k, y[-1]))} (for a Dense layer, the kernel is "
                f"(input features, units)).")
    return f"the vector needs {k} elements to match the last axis of the first operand."


def matmul_shape(x, y):
    """NumPy's matmul rule: contract x's last axis with y's second-to-last.

    >>> matmul_shape((None, 784), (784, 10))
    (None, 10)
    >>> matmul_shape((8, 1, 3, 4), (5, 4, 2))
    (8, 5, 3, 2)
    >>> matmul_shape((3,), (3,))
    ()
    """
    if not x or not y:
        raise ShapeError("matmul needs operands with at least one axis; a scalar has none.",
                         expected="vectors or matrices (or stacks of them)",
                         fix="use tk.mul (or *) to scale by a scalar.")
    kx = x[-1]
    ky = y[-2] if len(y) >= 2 else y[0]
    if kx is not None and ky is not None and kx != ky:
        axis_y = -2 if len(y) >= 2 else -1
        raise ShapeError(
            f"{kx} != {ky} on the contracted axis (axis -1 of the first operand, axis "
            f"{axis_y} of the second).",
            expected=f"the second operand's axis {axis_y} to have size {kx}, the size of the "
                     "first operand's last axis",
            fix=_matmul_fix(x, y))
    if len(x) == 1 and len(y) == 1:
        return ()
    if len(y) == 1:
        return x[:-1]
    if len(x) == 1:
        return y[:-2] + (y[-1],)
    batch = broadcast_shapes(x[:-2], y[:-2]) if len(x) > 2 or len(y) > 2 else ()
    return batch + (x[-2], y[-1])


def _matmul_dims(shapes, dims):
    """Outer labels survive: x's rows, y's columns, the batch axes merged."""
    x, y = shapes
    dx, dy = dims
    if len(x) == 1 and len(y) == 1:
        return ()
    if len(y) == 1:
        return dx[:-1]
    if len(x) == 1:
        return dy[:-2] + (dy[-1],)
    batch = broadcast_dims([x[:-2], y[:-2]], [dx[:-2], dy[:-2]]) if len(x) > 2 or len(y) > 2 \
        else ()
    return batch + (dx[-2], dy[-1])


def _swap(a):
    return a.swapaxes(-1, -2)


def _matmul_vjp_x(xp, g, out, x, y):
    if y.ndim == 1:
        if x.ndim == 1:
            return g * y
        return unbroadcast(g[..., None] * y, x.shape)             # (..., n, 1) * (k,)
    if x.ndim == 1:
        return unbroadcast((g[..., None, :] @ _swap(y))[..., 0, :], x.shape)
    if g.ndim == 2 and y.ndim == 2:
        return (y @ g.T).T              # = g @ y.T; OpenBLAS is up to 25% faster this way round
    return unbroadcast(g @ _swap(y), x.shape)                      # (..., n, m) @ (..., m, k)


def _matmul_vjp_y(xp, g, out, x, y):
    if x.ndim == 2 and y.ndim == 2:
        return x.T @ g                                             # (k, n) @ (n, m)
    if x.ndim == 1:
        if y.ndim == 1:
            return g * x
        return unbroadcast(x[:, None] * g[..., None, :], y.shape)  # (k, 1) * (..., 1, m)
    if y.ndim == 1:
        return unbroadcast((_swap(x) @ g[..., None])[..., 0], y.shape)
    return unbroadcast(_swap(x) @ g, y.shape)                      # (..., k, n) @ (..., n, m)


_matmul = defop("matmul", matmul_shape, lambda xp, x, y: x @ y, _matmul_vjp_x, _matmul_vjp_y,
                dims=_matmul_dims)


def matmul(x, y):
    """Matrix product, batched and broadcasting over leading axes as ``numpy.matmul``."""
    return _matmul(x, y)


def dot(x, y):
    """Dot product of vectors, or the matrix product for 1-D/2-D operands (``numpy.dot``).

    For more than two axes use matmul, which batches; ``numpy.dot`` would not.
    """
    for t in (x, y):
        ndim = len(getattr(t, "shape", ()))
        if ndim > 2:
            raise ShapeError(
                f"dot takes vectors or matrices, but got an operand of rank {ndim}.",
                expected="operands with 1 or 2 axes",
                fix="use tk.matmul (or @), which multiplies stacks of matrices.",
                op="dot", shapes=(x.shape, y.shape))
    return _matmul(x, y)


# ---- linear: x @ kernel + bias as one op --------------------------------------------------
def _linear_shape(x, kernel, bias):
    """matmul's rule, with a bias that broadcasts onto the product (as a Dense layer's).

    >>> _linear_shape((None, 64), (64, 128), (128,))
    (None, 128)
    """
    out = matmul_shape(x, kernel)
    if broadcast_shapes(out, bias) != out:
        raise ShapeError(f"the bias {format_shape(bias)} would change the shape of the "
                         f"product {format_shape(out)}.",
                         expected=f"a bias that broadcasts onto {format_shape(out)}, such as "
                                  f"{format_shape(out[-1:])}",
                         fix="give the bias one value per output unit.")
    return out


def _linear(xp, x, kernel, bias):
    out = x @ kernel
    if out.dtype == bias.dtype and out.ndim:
        out += bias                     # into the product: one array fewer than x @ k + b
        return out
    return out + bias


_linear_op = defop("linear", _linear_shape, _linear,
                   lambda xp, g, out, x, kernel, bias: _matmul_vjp_x(xp, g, out, x, kernel),
                   lambda xp, g, out, x, kernel, bias: _matmul_vjp_y(xp, g, out, x, kernel),
                   lambda xp, g, out, x, kernel, bias: unbroadcast(g, bias.shape),
                   dims=lambda shapes, dims: _matmul_dims(shapes[:2], dims[:2]))


def linear(x, kernel, bias):
    """``x @ kernel + bias`` as one op: the same numbers as the two ops, one array and one
    graph node fewer. Dense layers use it when no graph is being recorded (as in fit)."""
    return _linear_op(x, kernel, bias)


# ---- einsum: NumPy's notation; each operand's VJP is an einsum too -----------------------
_LETTERS = string.ascii_uppercase + string.ascii_lowercase     # NumPy's 52 subscript letters
_NOTATION = ("letters a-z and A-Z name axes, ',' separates the operands, '->' comes before "
             "the output and '...' stands for any leading axes, e.g. 'bij,bjk->bik'")


def _einsum_terms(subscripts):
    """The subscripts checked and made explicit: NumPy's implicit output is the letters
    used once, in alphabetical order (capitals first), after '...' if an operand has it.

    >>> _einsum_terms("ij,jk")
    'ij,jk->ik'
    >>> _einsum_terms(" ...ij, ...jk ")
    '...ij,...jk->...ik'
    >>> _einsum_terms("ii")
    'ii->'
    """
    spec = subscripts.replace(" ", "")
    bad = next((c for c in spec if c not in _LETTERS and c not in ",.->"), None)
    if bad is not None:
        raise ValueError(f"einsum subscripts {subscripts!r} contain {bad!r}. Expected: "
                         f"{_NOTATION}. Fix: use only those characters.")
    if spec.count("->") > 1 or spec.replace("->", "").count("-") or \
            spec.replace("->", "").count(">"):
        raise ValueError(f"einsum subscripts {subscripts!r} need one '->' at most, before the "
                         "output. Fix: write them as 'ij,jk->ik' (or 'ij,jk' for NumPy's "
                         "implicit output).")
    inputs, arrow, out = spec.partition("->")
    terms = inputs.split(",")
    for term in terms + ([out] if arrow else []):
        if term.count("...") > 1 or term.replace("...", "").count("."):
            raise ValueError(f"the term {term!r} of einsum subscripts {subscripts!r} has a "
                             "stray '.': '...' (three dots, once per term) stands for leading "
                             "axes. Fix: write '...ij', not '..ij' or '...i...j'.")
    letters = "".join(terms).replace(".", "")
    if not arrow:
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        out = ("..." if any("..." in t for t in terms) else "") + "".join(once)
    for c in out.replace(".", ""):
        if out.count(c) > 1:
            raise ValueError(f"the output {out!r} of einsum {subscripts!r} names {c!r} twice; "
                             f"an output axis comes once. Fix: for a diagonal write "
                             f"'{c}{c}->{c}'.")
        if c not in letters:
            raise ValueError(f"the output {out!r} of einsum {subscripts!r} names {c!r}, which "
                             "no operand has. Fix: use letters from the operands' subscripts "
                             "(add a size-1 axis afterwards with tk.expand_dims if you need "
                             "one).")
    return ",".join(terms) + "->" + out


def _spelled(term, rank, names):
    """`term` with '...' replaced by the last letters of `names` (as many as it covers)."""
    if "..." not in term:
        return term
    head, _, tail = term.partition("...")
    n = rank - len(head) - len(tail)
    return head + names[len(names) - n:] + tail if n else head + tail


def _rank_error(i, term, shape):
    k = len(term.replace("...", ""))
    if "..." in term:
        return ShapeError(f"operand {i} has {len(shape)} axes {format_shape(shape)}, but its "
                          f"subscripts '{term}' name {k} besides '...'.",
                          expected="at most one letter per axis; '...' takes the rest",
                          fix=f"drop letters from '{term}' or reshape operand {i}.")
    fix = (f"add letters for the other axes, or begin with '...' ('...{term}') to let it "
           "stand for the leading axes." if len(shape) > k else
           f"drop letters from '{term}', or tk.expand_dims operand {i}.")
    return ShapeError(f"operand {i} has {len(shape)} axes {format_shape(shape)}, but its "
                      f"subscripts '{term}' name {k}.",
                      expected="one letter per axis of each operand", fix=fix)


def _letter_error(letter, first, second, terms, shapes):
    """Two axes that share a letter disagree: say which, and one change that would fit."""
    (i, a, m), (j, b, n) = first, second
    if i == j:
        return ShapeError(
            f"the letter '{letter}' comes twice in operand {i} ('{terms[i]}'), which takes a "
            f"diagonal, but those axes have sizes {m} and {n}.",
            expected="axes that share a letter in one operand to have one size",
            fix=f"slice operand {i} to a square block first (both axes size {min(m, n)}"
                "), or use two letters if you did not mean a diagonal.")
    problem = (f"the letter '{letter}' is {m} in operand {i} (axis {a} of "
               f"{format_shape(shapes[i])}) but {n} in operand {j} (axis {b} of "
               f"{format_shape(shapes[j])}).")
    expected = f"every axis lettered '{letter}' to have one size (a size of 1 stretches)"
    other = next((c for c, size in enumerate(shapes[j]) if size == m and c != b), None)
    if other is None:
        return ShapeError(problem, expected=expected, fix=f"make axis {b} of operand {j} size "
                          f"{m} (slice, pad or reshape it), or give the two axes different "
                          "letters if they are different dimensions.")
    fix = f"axis {other} of operand {j} has size {m}: if that is the '{letter}' axis, "
    if "..." in terms[j]:
        return ShapeError(problem, expected=expected, fix=fix + f"tk.swapaxes operand {j} "
                          f"(axes {b} and {other}) or move '{letter}' in its subscripts.")
    swapped = list(terms[j])
    swapped[b], swapped[other] = swapped[other], swapped[b]
    fixed = list(terms)
    fixed[j] = "".join(swapped)
    return ShapeError(problem, expected=expected,
                      fix=fix + f"write operand {j}'s subscripts as '{fixed[j]}' (or "
                          f"tk.swapaxes operand {j}); if they are different dimensions, give "
                          "them different letters.")


@functools.lru_cache(maxsize=512)
def _einsum_plan(subscripts, shapes):
    """(terms, output, sizes): '...' spelt out as spare letters, and each letter's size.

    Sizes merge as broadcasting does: 1 stretches; None (unknown) fits anything.

    >>> _einsum_plan("...ij,jk->...ik", ((None, 5, 3), (3, 2)))
    (('Aij', 'jk'), 'Aik', {'A': None, 'i': 5, 'j': 3, 'k': 2})
    """
    given, out = subscripts.split("->")
    terms = given.split(",")
    if len(terms) != len(shapes):
        raise ShapeError(f"the subscripts '{subscripts}' name {len(terms)} operands, but "
                         f"{len(shapes)} were given.", expected="one term per operand",
                         fix="give one tensor per comma-separated term.")
    lead = {}                                   # operand -> the axes its '...' stands for
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        k = len(term.replace("...", ""))
        if k > len(shape) or ("..." not in term and k != len(shape)):
            raise _rank_error(i, term, shape)
        if "..." in term:
            start = term.index("...")
            lead[i] = tuple(shape[start:start + len(shape) - k])
    try:
        stretched = broadcast_shapes(*lead.values()) if lead else ()
    except ShapeError as e:
        raise ShapeError("the axes '...' stands for don't broadcast: " + e.problem,
                         expected=e.expected, fix=e.fix) from None
    spare = "".join(c for c in _LETTERS if c not in subscripts)
    if len(spare) < len(stretched):
        raise ShapeError("einsum ran out of letters: NumPy's notation has 52.",
                         expected="at most 52 axes in all", fix="reshape to fewer axes.")
    names = spare[:len(stretched)]
    if stretched and "..." not in out:
        i, axes = next((i, axes) for i, axes in lead.items() if axes)
        raise ShapeError(f"'...' stands for {len(axes)} ax{'is' if len(axes) == 1 else 'es'} "
                         f"of operand {i} "
                         f"{format_shape(shapes[i])}, but the output '{out}' has no '...'.",
                         expected="'...' in the output whenever it stands for any axes "
                                  "(NumPy's rule)",
                         fix=f"write '->...{out}' to keep those axes (then tk.sum them away "
                             "if that was the plan).")
    spelled = tuple(_spelled(t, len(s), names) for t, s in zip(terms, shapes))
    sizes, first = {}, {}                       # first: (operand, axis, size) of a size > 1
    for i, (term, shape) in enumerate(zip(spelled, shapes)):
        own = {}
        for a, (letter, n) in enumerate(zip(term, shape)):
            a0, n0 = own.setdefault(letter, (a, n))
            if n is not None and n0 is not None and n != n0:
                raise _letter_error(letter, (i, a0, n0), (i, a, n), terms, shapes)
            if n is not None and n != 1:
                if letter in first and first[letter][2] != n:
                    raise _letter_error(letter, first[letter], (i, a, n), terms, shapes)
                first.setdefault(letter, (i, a, n))
                sizes[letter] = n
            elif sizes.get(letter, 1) == 1:     # 1 stretches to anything, None may be more
                sizes[letter] = n
    return spelled, _spelled(out, len(names) + len(out) - 3, names), sizes


def _einsum_shape(*shapes, subscripts):
    """
    >>> _einsum_shape((None, 7, 16), (None, 16, 7), subscripts="bij,bjk->bik")
    (None, 7, 7)
    >>> _einsum_shape((3,), (4,), subscripts="i,j->ij")
    (3, 4)
    """
    terms, out, sizes = _einsum_plan(subscripts, shapes)
    return tuple(sizes[letter] for letter in out)


def _einsum_dims(shapes, dims, subscripts):
    """A letter keeps the label of the axes it names; two labels on one letter clash."""
    terms, out, _ = _einsum_plan(subscripts, tuple(shapes))
    labels = {}
    for i, (term, names) in enumerate(zip(terms, dims)):
        mine = {}
        for letter, name in zip(term, names):
            if name is not None:
                mine.setdefault(letter, name)           # a diagonal: the first label
        for letter, name in mine.items():
            have = labels.setdefault(letter, name)
            if have != name:
                raise ShapeError(
                    f"dim labels {have!r} and {name!r} meet on the letter '{letter}' "
                    f"(operand {i}).",
                    expected="axes that share a letter to carry the same label (or none)",
                    fix="give the axes different letters if they are different dimensions, "
                        "or relabel one operand with .with_dims(...) if they are the same.")
    return tuple(labels.get(letter) for letter in out)


def _contract(xp, terms, out, arrays):
    """xp.einsum, asking for a pairwise (BLAS) path only where it pays: NumPy's single
    loop visits every combination of letters, and a path costs ~10 us to find."""
    sizes = {}
    for term, a in zip(terms, arrays):
        for letter, n in zip(term, a.shape):
            sizes[letter] = max(sizes.get(letter, 1), n)
    return xp.einsum(",".join(terms) + "->" + out, *arrays,
                     optimize=len(arrays) > 1 and math.prod(sizes.values()) > 2 ** 15)


def _einsum_forward(xp, *arrays, subscripts):
    terms, out, _ = _einsum_plan(subscripts, tuple(a.shape for a in arrays))
    return _contract(xp, terms, out, arrays)


def _einsum_vjp(xp, g, out, *arrays, index, subscripts):
    """g (lettered as the output) contracted with the other operands into this operand's
    letters. Three things einsum cannot write directly come back by other means: a
    stretched size-1 axis is summed (left out, then reshaped back), a repeated letter's
    diagonal is spread out by an identity, and a letter only this operand has (summed
    away) is given back by a vector of ones."""
    terms, result, sizes = _einsum_plan(subscripts, tuple(a.shape for a in arrays))
    term, shape = terms[index], arrays[index].shape
    spare = iter(c for c in _LETTERS if c not in "".join(terms))
    subs = [result] + [t for j, t in enumerate(terms) if j != index]
    operands = [g] + [a for j, a in enumerate(arrays) if j != index]
    have = set(result) | {letter for j, t in enumerate(terms) if j != index
                          for letter, n in zip(t, arrays[j].shape) if n == sizes[letter]}
    target = ""
    for letter, n in zip(term, shape):
        if n != sizes[letter]:                 # a size-1 axis broadcasting stretched
            continue
        if letter in target:                   # (n, n) with ones on the diagonal
            fresh = next(spare)
            subs.append(letter + fresh)
            operands.append(xp.eye(n, dtype=g.dtype))
            target += fresh
            continue
        if letter not in have:                 # (n,) ones
            subs.append(letter)
            operands.append(xp.ones(n, dtype=g.dtype))
            have.add(letter)
        target += letter
    return _contract(xp, subs, target, operands).reshape(shape)


_einsum = defop("einsum", _einsum_shape, _einsum_forward, _einsum_vjp, variadic=True,
                dims=_einsum_dims)


def einsum(subscripts, *operands):
    """Einstein summation in NumPy's notation: each letter names an axis; letters shared
    by operands are multiplied along, and letters left out of the output are summed.

    'ij,jk->ik' is matmul, 'bij,bjk->bik' a batch of them, 'i,j->ij' the outer product,
    'ii->' the trace, '...ij->...ji' swaps the last two axes of any tensor. Without '->'
    the output is the letters used once, in alphabetical order (NumPy's implicit mode).

    >>> import tensorkit as tk
    >>> a, b = tk.ones((2, 3)), tk.ones((3, 4))
    >>> tk.einsum("ij,jk->ik", a, b).shape
    (2, 4)
    >>> tk.einsum("bqd,bkd->bqk", tk.symbolic((None, 5, 8)), tk.symbolic((None, 7, 8))).shape
    (None, 5, 7)
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum's first argument is the subscripts string, e.g. "
                        f"tk.einsum('ij,jk->ik', a, b); received: {type(subscripts).__name__}"
                        ". Fix: put the subscripts first, then the tensors.")
    spec = _einsum_terms(subscripts)
    n = spec.count(",") + 1
    if len(operands) != n:
        fix = "give one tensor per comma-separated term, or change the subscripts."
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)) and \
                len(operands[0]) == n:
            fix = (f"pass the tensors one by one: tk.einsum({subscripts!r}, *tensors) (PyTorch "
                   "also takes a list; NumPy and TF.js don't).")
        raise ValueError(f"einsum {subscripts!r} names {n} operand(s) but got "
                         f"{len(operands)}. Fix: {fix}")
    return _einsum(*operands, subscripts=spec)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


# ---- tensordot and outer: einsums with subscripts written for you --------------------------
def _tensordot_axes(a, b, axes):
    """NumPy's `axes`: N (the last N axes of a with the first N of b) or a pair of axis
    lists. Returns the two lists, checked against the shapes.

    >>> _tensordot_axes((None, 3, 4), (3, 4, 5), 2)
    ([1, 2], [0, 1])
    >>> _tensordot_axes((2, 3), (4, 3), ([1], [-1]))
    ([1], [1])
    """
    def fail(problem, expected, fix):
        return ShapeError(problem, expected=expected, fix=fix, op="tensordot", shapes=(a, b))

    if isinstance(axes, (int, numpy.integer)) and not isinstance(axes, bool):
        n = int(axes)
        if n < 0 or n > len(a) or n > len(b):
            raise fail(f"axes={n} pairs the last {n} axes of the first operand with the first "
                       f"{n} of the second, but they have {len(a)} and {len(b)} axes.",
                       f"axes from 0 to {min(len(a), len(b))}",
                       "pass fewer axes, or name them: axes=([1], [0]).")
        xa, xb = list(range(len(a) - n, len(a))), list(range(n))
    else:
        try:
            xa, xb = ([ax] if isinstance(ax, (int, numpy.integer)) else list(ax) for ax in axes)
        except (TypeError, ValueError):
            raise fail(f"axes={axes!r} is neither a number of axes nor a pair of axis lists.",
                       "an int N, or a pair like ([1, 2], [0, 1])",
                       "axes=1 pairs the last axis of the first operand with the first of the "
                       "second; axes=([1], [0]) names them.") from None
    if len(xa) != len(xb):
        raise fail(f"axes={axes!r} names {len(xa)} axes of the first operand but {len(xb)} of "
                   "the second.", "as many axes on each side: they are summed in pairs",
                   "name one axis of the second operand for each axis of the first.")
    try:
        xa = [normalize_axis(int(ax), len(a)) for ax in xa]
        xb = [normalize_axis(int(ax), len(b)) for ax in xb]
    except (ShapeError, TypeError) as e:
        raise fail(f"axes={axes!r}: {getattr(e, 'problem', e)}", "axes that exist",
                   "count axes from 0 (first) or -1 (last).") from None
    for side, xs in (("first", xa), ("second", xb)):
        if len(set(xs)) != len(xs):
            raise fail(f"axes={axes!r} names an axis of the {side} operand twice.",
                       "each axis at most once", "remove the repeated axis.")
    for p, q in zip(xa, xb):
        if a[p] is not None and b[q] is not None and a[p] != b[q]:
            match = [c for c, n in enumerate(b) if n == a[p] and c not in xb]
            raise fail(f"axis {p} of the first operand (size {a[p]}) is summed against axis "
                       f"{q} of the second (size {b[q]}).",
                       "the paired axes to have equal sizes",
                       f"pair it with axis {match[0]} of the second operand (size {a[p]}): "
                       f"axes=({xa}, {[match[0] if c == q else c for c in xb]})." if match else
                       "pick axes of equal size, or slice or pad one operand.")
    return xa, xb


def tensordot(a, b, axes=2):
    """``numpy.tensordot``: sum products over the paired axes; the output has a's other
    axes, then b's. The graph shows it as the einsum it is.

    >>> import tensorkit as tk
    >>> tk.tensordot(tk.ones((2, 3, 4)), tk.ones((3, 4, 5))).shape
    (2, 5)
    """
    a, b = _as_tensor(a), _as_tensor(b)
    xa, xb = _tensordot_axes(a.shape, b.shape, axes)
    ta = string.ascii_letters[:a.ndim]
    free = iter(string.ascii_letters[a.ndim:])
    tb = "".join(ta[xa[xb.index(q)]] if q in xb else next(free) for q in range(b.ndim))
    out = "".join(c for p, c in enumerate(ta) if p not in xa) + \
        "".join(c for q, c in enumerate(tb) if q not in xb)
    return _einsum(a, b, subscripts=f"{ta},{tb}->{out}")


def outer(a, b):
    """``numpy.outer``: every element of `a` times every element of `b`, (M,) and (N,)
    -> (M, N). Inputs with other ranks are flattened first, as NumPy does."""
    a, b = (x if x.ndim == 1 else reshape(x, (-1,)) for x in (_as_tensor(a), _as_tensor(b)))
    return _einsum(a, b, subscripts="i,j->ij")


# ---- norm -----------------------------------------------------------------------------------
_NORMS = ("vectors: ord=None or 2 (Euclidean, the default), 1 (sum of |x|), inf (largest |x|); "
          "matrices (axis a pair): ord=None or 'fro' (Frobenius, the default), 1 (largest "
          "column sum of |x|), inf (largest row sum)")


def _norm_ord(ord, matrix):
    """The op's `ord`: 2, 1 or 'inf' for vectors; 'fro', 1 or 'inf' for matrices."""
    if ord is None or (isinstance(ord, str) and ord in ("euclidean", "fro")):
        if ord == "fro" and not matrix:
            raise ValueError("norm(ord='fro') is a matrix norm, but the norm is over one axis. "
                             "Fix: pass axis=(-2, -1) for the Frobenius norm of the last two "
                             "axes, or ord=2 for the Euclidean norm of vectors.")
        return "fro" if matrix else 2
    number = isinstance(ord, (int, float, numpy.integer, numpy.floating)) and \
        not isinstance(ord, bool)
    if number and ord == math.inf:
        return "inf"
    if number and ord == 1:
        return 1
    if number and ord == 2 and not matrix:
        return 2
    why = (" With a pair of axes ord=2 is the spectral norm (the largest singular value), "
           "which tensorkit does not compute." if matrix and number and ord == 2 else "")
    example = "'fro'" if matrix else "2"
    raise ValueError(f"norm(ord={ord!r}) is not supported{' for matrices' if matrix else ''}."
                     f"{why} Expected, for {_NORMS}. Fix: pick one of those, e.g. "
                     f"tk.norm(x, ord={example}).")


def _norm_shape(x, ord, axis, keepdims):
    """
    >>> _norm_shape((None, 3, 4), ord="fro", axis=(1, 2), keepdims=False)
    (None,)
    """
    return reduced_shape(x, axis, keepdims)


def _norm_forward(xp, x, ord, axis, keepdims):
    if x.dtype.kind != "f":
        x = x.astype(numpy.float32)
    if ord in (2, "fro"):
        return xp.sqrt((x * x).sum(axis=axis, keepdims=keepdims))
    size = xp.abs(x)
    if len(axis) == 1:
        return size.sum(axis=axis, keepdims=keepdims) if ord == 1 else \
            size.max(axis=axis, keepdims=keepdims)
    rows, cols = axis if ord == 1 else axis[::-1]       # inf: the largest row sum
    out = size.sum(axis=rows, keepdims=True).max(axis=cols, keepdims=True)
    return out if keepdims else out.reshape(reduced_shape(x.shape, axis))


def _norm_vjp(xp, g, out, x, ord, axis, keepdims):
    g = expand_reduced(g, x.shape, axis)
    out = expand_reduced(out, x.shape, axis)
    if ord in (2, "fro"):               # x / |x|, and 0 at the zero vector, as PyTorch
        safe = xp.where(out > 0, out, xp.ones_like(out))
        return g * x / safe * (out > 0)
    sign = xp.sign(x)                   # |x|'s slope, 0 at 0 (as torch.abs)
    if ord == 1 and len(axis) == 1:
        return g * sign
    if len(axis) == 1:                  # ties for the largest |x| share the gradient
        hit = xp.abs(x) == out
        return g * sign * hit / hit.sum(axis=axis, keepdims=True)
    rows, cols = axis if ord == 1 else axis[::-1]
    hit = xp.abs(x).sum(axis=rows, keepdims=True) == out
    return g * sign * hit / hit.sum(axis=cols, keepdims=True)


_norm = defop("norm", _norm_shape, _norm_forward, _norm_vjp,
              dims=lambda shapes, dims, ord, axis, keepdims:
                  reduced_dims(shapes, dims, axis, keepdims),
              dtype=lambda x, **_: x if x.kind == "f" else numpy.dtype(numpy.float32))


def norm(x, ord=None, axis=None, keepdims=False):
    """The size of vectors or matrices, as ``numpy.linalg.norm``: by default the Euclidean
    norm sqrt(sum(x**2)) of all elements (of each vector along `axis`; the Frobenius norm
    when `axis` is a pair). ord=1 and ord=inf give the sum and the largest of |x| (for a
    pair of axes: the largest column and row sums). Its gradient at 0 is 0, as PyTorch's.

    >>> import tensorkit as tk
    >>> tk.norm(tk.tensor([3.0, 4.0])).item()
    5.0
    """
    x = _as_tensor(x)
    if axis is None and ord is not None:        # NumPy: a vector or matrix norm by rank
        if x.ndim not in (1, 2):
            raise ShapeError(f"norm(ord={ord!r}) without an axis needs a vector or a matrix, "
                             f"but this tensor has {x.ndim} axes.",
                             expected="a tensor of rank 1 or 2, or an axis",
                             fix="pass axis=-1 for vector norms along the last axis, or "
                                 "axis=(-2, -1) for matrix norms.",
                             op="norm", shapes=(x.shape,), dims=(x.dims,))
        axis = tuple(range(x.ndim))
    axes = None if axis is None else tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if axes is not None and len(axes) not in (1, 2):
        raise ShapeError(f"axis={axis!r} names {len(axes)} axes; a norm is over one axis (of "
                         "vectors) or two (of matrices).", expected="one axis or a pair",
                         fix="use axis=None (and ord=None) for the norm of all elements.",
                         op="norm", shapes=(x.shape,), dims=(x.dims,))
    ord = _norm_ord(ord, axes is not None and len(axes) == 2)
    return _norm(x, ord=ord, axis=axes, keepdims=keepdims)
