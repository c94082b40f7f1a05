"""Recurrent ops: lstm, gru and simple_rnn over a whole sequence, each fused into one op.

One op per layer call keeps the graph readable ((B, T, in) -> (B, T, u) in one node, not
T x 10 small ones) and makes the loop fast: x @ kernel for every timestep is one GEMM
((T*B, in) @ (in, G*u)); each step only multiplies h @ recurrent_kernel and updates the
gates in place. The VJP is backprop through time: one reverse loop with one GEMM per step
gives the pre-activation gradients dZ (T, B, G*u) of all steps, and the weight gradients
are then one GEMM each over all timesteps (e.g. dkernel = X^T @ dZ).

Conventions, as in Keras 3 (and its weights): gates along the last axis of kernel,
recurrent_kernel and bias in Keras order — LSTM (i, f, c, o), GRU (z, r, h). Inputs:
``x`` (B, T, in); ``bias`` (G*u,), GRU(reset_after=True) (2, 3u) [input bias, recurrent
bias], or a scalar 0 for use_bias=False; initial states (B, u) or a scalar (broadcast);
``mask`` (B, T) booleans or a scalar True for no mask. Masked steps carry the state
forward, and their output is the carried state (Keras' default) or zero when
``zero_output_for_mask`` (what Bidirectional asks for). With ``go_backwards`` the sequence
is read from the end and the outputs come in the order they were computed, as in Keras.

The engine keeps one array per op call (its output), but backprop through time also needs
the gates and cell states of every step. The forward leaves them in the op's ``saved``
attribute (a `Saved`, made fresh by each public call), and the first VJP of a backward
pass runs the reverse loop once for all inputs. Without a filled `Saved` (an op called
directly), the VJP recomputes the forward: slower, same numbers.
"""

from ..errors import ShapeError, format_shape
from ..tensor import defop

__all__ = ["lstm", "gru", "simple_rnn"]


class Saved:
    """What one forward keeps for its backward: gates and states of every step."""

    __slots__ = ("forward", "inputs", "grads")

    def __init__(self):
        self.forward = None           # the arrays of the last forward run
        self.inputs = ()              # the input arrays it ran on
        self.grads = {}               # op name -> (upstream g, its input gradients)

    def __repr__(self):
        return "<saved for backward>"


