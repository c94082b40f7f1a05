"""Autograd: backward, accumulation, tk.grad, tk.gradients, no_grad, detach, deep graphs."""

import numpy as np
import pytest

import tensorkit as tk


def test_backward_accumulates_and_zero_grad_forgets():
    w = tk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2, 4, 6])
    (w * 3).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [5, 7, 9])
    w.zero_grad()
    assert w.grad is None


def test_shared_inputs_and_diamonds_sum_their_paths():
    x = tk.tensor(2.0, requires_grad=True)
    a = x * x
    y = a * x + a                           # x^3 + x^2 -> 3x^2 + 2x = 16
    y.backward()
    assert x.grad.item() == pytest.approx(16.0)


def test_only_leaves_that_ask_get_gradients():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    c = tk.tensor([3.0, 4.0])
    h = x * c
    h.sum().backward()
    assert c.grad is None and h.grad is None and not c.requires_grad
    assert h.requires_grad and not h.is_leaf and x.is_leaf


def test_non_scalar_backward_needs_a_gradient():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(tk.GradientError, match=r"needs a scalar.*shape \(2,\).*y.mean\(\)"):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2, 20])
    with pytest.raises(tk.ShapeError, match="the gradient has shape"):
        (x * 2).backward(np.ones(3))


def test_backward_without_anything_to_differentiate_explains():
    with pytest.raises(tk.GradientError, match="requires_grad=True"):
        tk.ones((2,)).sum().backward()


def test_grad_function_transform():
    df = tk.grad(lambda x: (x ** 3).sum())
    np.testing.assert_allclose(df(tk.tensor([1.0, 2.0])).numpy(), [3, 12])
    both = tk.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))
    ga, gb = both(tk.tensor([1.0, 2.0]), tk.tensor([3.0, 5.0]))
    np.testing.assert_allclose(ga.numpy(), [3, 5])
    np.testing.assert_allclose(gb.numpy(), [1, 2])
    w = tk.tensor([1.0], requires_grad=True)
    tk.grad(lambda x: (x * w).sum())(tk.tensor([2.0]))
    assert w.grad is None                          # tk.grad touches no .grad
    unused = tk.grad(lambda a, b: a.sum(), argnums=1)(tk.ones(2), tk.ones(3))
    np.testing.assert_array_equal(unused.numpy(), np.zeros(3))


def test_gradients_for_chosen_tensors():
    w1 = tk.tensor([1.0, 2.0], requires_grad=True)
    w2 = tk.tensor([3.0], requires_grad=True)
    unused = tk.tensor([0.0], requires_grad=True)
    loss = (w1 * w2).sum()
    g1, g2, g3 = tk.gradients(loss, [w1, w2, unused])
    np.testing.assert_allclose(g1.numpy(), [3, 3])
    np.testing.assert_allclose(g2.numpy(), [3])
    assert g3 is None and w1.grad is None


def test_no_grad_and_detach_cut_the_graph():
    x = tk.tensor([1.0], requires_grad=True)
    with tk.no_grad():
        y = x * 2
    assert not y.requires_grad
    z = (x * 2).detach()
    assert not z.requires_grad and z.node is None

    @tk.no_grad()
    def f(t):
        return t * 3
    assert not f(x).requires_grad


def test_gradients_keep_dtype_and_shape():
    x = tk.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = tk.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    ((x + b) * 2.0).sum().backward()
    assert x.grad.dtype == np.float32 and b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad.numpy(), [4, 4, 4])


def test_a_100k_op_graph_backpropagates_and_frees_without_recursion():
    x = tk.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    y.backward()
    assert x.grad.item() == 1.0
    del y                                           # deep chains must free without overflow


def test_grad_is_same_with_recording_off():
    x = tk.tensor([0.5, -1.0], requires_grad=True)
    with tk.recording(False):
        y = tk.tanh(x * 3).sum()
        assert y.node is not None                   # autograd still keeps what it needs
        y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * (1 - np.tanh(3 * x.numpy()) ** 2), rtol=1e-6)


def test_an_op_can_save_work_for_its_backward_pass():
    from tensorkit.shapes import same_shape
    from tensorkit.tensor import defop

    calls = []

    def forward(xp, x):
        twice = 2 * x                                    # something only the VJP needs
        return x * x, twice

    def vjp(xp, g, out, x, saved):
        calls.append(saved)
        return g * saved

    op = defop("test_saved_square", same_shape, forward, vjp, saves=True)
    x = tk.tensor([1.0, 3.0], requires_grad=True)
    y = op(x)
    np.testing.assert_allclose(y.numpy(), [1, 9])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 6])
    np.testing.assert_allclose(calls[0], [2, 6])
    with tk.no_grad():
        assert op(x).node is None or op(x).node.saved is None   # nothing kept without grads


def test_gradients_reach_through_many_paths_and_to_intermediates():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    w = tk.tensor([3.0, -1.0], requires_grad=True)
    a = x * w                                       # used three times, at different depths
    b = tk.tanh(a)
    y = (a * b + a + tk.exp(b) * a).sum()
    ga, gx, gw = tk.gradients(y, [a, x, w])
    av, bv = (x.numpy() * w.numpy()), np.tanh(x.numpy() * w.numpy())
    db = av + np.exp(bv) * av                       # dy/db
    want_a = bv + 1 + np.exp(bv) + db * (1 - bv ** 2)
    np.testing.assert_allclose(ga.numpy(), want_a, rtol=1e-6)
    np.testing.assert_allclose(gx.numpy(), want_a * w.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gw.numpy(), want_a * x.numpy(), rtol=1e-6)
    unused = tk.tensor([1.0], requires_grad=True)
    assert tk.gradients(y, [unused])[0] is None
