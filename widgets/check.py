"""Exercise checks: ``check(value, expected)`` for "predict the shape" and "build this layer".

A pass is green. A miss says what differs (which axis, which dim label, which setting) and
gives one hint; the expected answer is shown only when asked (``answer=True``).
"""

import html
from collections import Counter

from ._data import shape_text

__all__ = ["CheckResult", "check"]


def _shape(x):
    return tuple(None if n is None else int(n) for n in x)


def _facts(value):
    """What a check can compare about `value`: shape, dims, and for layers their settings."""
    import tensorkit as tk

    if isinstance(value, tk.Tensor):
        return {"shape": _shape(value.shape), "dims": value.dims}
    if isinstance(value, tk.layers.Layer):
        facts = {"type": type(value).__name__, "trainable": value.trainable, "layer": value}
        if value.output_shape is not None and not isinstance(value.output_shape, list):
            facts["shape"] = _shape(value.output_shape)
        if value.built:
            facts["params"] = value.count_params()
        return facts
    if isinstance(value, dict):
        return dict(value)
    if hasattr(value, "shape") and not isinstance(value, (tuple, list)):
        return {"shape": _shape(value.shape), "dims": None}
    if isinstance(value, (tuple, list)):
        return {"shape": _shape(value), "dims": None}
    if isinstance(value, int):
        return {"shape": (value,), "dims": None}
    raise TypeError(f"check() compares shapes, tensors and layers; received "
                    f"{type(value).__name__}: {value!r:.60}")


def _axis_name(i, dims, batch):
    label = dims[i] if dims and i < len(dims) and dims[i] else None
    if label:
        return f"axis {i} ('{label}')"
    return f"axis {i} (the batch)" if i == 0 and batch else f"axis {i}"


def _shape_problems(got, want, dims):
    """(what differs, one hint) between shape tuples; never says the expected sizes."""
    batch = bool(want) and want[0] is None
    if len(got) != len(want):
        what = f"your shape {shape_text(list(got))} has {len(got)} axes; the answer has " \
               f"{len(want)}."
        if len(got) == len(want) - 1 and got == want[1:]:
            hint = "The batch axis is missing: shapes in a model start with the batch."
        elif [n for n in got if n != 1] == [n for n in want if n != 1]:
            hint = "An axis of size 1 is extra or missing: think of expand_dims, squeeze " \
                   "or keepdims."
        elif len(got) > len(want):
            hint = "One axis too many: which op here merges axes (Flatten, reshape, a " \
                   "reduction over an axis)?"
        else:
            hint = "An axis is missing: which op here keeps or adds an axis?"
        return [what], hint
    wrong = [i for i, (a, b) in enumerate(zip(got, want)) if a != b]
    what = [f"{_axis_name(i, dims, batch)} is {got[i]}, which is not what this gives."
            for i in wrong]
    if not wrong:
        return [], None
    if Counter(got) == Counter(want):
        hint = "The sizes are right but in the wrong order: check the axis order " \
               "(batch first, channels last) and any transpose."
    elif 0 in wrong:
        hint = "Axis 0 is the batch: layers keep it (None before any data)."
    elif wrong == [len(want) - 1]:
        hint = "The last axis is the features: Dense(units), Conv2D(filters) and " \
               "Embedding(output_dim) set it."
    elif len(want) == 4 and set(wrong) <= {1, 2}:
        hint = "Height and width change with padding and strides: 'valid' loses " \
               "kernel_size - 1, strides divide."
    else:
        hint = "Follow the shape one op at a time (widgets.ShapeTable shows each step)."
    return what, hint


class CheckResult:
    """The outcome of a check: ``passed``, what differs, one hint; shows green or red."""

    def __init__(self, passed, problems, hint, answer=None):
        self.passed, self.problems, self.hint, self.answer = passed, problems, hint, answer

    def __bool__(self):
        return self.passed

    def to_text(self):
        if self.passed:
            return "✓ Correct!" + (f" {self.answer}" if self.answer else "")
        lines = ["✗ Not yet:"] + [f"  - {p}" for p in self.problems]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        if self.answer:
            lines.append(f"Answer: {self.answer}")
        return "\n".join(lines)

    __repr__ = to_text

    def _repr_html_(self):
        lines = self.to_text().split("\n")
        cls = "pass" if self.passed else "fail"
        color = "#e8f7e8;color:#1d5e1d" if self.passed else "#fff3f3;color:#8a1f1f"
        body = "<br>".join(html.escape(line) for line in lines)
        return (f'<div class="tk-check {cls}" style="background:{color};padding:6px 10px;'
                f'border-radius:4px;font-family:sans-serif">{body}</div>')


def check(value, expected, *, dims=None, hint=None, answer=False):
    """Compare a learner's `value` (shape tuple, tensor or layer) with `expected`.

    `expected` is a shape tuple, or a dict of facts such as ``{"type": "Dense",
    "shape": (None, 10), "params": 330, "units": 10}``; `dims` are the expected dim labels.

    >>> check((None, 10), (None, 10)).passed
    True
    >>> print(check((None, 784, 1), (None, 784)))
    ✗ Not yet:
      - your shape (None, 784, 1) has 3 axes; the answer has 2.
    Hint: An axis of size 1 is extra or missing: think of expand_dims, squeeze or keepdims.
    """
    if value is None:                    # the learner's copy starts with `answer = None`
        return CheckResult(False, ["no answer yet: `answer` is still None."],
                           hint or "Replace None with your answer, then run this cell again.")
    got = _facts(value)
    want = dict(expected) if isinstance(expected, dict) else {"shape": _shape(expected)}
    if "output_shape" in want:
        want["shape"] = want.pop("output_shape")
    if dims is not None:
        want["dims"] = tuple(dims)
    problems, hints = [], []
    if "type" in want and got.get("type") != want["type"]:
        problems.append(f"the layer is a {got.get('type', type(value).__name__)}, not the "
                        "kind asked for.")
        hints.append("Read the task again: which layer type does it name?")
    if "shape" in want:
        if got.get("shape") is None:
            problems.append("it has no shape yet.")
            hints.append("Call the layer (or build the model) on tk.symbolic((None, ...)) first.")
        else:
            shape = _shape(want["shape"])
            labels = want.get("dims") or got.get("dims")
            what, h = _shape_problems(got["shape"], shape, labels)
            problems += what
            hints += [h] if h else []
    if "dims" in want and got.get("dims") is not None and "shape" in got:
        for i, (a, b) in enumerate(zip(got["dims"], want["dims"])):
            if a != b:
                problems.append(f"axis {i} is labelled {a!r}, a different label is expected.")
                hints.append("Dim labels follow the data: batch, time, height, width, "
                             "channels, features.")
    layer = got.get("layer")
    for key, target in want.items():
        if key in ("type", "shape", "dims"):
            continue
        mine = got[key] if key in got else getattr(layer, key, None)
        if mine != target:
            problems.append(f"its {key} is {mine!r}, which is not what is asked.")
            if key == "params":
                hints.append("Dense has in*units + units params; Conv2D kh*kw*in*filters + "
                             "filters.")
    shown = want.get("shape")
    text = shape_text(list(shown)) if shown is not None else repr(expected)
    return CheckResult(not problems, problems, hint or (hints[0] if hints else None),
                       answer=text if answer else None)
