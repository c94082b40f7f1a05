"""Fused loss ops: crossentropies computed in one stable step, with their VJPs.

Written as chains of small ops (softmax, clip, log, pick) a crossentropy is slower and
loses precision: ``log(softmax(x))`` underflows to ``log(0)`` for confident wrong answers.
Each op here takes logits (or probabilities) and the labels and gives the per-sample loss
(the class axis disappears), so tensorkit.losses only averages.
"""


from ..errors import ShapeError
from ..tensor import defop

__all__ = ["sparse_softmax_cross_entropy", "softmax_cross_entropy", "sigmoid_cross_entropy",
           "sparse_categorical_crossentropy_probs"]


def _sparse_rule(logits, labels, **_):
    """Logits (..., classes) and integer labels (...) give one loss per label.

    >>> _sparse_rule((None, 10), (None,))
    (None,)
    """
    if len(logits) < 1:
        raise ShapeError("the predictions have no class axis.",
                         expected="predictions of shape (batch, classes)",
                         fix="give the model a last Dense(num_classes) layer.")
    if len(labels) != len(logits) - 1 or any(
            a is not None and b is not None and a != b for a, b in zip(labels, logits[:-1])):
        raise ShapeError("the labels must have the predictions' shape without the class axis.",
                         expected=f"labels of shape {logits[:-1]} (one class id per sample)",
                         fix="pass class ids (batch,), not one-hot rows; for one-hot labels "
                             "use categorical_crossentropy.")
    return tuple(logits[:-1])


def _dense_rule(logits, targets, **_):
    """Logits and target distributions of one shape give one loss per row.

    >>> _dense_rule((None, 3), (None, 3))
    (None,)
    """
    _check_same(logits, targets, "one-hot the labels (tk.one_hot(y, classes)), or use "
                                 "sparse_categorical_crossentropy for class ids.")
    return tuple(logits[:-1])


def _same_rule(logits, targets):
    _check_same(logits, targets, "reshape the labels to the predictions' shape, e.g. "
                                 "y[:, None] for one output unit.")
    return tuple(logits)


def _check_same(logits, targets, fix):
    if len(logits) != len(targets) or any(
            a is not None and b is not None and a != b for a, b in zip(logits, targets)):
        raise ShapeError("targets and predictions must have the same shape.",
                         expected=f"targets of shape {logits}", fix=fix)


def _softmax(xp, x):
    e = xp.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _log_softmax(xp, x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))


def _pick(xp, x, labels):
    """x[..., labels]: the entry of each row at its label (..., C) -> (...)."""
    classes = x.shape[-1]                         # flat index of each row's label
    return x.reshape(-1)[xp.arange(0, x.size, classes) + labels.reshape(-1)].reshape(labels.shape)


def _sparse_forward(xp, logits, labels):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = xp.exp(shifted)
    total = e.sum(axis=-1, keepdims=True)
    # -log softmax at the label = log(sum e) - shifted[label]; the VJP's softmax is e / total
    return xp.log(total[..., 0]) - _pick(xp, shifted, labels), (e, total)


def _sparse_vjp(xp, g, out, logits, labels, saved):
    e, total = saved
    grad = e * (g[..., None] / total)             # g * (softmax - one_hot(labels))
    classes = grad.shape[-1]
    at_label = xp.arange(0, grad.size, classes) + labels.reshape(-1)   # flat index per row
    grad.reshape(-1)[at_label] -= g.reshape(-1)
    return grad


def _dense_vjp_logits(xp, g, out, logits, targets):
    return g[..., None] * (_softmax(xp, logits) * targets.sum(axis=-1, keepdims=True) - targets)


def _sigmoid(xp, x):
    return 0.5 * xp.tanh(0.5 * x) + 0.5


def _sigmoid_xent(xp, x, z):
    # max(x, 0) - x z + log(1 + exp(-|x|)): no overflow for any x (TF's formula)
    return xp.maximum(x, xp.zeros_like(x)) - x * z + xp.log1p(xp.exp(-xp.abs(x)))


def _probs_forward(xp, probs, labels, epsilon):
    p = _pick(xp, probs, labels) / probs.sum(axis=-1)
    return -xp.log(xp.clip(p, epsilon, 1.0 - epsilon))


def _probs_vjp(xp, g, out, probs, labels, epsilon):
    # loss = -log(y_t / S) where it is not clipped: d/dy_j = 1/S - [j == t] / y_t
    total = probs.sum(axis=-1)
    picked = _pick(xp, probs, labels)
    p = picked / total
    live = (p > epsilon) & (p < 1.0 - epsilon)
    scale = xp.where(live, g, xp.zeros_like(g))
    grad = xp.broadcast_to((scale / total)[..., None], probs.shape).copy()
    flat = grad.reshape(-1, grad.shape[-1])
    safe = xp.where(live, picked, xp.ones_like(picked))
    flat[xp.arange(flat.shape[0]), labels.reshape(-1)] -= (scale / safe).reshape(-1)
    return grad


sparse_softmax_cross_entropy = defop(
    "sparse_softmax_cross_entropy", _sparse_rule, _sparse_forward, _sparse_vjp, None,
    dims=lambda shapes, dims: tuple(dims[0][:-1]), saves=True,
    dtype=lambda logits, labels: logits,
    doc="-log softmax(logits)[label] per sample: (..., C) logits, (...) int labels -> (...).")
softmax_cross_entropy = defop(
    "softmax_cross_entropy", _dense_rule,
    lambda xp, x, t: -(t * _log_softmax(xp, x)).sum(axis=-1),
    _dense_vjp_logits,
    lambda xp, g, out, x, t: -g[..., None] * _log_softmax(xp, x),
    dims=lambda shapes, dims: tuple(dims[0][:-1]),
    doc="-sum(targets * log softmax(logits)) over the last axis.")
sigmoid_cross_entropy = defop(
    "sigmoid_cross_entropy", _same_rule, _sigmoid_xent,
    lambda xp, g, out, x, z: g * (_sigmoid(xp, x) - z),
    lambda xp, g, out, x, z: -g * x,
    doc="Elementwise binary crossentropy from logits, stable for any logit.")
sparse_categorical_crossentropy_probs = defop(
    "sparse_categorical_crossentropy", _sparse_rule, _probs_forward, _probs_vjp, None,
    dims=lambda shapes, dims, **_: tuple(dims[0][:-1]),
    dtype=lambda probs, labels, **_: probs,
    doc="-log(clip(p[label] / sum(p))) per sample, as Keras for probabilities.")
