"""Normalization: batch_norm and layer_norm (statistics of the data), batch_normalization
(statistics given, as Keras's ``ops.batch_normalization``), each one fused op.

``axis`` names the parameter axes (the channels for batch_norm, the normalized axes for
layer_norm); gamma and beta have the input's sizes there, or are scalars (1.0, 0.0) when a
layer has ``scale=False`` / ``center=False``. batch_norm takes its mean and (biased)
variance over every other axis, layer_norm over ``axis`` itself. Their VJPs carry the
gradient through the statistics: with xhat = (x - mean) * istd and dxhat = g * gamma,
dx = istd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
"""

from ..errors import ShapeError, format_shape
from ..shapes import normalize_axes
from ..tensor import defop

__all__ = ["batch_norm", "layer_norm", "batch_normalization"]


def _axes(ndim, axis, over_axis):
    """(statistics axes, parameter axes), both sorted and non-negative.

    >>> _axes(4, -1, over_axis=False)          # batch_norm: over all but the channels
    ((0, 1, 2), (3,))
    >>> _axes(3, -1, over_axis=True)           # layer_norm: over the features
    ((2,), (2,))
    """
    params = normalize_axes(axis, ndim)
    stats = params if over_axis else tuple(a for a in range(ndim) if a not in params)
    return stats, params


def _check_params(x, params, named):
    """Each (name, shape) in `named` must be () or x's sizes on the parameter axes."""
    want = tuple(x[a] for a in params)
    for name, shape in named:
        if shape == () or (len(shape) == len(want) and
                           all(w is None or w == n for n, w in zip(shape, want))):
            continue
        where = ", ".join(str(a) for a in params)
        raise ShapeError(
            f"{name} has shape {format_shape(shape)} but the input has sizes "
            f"{format_shape(want)} on axis {where}.",
            expected=f"{name} of shape {format_shape(want)}, one value per position of axis "
                     f"{where}",
            fix="normalize the axis the weights were made for (the layer's axis), or use a "
                "new layer for inputs of this shape.")


def _norm_shape(over_axis):
    def rule(x, gamma, beta, axis, epsilon):
        _, params = _axes(len(x), axis, over_axis)
        _check_params(x, params, (("gamma", gamma), ("beta", beta)))
        return x
    return rule


def _given_stats_shape(x, mean, variance, offset, scale, axis, epsilon):
    """
    >>> _given_stats_shape((None, 8, 8, 3), (3,), (3,), (), (3,), axis=-1, epsilon=1e-3)
    (None, 8, 8, 3)
    """
    params = normalize_axes(axis, len(x))
    _check_params(x, params, (("mean", mean), ("variance", variance), ("offset", offset),
                              ("scale", scale)))
    return x


# ---- array code ------------------------------------------------------------------------

def _along(p, ndim, params):
    """A parameter of shape () or (sizes on params) made to broadcast against the input."""
    if p.ndim == 0:
        return p
    shape = [1] * ndim
    for a, n in zip(params, p.shape):
        shape[a] = n
    return p.reshape(shape)


def _param_grad(g, p, params):
    """Sum `g` down to the parameter's shape: over every axis but the parameter axes."""
    others = tuple(a for a in range(g.ndim) if p.ndim == 0 or a not in params)
    return g.sum(axis=others).reshape(p.shape)


def _normalized(xp, x, stats, epsilon):
    """xhat = (x - mean) / sqrt(var + epsilon) and istd, the statistics over `stats`."""
    centred = x - x.mean(axis=stats, keepdims=True)
    istd = 1.0 / xp.sqrt((centred * centred).mean(axis=stats, keepdims=True) + epsilon)
    return centred * istd, istd