# ---- activations: (in place forward, derivative from the output) ----------------------------
def _sigmoid(xp, a, out):
    # tanh form: float32 tanh is faster here than exp + reciprocal, and never overflows
    xp.multiply(a, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def _hard_sigmoid(xp, a, out):                     # Keras 3: relu6(x + 3) / 6
    xp.multiply(a, 1.0 / 6.0, out=out)
    out += 0.5
    xp.clip(out, 0.0, 1.0, out=out)


def _keras2_hard_sigmoid(xp, a, out):              # Keras 2 / TF.js: clip(0.2 x + 0.5)
    xp.multiply(a, 0.2, out=out)
    out += 0.5
    xp.clip(out, 0.0, 1.0, out=out)


def _relu(xp, a, out):
    xp.multiply(a, a > 0, out=out)


def _linear(xp, a, out):
    if out is not a:
        out[...] = a


ACTIVATIONS = {
    "tanh": (lambda xp, a, out: xp.tanh(a, out=out), lambda xp, y: 1.0 - y * y),
    "sigmoid": (_sigmoid, lambda xp, y: y * (1.0 - y)),
    "hard_sigmoid": (_hard_sigmoid, lambda xp, y: ((y > 0) & (y < 1)) * (1.0 / 6.0)),
    "keras2_hard_sigmoid": (_keras2_hard_sigmoid, lambda xp, y: ((y > 0) & (y < 1)) * 0.2),
    "relu": (_relu, lambda xp, y: (y > 0).astype(y.dtype)),
    "linear": (_linear, lambda xp, y: xp.ones_like(y)),
}


def _activation(name, what):
    if name not in ACTIVATIONS:
        raise ValueError(f"the fused recurrent ops support {what} in {sorted(ACTIVATIONS)}. "
                         f"Received: {what}={name!r}")
    return ACTIVATIONS[name]


# ---- shape rule -----------------------------------------------------------------------------
def rnn_shape(x, kernel, recurrent_kernel, bias, states, mask, gates, bias_shapes):
    """(B, T, u) for a recurrent op with `gates` blocks of u columns, or a ShapeError.

    >>> rnn_shape((None, 40, 32), (32, 256), (64, 256), (256,), [(), ()], (), 4, [(256,)])
    (None, 40, 64)
    """
    if len(x) != 3:
        raise ShapeError(
            f"the input has rank {len(x)}, shape {format_shape(x)}.",
            expected="a 3-D input (batch, time, features)",
            fix="RNNs take (batch, time, features): add an Embedding for token ids, or "
                "x[..., None] for one feature per step; a single sequence needs x[None].")
    batch, time, features = x
    if len(recurrent_kernel) != 2 or recurrent_kernel[0] is None:
        raise ShapeError(f"the recurrent kernel has shape {format_shape(recurrent_kernel)}.",
                         expected="(units, gates * units)",
                         fix="pass the layer's recurrent_kernel weight.")
    u = recurrent_kernel[0]
    want = {"kernel": (kernel, (features, gates * u)),
            "recurrent_kernel": (recurrent_kernel, (u, gates * u))}
    for name, (got, need) in want.items():
        if len(got) != 2 or any(a is not None and b is not None and a != b
                                for a, b in zip(got, need)):
            raise ShapeError(
                f"the {name} has shape {format_shape(got)}, but {gates} gates of {u} units "
                f"on {features} input features need {format_shape(need)}.",
                expected=f"{name} of shape {format_shape(need)}",
                fix="build the weights from the input's last axis and units (the layer "
                    "does this in build()).")
    if bias != () and tuple(bias) not in [tuple(s) for s in bias_shapes]:
        raise ShapeError(f"the bias has shape {format_shape(bias)}.",
                         expected=" or ".join(format_shape(s) for s in bias_shapes)
                         + ", or a scalar 0 for no bias",
                         fix="pass the layer's bias weight (or 0.0 with use_bias=False).")
    for s in states:
        if s != () and (len(s) != 2 or s[1] != u or
                        (s[0] is not None and batch is not None and s[0] != batch)):
            raise ShapeError(f"an initial state has shape {format_shape(s)}.",
                             expected=f"{format_shape((batch, u))}: (batch, units)",
                             fix="pass one state per sequence in the batch, units wide.")
    if mask != () and (len(mask) != 2 or any(
            a is not None and b is not None and a != b for a, b in zip(mask, (batch, time)))):
        raise ShapeError(f"the mask has shape {format_shape(mask)}.",
                         expected=f"{format_shape((batch, time))}: one flag per timestep",
                         fix="use the mask of the input (Embedding(mask_zero=True) makes it).")
    return (batch, time, u)


# ---- helpers shared by the three ops ---------------------------------------------------------
def _time_major(xp, x, go_backwards):
    """(B, T, F) -> contiguous (T, B, F), read from the end for go_backwards."""
    xs = x.transpose(1, 0, 2)
    return xp.ascontiguousarray(xs[::-1] if go_backwards else xs)


def _batch_major(a, go_backwards):
    """(T, B, F) -> (B, T, F) in input order: the inverse of _time_major."""
    return (a[::-1] if go_backwards else a).transpose(1, 0, 2)


def _mask_tm(xp, mask, go_backwards, dtype):
    """(B, T) flags -> (T, B, 1) floats m and 1 - m, or None when nothing is masked."""
    if mask.ndim == 0:
        if not mask:
            raise ValueError("a scalar mask must be True (no masking).")
        return None
    m = mask.T[::-1] if go_backwards else mask.T
    m = xp.ascontiguousarray(m, dtype=bool)[:, :, None]
    return m.astype(dtype), (~m).astype(dtype), ~m


def _states(xp, s0, T, B, u, dtype):
    """A (T+1, B, u) buffer for the states, s[0] the initial state."""
    s = xp.empty((T + 1, B, u), dtype=dtype)
    s[0] = s0
    return s


def _gemm_all(xp, xs, kernel, bias):
    """x @ kernel + bias for every timestep at once: (T*B, in) @ (in, G) -> (T, B, G)."""
    T, B, n = xs.shape
    z = (xs.reshape(T * B, n) @ kernel).reshape(T, B, kernel.shape[1])
    if bias.ndim or bias != 0:
        z += bias
    return z


def _grad_seq(xp, g, T, B, u, masks, zero_output, dtype):
    """Upstream gradient of the outputs, time-major and writable (the loop adds into it)."""
    if g is None:
        return xp.zeros((T, B, u), dtype=dtype)
    G = _time_major(xp, g, False)                         # outputs are in step order
    if zero_output and masks is not None:
        G *= masks[0]
    return G


def _outputs(xp, hs, masks, zero_output):
    """(T, B, u) states -> (B, T, u) outputs, in the order the steps ran (as Keras)."""
    out = hs[1:]
    if zero_output and masks is not None:
        out = out * masks[0]
    return out.transpose(1, 0, 2)


def _sum_rows(xp, a):
    """Column sums of a tall (N, G) matrix: ones @ a, far faster than a.sum(axis=0)."""
    return xp.ones(a.shape[0], dtype=a.dtype) @ a


def _input_grads(xp, dZ, xs, kernel, go_backwards):
    """dx and dkernel from the gate gradients of all steps (one GEMM each)."""
    T, B, n = xs.shape
    d2 = dZ.reshape(T * B, -1)
    dx = lambda: _batch_major((d2 @ xp.ascontiguousarray(kernel.T)).reshape(T, B, n),  # noqa
                              go_backwards)
    dk = lambda: xs.reshape(T * B, n).T @ d2                                   # noqa: E731
    return dx, dk


def _state_grad(ds, s0):
    return ds.sum() if s0.ndim == 0 else ds


def _declare(name, shape, forward, backward, n_inputs):
    """defop with one VJP per input that share one backprop-through-time pass.

    `backward(xp, g, out, *arrays, **attrs)` returns one thunk per differentiable input;
    the first VJP called with a given `g` runs it, the others reuse its result.
    """
    def vjp(i):
        def grad(xp, g, out, *arrays, **attrs):
            saved = attrs["saved"]
            memo = saved.grads.get(name) if saved is not None else None
            if memo is None or memo[0] is not g:
                memo = (g, backward(xp, g, out, *arrays, **attrs))
                if saved is not None:
                    saved.grads[name] = memo
            return memo[1][i]()
        return grad
    return defop(name, shape, forward, *[vjp(i) for i in range(n_inputs - 1)], None)


def _forward_of(run, saved, xp, arrays, attrs):
    """The saved forward arrays of a run on these very `arrays`, or a fresh forward run
    (an op replayed by a functional model shares one `Saved` between its calls)."""
    if saved is not None and len(saved.inputs) == len(arrays) and \
            all(a is b for a, b in zip(saved.inputs, arrays)):
        return saved.forward
    fw = run(xp, *arrays, **attrs)
    if saved is not None:
        saved.forward, saved.inputs, saved.grads = fw, arrays, {}
    return fw


# ---- LSTM -----------------------------------------------------------------------------------
def _gates_ofic(a, u):
    """Keras' gate order (i, f, c, o) -> (o, i, f, c): the sigmoids side by side, and the
    three blocks the cell-state gradient drives side by side too."""
    if a.ndim == 0:
        return a
    return a[..., [*range(3 * u, 4 * u), *range(3 * u)]]


def _gates_ifco(a, u):
    """(o, i, f, c) -> Keras' (i, f, c, o), for gradients."""
    if a.ndim == 0:
        return a
    return a[..., [*range(u, 4 * u), *range(u)]]


def _by_gate(w, u):
    """(n, 4u) -> contiguous (4, n, u): one matrix per gate."""
    return w.reshape(w.shape[0], 4, u).transpose(1, 0, 2).copy()


def _lstm_shape(x, kernel, recurrent_kernel, bias, h0, c0, mask, **attrs):
    u4 = recurrent_kernel[1] if len(recurrent_kernel) == 2 else None
    return rnn_shape(x, kernel, recurrent_kernel, bias, [h0, c0], mask, 4, [(u4,)])


def _lstm_run(xp, x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards, activation,
              recurrent_activation, zero_output_for_mask, saved):
    # The gates live in a (T, 4, B, u) array, so that each step's gates are one contiguous
    # block and each gate a contiguous (B, u) part of it: NumPy runs ops on strided column
    # blocks of a (B, 4u) row 2-3x slower.
    act = _activation(activation, "activation")[0]
    ract = _activation(recurrent_activation, "recurrent_activation")[0]
    B, T, n = x.shape
    u = recurrent_kernel.shape[0]
    dtype = x.dtype
    kp, rk4, bias = _gates_ofic(kernel, u), _gates_ofic(recurrent_kernel, u), \
        _gates_ofic(bias, u)                               # gates (o, i, f, c)
    # tanh and sigmoid (the defaults): sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, so with the
    # sigmoid gates' weights halved one tanh call covers all four gates of a step
    fast = activation == "tanh" and recurrent_activation == "sigmoid"
    if fast:
        half = xp.ones(4 * u, dtype=dtype)
        half[:3 * u] = 0.5
        kp, rk4, bias = kp * half, rk4 * half, bias * half if bias.ndim else bias
    rk4 = _by_gate(rk4, u)                                 # (u, 4u) -> (4, u, u)
    xs = _time_major(xp, x, go_backwards)                  # (B, T, in) -> (T, B, in)
    xw = xs.reshape(T * B, n) @ kp                         # (T*B, in) @ (in, 4u): one GEMM
    xw = xw.reshape(T, B, 4, u).transpose(0, 2, 1, 3)      # -> (T, 4, B, u)
    z = xp.empty((T, 4, B, u), dtype=dtype)
    xp.add(xw, bias.reshape(1, 4, 1, u) if bias.ndim else bias, out=z)
    hs, cs = _states(xp, h0, T, B, u, dtype), _states(xp, c0, T, B, u, dtype)
    tcs = xp.empty((T, B, u), dtype=dtype)                 # act(c) of each step
    masks = _mask_tm(xp, mask, go_backwards, dtype)
    rec, ig = xp.empty((4, B, u), dtype=dtype), xp.empty((B, u), dtype=dtype)
    for t in range(T):
        zt = z[t]                                          # (4, B, u)
        xp.matmul(hs[t], rk4, out=rec)                     # (B, u) @ (4, u, u) -> (4, B, u)
        zt += rec
        if fast:
            xp.tanh(zt, out=zt)
            zt[:3] *= 0.5
            zt[:3] += 0.5
        else:
            ract(xp, zt[:3], zt[:3])
            act(xp, zt[3], zt[3])
        o, i, f, g = zt
        c = cs[t + 1]
        xp.multiply(f, cs[t], out=c)
        xp.multiply(i, g, out=ig)
        c += ig
        act(xp, c, tcs[t])
        xp.multiply(o, tcs[t], out=hs[t + 1])
        if masks is not None:                              # masked: keep the old state
            xp.copyto(c, cs[t], where=masks[2][t])
            xp.copyto(hs[t + 1], hs[t], where=masks[2][t])
    return z, hs, cs, tcs, xs, masks


def _lstm_forward(xp, *arrays, saved, **attrs):
    fw = _lstm_run(xp, *arrays, saved=saved, **attrs)
    if saved is not None:
        saved.forward, saved.inputs, saved.grads = fw, arrays, {}
    return _outputs(xp, fw[1], fw[5], attrs["zero_output_for_mask"])


def _lstm_bptt(xp, g_seq, g_c, x, kernel, recurrent_kernel, bias, h0, c0, mask, saved,
               go_backwards, activation, recurrent_activation, zero_output_for_mask):
    """Backprop through time: thunks for the gradients of x, kernel, ..., c0."""
    arrays = (x, kernel, recurrent_kernel, bias, h0, c0, mask)
    attrs = dict(go_backwards=go_backwards, activation=activation,
                 recurrent_activation=recurrent_activation,
                 zero_output_for_mask=zero_output_for_mask)
    z, hs, cs, tcs, xs, masks = _forward_of(_lstm_run, saved, xp, arrays,
                                            dict(attrs, saved=None))
    actd = _activation(activation, "activation")[1]
    ractd = _activation(recurrent_activation, "recurrent_activation")[1]
    T, _, B, u = z.shape
    n = xs.shape[2]
    dtype = z.dtype
    O, I, F, Gc = z[:, 0], z[:, 1], z[:, 2], z[:, 3]      # (T, B, u) each
    # what does not depend on the recurrence, for all steps at once
    A = O * actd(xp, tcs)                                  # dh -> dc through h = o * act(c)
    Q = tcs * ractd(xp, O)                                 # dh -> dz_o
    P = xp.empty((T, B, 3, u), dtype=dtype)                # dc -> dz_i, dz_f, dz_c
    xp.multiply(Gc, ractd(xp, I), out=P[:, :, 0])
    xp.multiply(cs[:-1], ractd(xp, F), out=P[:, :, 1])
    xp.multiply(I, actd(xp, Gc), out=P[:, :, 2])
    G = _grad_seq(xp, g_seq, T, B, u, masks, zero_output_for_mask, dtype)
    dZ = xp.empty((T, B, 4 * u), dtype=dtype)              # rows of (o, i, f, c) gradients,
    dZ4 = dZ.reshape(T, B, 4, u)                           # so weight grads are one GEMM each
    rkT = xp.ascontiguousarray(_gates_ofic(recurrent_kernel, u).T)   # a .T view: 3x slower
    dh = xp.zeros((B, u), dtype=dtype)
    dc = xp.zeros((B, u), dtype=dtype) if g_c is None else g_c.astype(dtype, copy=True)
    for t in range(T - 1, -1, -1):
        dht = G[t]
        dht += dh
        if masks is not None:                              # masked rows pass dh, dc through
            keep_h, keep_c = dht * masks[1][t], dc * masks[1][t]
            dht *= masks[0][t]
            dc *= masks[0][t]
        dc += dht * A[t]
        xp.multiply(dc[:, None, :], P[t], out=dZ4[t, :, 1:])
        xp.multiply(dht, Q[t], out=dZ4[t, :, 0])
        dc *= F[t]
        dh = dZ[t] @ rkT                                   # (B, 4u) @ (4u, u) -> (B, u)
        if masks is not None:
            dc += keep_c
            dh += keep_h
    d2 = dZ.reshape(T * B, 4 * u)

    def dx():
        kT = xp.ascontiguousarray(_gates_ofic(kernel, u).T)
        return _batch_major((d2 @ kT).reshape(T, B, n), go_backwards)

    return [dx,
            lambda: _gates_ifco(xs.reshape(T * B, n).T @ d2, u),
            lambda: _gates_ifco(hs[:-1].reshape(T * B, u).T @ d2, u),
            lambda: d2.sum() if bias.ndim == 0 else _gates_ifco(_sum_rows(xp, d2), u),
            lambda: _state_grad(dh, h0),
            lambda: _state_grad(dc, c0)]


_lstm = _declare("lstm", _lstm_shape, _lstm_forward,
                 lambda xp, g, out, *arrays, **attrs: _lstm_bptt(xp, g, None, *arrays, **attrs),
                 7)


def _lstm_c_forward(xp, *arrays, saved, **attrs):
    fw = _forward_of(_lstm_run, saved, xp, arrays, dict(attrs, saved=None))
    return fw[2][-1]


_lstm_c = _declare("lstm_cell_state",
                   lambda *shapes, **attrs: (lambda s: (s[0], s[2]))(_lstm_shape(*shapes)),
                   _lstm_c_forward,
                   lambda xp, g, out, *arrays, **attrs: _lstm_bptt(xp, None, g, *arrays,
                                                                   **attrs),
                   7)


def _args(x, bias, states, mask, n_states):
    """The op's tensor inputs, with scalars standing in for what is not given."""
    states = list(states) if states is not None else [None] * n_states
    if len(states) != n_states:
        raise ValueError(f"expected {n_states} initial state(s), received {len(states)}.")
    return ([0.0 if bias is None else bias] + [0.0 if s is None else s for s in states]
            + [True if mask is None else mask])


def lstm(x, kernel, recurrent_kernel, bias=None, initial_state=None, mask=None,
         go_backwards=False, activation="tanh", recurrent_activation="sigmoid",
         zero_output_for_mask=False, return_cell_state=False):
    """LSTM over a whole sequence: (B, T, in) -> outputs (B, T, u), gates (i, f, c, o).

    ``c = f * c + i * act(x @ Wc + h @ Uc + bc)``, ``h = o * act(c)`` with ``i, f, o`` the
    recurrent_activation of their pre-activations. ``initial_state`` is ``[h0, c0]``.
    With ``return_cell_state=True`` returns ``(outputs, c_last)``; the last h state is
    ``outputs[:, -1]``.
    """
    saved = Saved()
    args = _args(x, bias, initial_state, mask, 2)
    attrs = dict(go_backwards=bool(go_backwards), activation=activation,
                 recurrent_activation=recurrent_activation,
                 zero_output_for_mask=bool(zero_output_for_mask), saved=saved)
    out = _lstm(x, kernel, recurrent_kernel, *args, **attrs)
    if not return_cell_state:
        return out
    return out, _lstm_c(x, kernel, recurrent_kernel, *args, **attrs)


# ---- GRU ------------------------------------------------------------------------------------
def _gru_shape(x, kernel, recurrent_kernel, bias, h0, mask, reset_after, **attrs):
    u3 = recurrent_kernel[1] if len(recurrent_kernel) == 2 else None
    return rnn_shape(x, kernel, recurrent_kernel, bias, [h0], mask, 3,
                     [(2, u3)] if reset_after else [(u3,)])


def _gru_run(xp, x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation,
             recurrent_activation, zero_output_for_mask, reset_after, saved):
    act = _activation(activation, "activation")[0]
    ract = _activation(recurrent_activation, "recurrent_activation")[0]
    B, T, _ = x.shape
    u = recurrent_kernel.shape[0]
    dtype = x.dtype
    b_in, b_rec = (bias[0], bias[1]) if bias.ndim == 2 else (bias, bias)
    xs = _time_major(xp, x, go_backwards)                  # (B, T, in) -> (T, B, in)
    z = _gemm_all(xp, xs, kernel, b_in)                    # -> (T, B, 3u), gates (z, r, h)
    hs = _states(xp, h0, T, B, u, dtype)
    masks = _mask_tm(xp, mask, go_backwards, dtype)
    rk_zr, rk_h = (xp.ascontiguousarray(w) for w in (recurrent_kernel[:, :2 * u],
                                                      recurrent_kernel[:, 2 * u:]))
    # reset_after: h @ U + b_rec of every step (its h block is needed again in backward);
    # reset before: r * h_prev of every step
    rec = xp.empty((T, B, 3 * u) if reset_after else (T, B, u), dtype=dtype)
    tmp = xp.empty((B, u), dtype=dtype)
    for t in range(T):
        zt, h = z[t], hs[t]
        if reset_after:
            rt = rec[t]
            xp.matmul(h, recurrent_kernel, out=rt)         # (B, u) @ (u, 3u) -> (B, 3u)
            if b_rec.ndim or b_rec != 0:
                rt += b_rec
            zt[:, :2 * u] += rt[:, :2 * u]
            ract(xp, zt[:, :2 * u], zt[:, :2 * u])
            zt[:, 2 * u:] += zt[:, u:2 * u] * rt[:, 2 * u:]
        else:
            zt[:, :2 * u] += h @ rk_zr
            ract(xp, zt[:, :2 * u], zt[:, :2 * u])
            xp.multiply(zt[:, u:2 * u], h, out=rec[t])
            zt[:, 2 * u:] += rec[t] @ rk_h
        hh = zt[:, 2 * u:]
        act(xp, hh, hh)
        xp.subtract(h, hh, out=tmp)                        # h = hh + z * (h_prev - hh)
        tmp *= zt[:, :u]
        xp.add(hh, tmp, out=hs[t + 1])
        if masks is not None:
            xp.copyto(hs[t + 1], h, where=masks[2][t])
    return z, hs, rec, xs, masks


def _gru_forward(xp, *arrays, saved, **attrs):
    fw = _gru_run(xp, *arrays, saved=saved, **attrs)
    if saved is not None:
        saved.forward, saved.inputs, saved.grads = fw, arrays, {}
    return _outputs(xp, fw[1], fw[4], attrs["zero_output_for_mask"])


def _gru_bptt(xp, g, out, x, kernel, recurrent_kernel, bias, h0, mask, saved, go_backwards,
              activation, recurrent_activation, zero_output_for_mask, reset_after):
    arrays = (x, kernel, recurrent_kernel, bias, h0, mask)
    attrs = dict(go_backwards=go_backwards, activation=activation,
                 recurrent_activation=recurrent_activation,
                 zero_output_for_mask=zero_output_for_mask, reset_after=reset_after)
    z, hs, rec, xs, masks = _forward_of(_gru_run, saved, xp, arrays, dict(attrs, saved=None))
    actd = _activation(activation, "activation")[1]
    ractd = _activation(recurrent_activation, "recurrent_activation")[1]
    T, B, _ = z.shape
    u = recurrent_kernel.shape[0]
    dtype = z.dtype
    Zg, R, HH, Hp = z[:, :, :u], z[:, :, u:2 * u], z[:, :, 2 * u:], hs[:-1]
    Dz = (Hp - HH) * ractd(xp, Zg)                         # dh -> dz
    Ah = (1.0 - Zg) * actd(xp, HH)                         # dh -> d(candidate pre-activation)
    Dr = (rec[:, :, 2 * u:] if reset_after else Hp) * ractd(xp, R)
    G = _grad_seq(xp, g, T, B, u, masks, zero_output_for_mask, dtype)
    dZ = xp.empty((T, B, 3 * u), dtype=dtype)              # d(x @ W + b_in) of each step
    dR = xp.empty((T, B, 3 * u), dtype=dtype) if reset_after else None   # d(h @ U + b_rec)
    rkT, rk_zrT, rk_hT = (xp.ascontiguousarray(w.T) for w in (  # .T views: 3x slower
        recurrent_kernel, recurrent_kernel[:, :2 * u], recurrent_kernel[:, 2 * u:]))
    dh = xp.zeros((B, u), dtype=dtype)
    for t in range(T - 1, -1, -1):
        dht = G[t]
        dht += dh
        if masks is not None:
            keep_h = dht * masks[1][t]
            dht *= masks[0][t]
        dz = dZ[t]
        xp.multiply(dht, Dz[t], out=dz[:, :u])
        da = dz[:, 2 * u:]
        xp.multiply(dht, Ah[t], out=da)
        if reset_after:
            xp.multiply(da, Dr[t], out=dz[:, u:2 * u])
            dr = dR[t]
            dr[:, :2 * u] = dz[:, :2 * u]
            xp.multiply(da, R[t], out=dr[:, 2 * u:])
            dh = dr @ rkT                                  # (B, 3u) @ (3u, u) -> (B, u)
        else:
            drh = da @ rk_hT                               # d(r * h_prev)
            xp.multiply(drh, Dr[t], out=dz[:, u:2 * u])
            dh = dz[:, :2 * u] @ rk_zrT
            dh += drh * R[t]
        dh += dht * Zg[t]
        if masks is not None:
            dh += keep_h
    d2 = dZ.reshape(T * B, 3 * u)
    hp2 = Hp.reshape(T * B, u)
    dx, dk = _input_grads(xp, dZ, xs, kernel, go_backwards)
    if reset_after:
        r2 = dR.reshape(T * B, 3 * u)
        drk = lambda: hp2.T @ r2                                                  # noqa: E731
        db = lambda: (d2.sum() + r2.sum() if bias.ndim == 0 else                  # noqa: E731
                      xp.stack([_sum_rows(xp, d2), _sum_rows(xp, r2)]))
    else:
        drk = lambda: xp.concatenate(                                             # noqa: E731
            [hp2.T @ d2[:, :2 * u], rec.reshape(T * B, u).T @ d2[:, 2 * u:]], axis=1)
        db = lambda: d2.sum() if bias.ndim == 0 else _sum_rows(xp, d2)           # noqa: E731
    return [dx, dk, drk, db, lambda: _state_grad(dh, h0)]


_gru = _declare("gru", _gru_shape, _gru_forward, _gru_bptt, 6)


def gru(x, kernel, recurrent_kernel, bias=None, initial_state=None, mask=None,
        go_backwards=False, activation="tanh", recurrent_activation="sigmoid",
        reset_after=True, zero_output_for_mask=False):
    """GRU over a whole sequence: (B, T, in) -> outputs (B, T, u), gates (z, r, h).

    ``h = z * h_prev + (1 - z) * hh``. With ``reset_after=True`` (Keras 3's default; bias
    (2, 3u)) ``hh = act(x @ Wh + b_in + r * (h_prev @ Uh + b_rec))``; with False (the form
    TF.js runs; bias (3u,)) ``hh = act(x @ Wh + (r * h_prev) @ Uh + b)``.
    """
    args = _args(x, bias, initial_state, mask, 1)
    return _gru(x, kernel, recurrent_kernel, *args, go_backwards=bool(go_backwards),
                activation=activation, recurrent_activation=recurrent_activation,
                zero_output_for_mask=bool(zero_output_for_mask),
                reset_after=bool(reset_after), saved=Saved())


# ---- SimpleRNN ------------------------------------------------------------------------------
def _simple_shape(x, kernel, recurrent_kernel, bias, h0, mask, **attrs):
    u = recurrent_kernel[1] if len(recurrent_kernel) == 2 else None
    return rnn_shape(x, kernel, recurrent_kernel, bias, [h0], mask, 1, [(u,)])


def _simple_run(xp, x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation,
                zero_output_for_mask, saved):
    act = _activation(activation, "activation")[0]
    B, T, _ = x.shape
    u = recurrent_kernel.shape[0]
    xs = _time_major(xp, x, go_backwards)                  # (B, T, in) -> (T, B, in)
    z = _gemm_all(xp, xs, kernel, bias)                    # -> (T, B, u)
    hs = _states(xp, h0, T, B, u, x.dtype)
    masks = _mask_tm(xp, mask, go_backwards, x.dtype)
    for t in range(T):
        zt = z[t]
        zt += hs[t] @ recurrent_kernel
        act(xp, zt, zt)
        hs[t + 1] = zt
        if masks is not None:
            xp.copyto(hs[t + 1], hs[t], where=masks[2][t])
    return z, hs, xs, masks


def _simple_forward(xp, *arrays, saved, **attrs):
    fw = _simple_run(xp, *arrays, saved=saved, **attrs)
    if saved is not None:
        saved.forward, saved.inputs, saved.grads = fw, arrays, {}
    return _outputs(xp, fw[1], fw[3], attrs["zero_output_for_mask"])


def _simple_bptt(xp, g, out, x, kernel, recurrent_kernel, bias, h0, mask, saved, go_backwards,
                 activation, zero_output_for_mask):
    arrays = (x, kernel, recurrent_kernel, bias, h0, mask)
    attrs = dict(go_backwards=go_backwards, activation=activation,
                 zero_output_for_mask=zero_output_for_mask)
    z, hs, xs, masks = _forward_of(_simple_run, saved, xp, arrays, dict(attrs, saved=None))
    T, B, u = z.shape
    D = _activation(activation, "activation")[1](xp, z)   # act' of every step
    G = _grad_seq(xp, g, T, B, u, masks, zero_output_for_mask, z.dtype)
    dZ = xp.empty_like(z)
    rkT = xp.ascontiguousarray(recurrent_kernel.T)
    dh = xp.zeros((B, u), dtype=z.dtype)
    for t in range(T - 1, -1, -1):
        dht = G[t]
        dht += dh
        if masks is not None:
            keep_h = dht * masks[1][t]
            dht *= masks[0][t]
        xp.multiply(dht, D[t], out=dZ[t])
        dh = dZ[t] @ rkT
        if masks is not None:
            dh += keep_h
    d2 = dZ.reshape(T * B, u)
    dx, dk = _input_grads(xp, dZ, xs, kernel, go_backwards)
    return [dx, dk, lambda: hs[:-1].reshape(T * B, u).T @ d2,
            lambda: d2.sum() if bias.ndim == 0 else _sum_rows(xp, d2),
            lambda: _state_grad(dh, h0)]


_simple_rnn = _declare("simple_rnn", _simple_shape, _simple_forward, _simple_bptt, 6)


def simple_rnn(x, kernel, recurrent_kernel, bias=None, initial_state=None, mask=None,
               go_backwards=False, activation="tanh", zero_output_for_mask=False):
    """Fully connected RNN over a sequence: ``h = act(x @ W + h_prev @ U + b)``,
    (B, T, in) -> outputs (B, T, u)."""
    args = _args(x, bias, initial_state, mask, 1)
    return _simple_rnn(x, kernel, recurrent_kernel, *args, go_backwards=bool(go_backwards),
                       activation=activation, zero_output_for_mask=bool(zero_output_for_mask),
                       saved=Saved())
