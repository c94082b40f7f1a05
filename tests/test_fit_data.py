"""fit / evaluate / predict on generators and tk.data.PyDataset: behaviour and errors.

Keras parity (History, weights, which batches each epoch sees) is checked against
recorded cases in test_reference_keras_fit_data.py; here: what a learner runs into.
"""

import warnings

import numpy as np
import pytest

import tensorkit as tk

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 4)).astype("float32")
Y = rng.integers(0, 3, 20)


def mlp():
    tk.random.seed(0)
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(5, activation="relu"),
                           tk.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def batches(bs=6, n_batches=None, x=X, y=Y):
    count = -(-len(x) // bs)
    for j in range(count if n_batches is None else n_batches):
        j %= count
        yield x[j * bs:(j + 1) * bs], y[j * bs:(j + 1) * bs]


class Batches(tk.data.PyDataset):
    def __init__(self, bs=6, **kwargs):
        super().__init__(**kwargs)
        self.bs = bs

    def __len__(self):
        return -(-len(X) // self.bs)

    def __getitem__(self, idx):
        return X[idx * self.bs:(idx + 1) * self.bs], Y[idx * self.bs:(idx + 1) * self.bs]


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def test_a_generator_trains_as_the_same_arrays_do():
    a, b = mlp(), mlp()
    h1 = quietly(a.fit, batches(), verbose=0)
    h2 = b.fit(X, Y, batch_size=6, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-6)
    for w1, w2 in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(w1, w2, rtol=1e-6)


def test_a_pydataset_with_a_partial_batch_trains_as_the_arrays_do():
    a, b = mlp(), mlp()
    h1 = a.fit(Batches(bs=8), epochs=2, shuffle=False, verbose=0)       # 8, 8, 4
    h2 = b.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(a.evaluate(Batches(5), verbose=0),
                               b.evaluate(X, Y, batch_size=5, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(a.predict(Batches(7), verbose=0), b.predict(X, verbose=0),
                               rtol=1e-6)


def test_pydataset_keeps_keras_interface():
    ds = Batches(workers=4, use_multiprocessing=True, max_queue_size=2)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (4, True, 2)
    assert ds.num_batches == 4 and len(list(ds)) == 4
    h = mlp().fit(ds, epochs=2, verbose=0)                 # run in-process, same results
    assert len(h.history["loss"]) == 2
    assert tk.data.PyDataset.__name__ == "PyDataset"


def test_pydataset_without_super_init_warns():
    class Bare(tk.data.PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, idx):
            return X[:4], Y[:4]

    with pytest.warns(UserWarning, match=r"Bare should call super\(\).__init__\(\*\*kwargs\)"):
        mlp().fit(Bare(), verbose=0)


def test_steps_per_epoch_continues_the_generator_across_epochs():
    seen = []

    def counting():
        i = 0
        while True:
            seen.append(i)
            yield X[:4], Y[:4]
            i += 1

    h = mlp().fit(counting(), epochs=3, steps_per_epoch=2, verbose=0)
    assert len(h.history["loss"]) == 3
    assert seen == list(range(6))        # 2 peeked first, then one pass: no batch made twice


def test_a_used_up_generator_warns_when_epochs_follow():
    with pytest.warns(UserWarning, match="ran out of data"):
        mlp().fit(batches(), epochs=2, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # one pass: its end is no news
        mlp().fit(batches(), epochs=1, verbose=0)
        mlp().evaluate(batches(), verbose=0)


def test_batch_size_with_a_generator_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match=r"batch_size=16 is ignored: a generator makes its "
                                         r"own batches"):
        mlp().fit(batches(), batch_size=16, verbose=0)


def test_steps_per_epoch_with_arrays_sizes_the_batches():
    calls = []
    cb = tk.callbacks.LambdaCallback(on_batch_end=lambda b, logs: calls.append(b))
    model = mlp()
    model.fit(X, Y, steps_per_epoch=3, epochs=1, callbacks=[cb], verbose=0)   # 7, 7, 6
    assert calls == [0, 1, 2]
    with pytest.raises(ValueError, match=r"steps_per_epoch must be a positive whole number"):
        model.fit(X, Y, steps_per_epoch=0)


def test_validation_from_a_pydataset_and_a_generator_with_steps():
    model = mlp()
    h = model.fit(X, Y, epochs=2, validation_data=Batches(5), verbose=0)
    assert sorted(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    np.testing.assert_allclose(h.history["val_loss"][-1],
                               model.evaluate(X, Y, verbose=0)[0], rtol=1e-6)
    h = model.fit(Batches(), epochs=3, verbose=0, validation_freq=[1, 3],
                  validation_data=batches(n_batches=100), validation_steps=2)
    assert len(h.history["val_loss"]) == 2


def test_evaluate_and_predict_take_steps():
    model = mlp()
    assert model.predict(((X[:3],) for _ in range(10)), steps=4, verbose=0).shape == (12, 3)
    full = model.evaluate(X[:12], Y[:12], verbose=0, return_dict=True)
    part = model.evaluate(batches(n_batches=50), steps=2, verbose=0, return_dict=True)
    assert part == pytest.approx(full)


def test_class_weight_with_a_pydataset():
    a, b = mlp(), mlp()
    h1 = a.fit(Batches(), class_weight={0: 3.0}, shuffle=False, verbose=0)
    h2 = b.fit(X, Y, batch_size=6, class_weight={0: 3.0}, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-6)


def test_sample_weight_from_the_generator():
    w = np.linspace(0, 1, 20).astype("float32")
    a, b = mlp(), mlp()
    h1 = a.fit(((X[i:i + 5], Y[i:i + 5], w[i:i + 5]) for i in range(0, 20, 5)), verbose=0)
    h2 = b.fit(X, Y, batch_size=5, sample_weight=w, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-6)


def test_a_two_input_model_from_a_generator():
    a, b = tk.Input((4,)), tk.Input((2,))
    out = tk.layers.Dense(1)(tk.layers.Concatenate()([a, b]))
    model = tk.Model([a, b], out)
    model.compile("sgd", "mse")
    h = model.fit((([X[:5], X[:5, :2]], Y[:5, None] * 1.0) for _ in range(3)), verbose=0)
    assert len(h.history["loss"]) == 1


# ---- errors that say what was yielded and how to fix it -------------------------------------
@pytest.mark.parametrize("kw, match", [
    ({"y": Y}, r"When x is a generator, y must not be passed: the targets come from the "
               r"generator itself"),
    ({"sample_weight": Y}, r"sample_weight must not be passed"),
    ({"class_weight": {0: 2.0}}, r"class_weight is not supported for Python generator "
                                 r"inputs.*Fix: yield \(x, y, sample_weight\)"),
    ({"validation_split": 0.2}, r"validation_split is only supported for arrays.*Fix: pass "
                                r"validation_data="),
])
def test_arguments_a_generator_cannot_take(kw, match):
    with pytest.raises(ValueError, match=match):
        mlp().fit(batches(), verbose=0, **kw)


def test_a_generator_yielding_a_list_names_it():
    with pytest.raises(ValueError, match=r"must yield tuples \(x,\), \(x, y\) or \(x, y, "
                                         r"sample_weight\), but it yielded a list of 2: "
                                         r"\(ndarray \(20, 4\) float32, ndarray \(20,\) "
                                         r"int64\)\. Fix: `yield x_batch, y_batch` \(a tuple"):
        mlp().fit(([X, Y] for _ in range(2)), verbose=0)


def test_an_empty_generator():
    with pytest.raises(ValueError, match=r"yielded no batches at all.*Fix: make a fresh one"):
        mlp().fit((b for b in []), verbose=0)
    used = batches()
    quietly(mlp().fit, used, verbose=0)
    with pytest.raises(ValueError, match=r"yielded no batches at all \(it is empty, or was "
                                         r"already used up"):
        mlp().fit(used, verbose=0)


def test_a_batch_without_labels_or_with_too_much():
    with pytest.raises(ValueError, match=r"gave a tuple of 1: \(ndarray \(20, 4\) float32\) "
                                         r"as batch 0: inputs alone, with no labels y"):
        mlp().fit(((X,) for _ in range(2)), verbose=0)
    with pytest.raises(ValueError, match=r"gave a tuple of 4: .* as batch 0; a batch is x, "
                                         r"\(x,\), \(x, y\) or \(x, y, sample_weight\)"):
        mlp().fit(((X, Y, Y, Y) for _ in range(2)), verbose=0)


def test_a_batch_whose_shape_the_model_cannot_take_names_the_batch():
    def changing():
        yield X[:5], Y[:5]
        yield X[:5, :3], Y[:5]
    with pytest.raises(ValueError, match=r"x of batch 1 from the generator"):
        quietly(mlp().fit, changing(), verbose=0)


def test_labels_and_inputs_of_different_lengths_in_a_batch():
    with pytest.raises(ValueError, match=r"x of batch 0 from the PyDataset has 6 samples but "
                                         r"y of batch 0 from the PyDataset has 5"):
        class Off(Batches):
            def __getitem__(self, idx):
                return X[:6], Y[:5]
        mlp().fit(Off(), verbose=0)


def test_predict_on_a_generator_of_bare_arrays_says_to_yield_a_tuple():
    with pytest.raises(ValueError, match=r"yielded ndarray \(5, 4\) float32\. Fix: .*for "
                                         r"predict, `yield \(x_batch,\)`"):
        mlp().predict((X[i:i + 5] for i in range(0, 20, 5)), verbose=0)


def test_an_empty_pydataset():
    class Empty(Batches):
        def __len__(self):
            return 0
    with pytest.raises(ValueError, match=r"The PyDataset Empty has length 0.*Fix: make "
                                         r"__len__ return the number of batches"):
        mlp().fit(Empty(), verbose=0)


def test_validation_freq_is_checked():
    with pytest.raises(ValueError, match=r"validation_freq must be a positive int.*Received: "
                                         r"validation_freq=0"):
        mlp().fit(X, Y, validation_freq=0, verbose=0)


# ---- progress of a generator of unknown length --------------------------------------------
def test_progress_lines_for_a_generator_of_unknown_length(capsys, monkeypatch):
    monkeypatch.setenv("TENSORKIT_PROGRESS", "text")
    quietly(mlp().fit, batches(n_batches=4), epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/1 - 4/4 - loss: ")


def test_progress_bar_for_a_generator_of_unknown_length(capsys, monkeypatch):
    monkeypatch.setenv("TENSORKIT_PROGRESS", "bar")
    quietly(mlp().fit, batches(n_batches=3), epochs=1, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 1/1" in err and "3batch" in err.replace(" ", "")


@pytest.mark.parametrize("data", [tk.data.batches(X, Y, 5), iter([(X, Y)])],
                         ids=["tk.data.batches", "iterator"])
def test_other_iterables_of_batches_are_refused_with_the_fix(data):
    with pytest.raises(ValueError, match=r"fit takes arrays, a Python generator or a "
                                         r"tk.data.PyDataset, but x is a .*Fix: wrap it in a "
                                         r"generator, model.fit\(\(batch for batch in data\)\)"):
        mlp().fit(data, verbose=0)
    h = quietly(mlp().fit, (batch for batch in tk.data.batches(X, Y, 5)), verbose=0)
    assert len(h.history["loss"]) == 1


def test_later_batches_of_any_structure_are_unpacked_as_keras_does():
    def mixed():
        yield X[:5], Y[:5]
        yield [X[5:10], Y[5:10]]                    # a list later on: taken as (x, y)
        yield X[10:15]                              # x alone: no labels
    with pytest.raises(ValueError, match=r"as batch 2: inputs alone, with no labels y"):
        quietly(mlp().fit, mixed(), verbose=0)