def _fused(over_axis):
    def forward(xp, x, gamma, beta, axis, epsilon):
        stats, params = _axes(x.ndim, axis, over_axis)
        xhat, _ = _normalized(xp, x, stats, epsilon)
        return xhat * _along(gamma, x.ndim, params) + _along(beta, x.ndim, params)

    def vjp_x(xp, g, out, x, gamma, beta, axis, epsilon):
        stats, params = _axes(x.ndim, axis, over_axis)
        xhat, istd = _normalized(xp, x, stats, epsilon)
        dxhat = g * _along(gamma, x.ndim, params)
        return istd * (dxhat - dxhat.mean(axis=stats, keepdims=True)
                       - xhat * (dxhat * xhat).mean(axis=stats, keepdims=True))

    def vjp_gamma(xp, g, out, x, gamma, beta, axis, epsilon):
        stats, params = _axes(x.ndim, axis, over_axis)
        return _param_grad(g * _normalized(xp, x, stats, epsilon)[0], gamma, params)

    def vjp_beta(xp, g, out, x, gamma, beta, axis, epsilon):
        return _param_grad(g, beta, _axes(x.ndim, axis, over_axis)[1])

    return _norm_shape(over_axis), forward, vjp_x, vjp_gamma, vjp_beta


_batch_norm = defop("batch_norm", *_fused(over_axis=False))
_layer_norm = defop("layer_norm", *_fused(over_axis=True))


# ---- with given statistics (inference): y = (x - mean) * istd * scale + offset --------------

def _given(xp, x, mean, variance, axis, epsilon):
    params = normalize_axes(axis, x.ndim)
    return params, _along(mean, x.ndim, params), \
        1.0 / xp.sqrt(_along(variance, x.ndim, params) + epsilon)


def _batch_normalization(xp, x, mean, variance, offset, scale, axis, epsilon):
    params, m, istd = _given(xp, x, mean, variance, axis, epsilon)
    return (x - m) * (istd * _along(scale, x.ndim, params)) + _along(offset, x.ndim, params)


def _bn_vjp_x(xp, g, out, x, mean, variance, offset, scale, axis, epsilon):
    params, _, istd = _given(xp, x, mean, variance, axis, epsilon)
    return g * (istd * _along(scale, x.ndim, params))


def _bn_vjp_mean(xp, g, out, x, mean, variance, offset, scale, axis, epsilon):
    params, _, istd = _given(xp, x, mean, variance, axis, epsilon)
    return _param_grad(-g * (istd * _along(scale, x.ndim, params)), mean, params)


def _bn_vjp_variance(xp, g, out, x, mean, variance, offset, scale, axis, epsilon):
    params, m, istd = _given(xp, x, mean, variance, axis, epsilon)
    return _param_grad(g * (x - m) * (-0.5 * istd ** 3 * _along(scale, x.ndim, params)),
                       variance, params)


def _bn_vjp_offset(xp, g, out, x, mean, variance, offset, scale, axis, epsilon):
    return _param_grad(g, offset, normalize_axes(axis, x.ndim))


def _bn_vjp_scale(xp, g, out, x, mean, variance, offset, scale, axis, epsilon):
    params, m, istd = _given(xp, x, mean, variance, axis, epsilon)
    return _param_grad(g * (x - m) * istd, scale, params)


_batch_normalization_op = defop("batch_normalization", _given_stats_shape, _batch_normalization,
                                _bn_vjp_x, _bn_vjp_mean, _bn_vjp_variance, _bn_vjp_offset,
                                _bn_vjp_scale)


# ---- the public functions -------------------------------------------------------------------

def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def batch_norm(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """Normalize each channel (`axis`) with the batch's own mean and biased variance, over
    every other axis, then ``* gamma + beta``: BatchNormalization while training. The
    gradient flows through the statistics. gamma/beta None: 1 and 0."""
    return _batch_norm(x, 1.0 if gamma is None else gamma, 0.0 if beta is None else beta,
                       axis=_axis(axis), epsilon=float(epsilon))


def layer_norm(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """Normalize each example over `axis` (the features), then ``* gamma + beta``, where
    gamma and beta have the sizes of `axis`: LayerNormalization."""
    return _layer_norm(x, 1.0 if gamma is None else gamma, 0.0 if beta is None else beta,
                       axis=_axis(axis), epsilon=float(epsilon))


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with given statistics of
    the sizes of `axis` (Keras 3's ``ops.batch_normalization``): BatchNormalization at
    inference, with its moving mean and variance."""
    return _batch_normalization_op(x, mean, variance, 0.0 if offset is None else offset,
                                   1.0 if scale is None else scale, axis=_axis(axis),
                                   epsilon=float(epsilon))
