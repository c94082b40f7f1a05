"""The mistakes learners really make, each with the message it must get.

One test per mistake; each asserts the words that carry the lesson: what happened, what was
expected, and the fix. If a message loses one of them, its test fails.
"""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import callbacks, layers
from tensorkit.saving import ModelFileError


def mlp(compile=True, **kwargs):
    model = tk.Sequential([tk.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                           layers.Dense(3, activation="softmax")])
    if compile:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", **kwargs)
    return model


X = np.random.default_rng(0).random((20, 4)).astype("float32")
Y = np.arange(20) % 3


# ---- making tensors ------------------------------------------------------------------------
def test_ragged_list():
    with pytest.raises(tk.ShapeError, match=r"(?s)ragged nested list: data\[1\] has length 2 "
                                            r"but data\[0\] has length 3.*Expected: a "
                                            r"rectangular.*Fix: pad.*pad_sequences"):
        tk.tensor([[1, 2, 3], [4, 5]])


def test_list_of_tensors_of_different_shapes():
    with pytest.raises(tk.ShapeError, match=r"(?s)tensors of different shapes: data\[1\] has "
                                            r"shape \(3,\) but data\[0\] has \(2,\).*Expected: "
                                            r"tensors of one shape.*Fix:.*tk.concatenate"):
        tk.tensor([tk.ones((2,)), tk.ones((3,))])


def test_tensor_of_a_tensor_copies_it():
    t = tk.ones((2,))
    assert tk.tensor(t).shape == (2,)


def test_tensor_with_none_values():
    with pytest.raises(tk.DTypeError, match=r"holds None, a missing value.*Fix: fill the "
                                            r"missing values"):
        tk.tensor([1.0, None])


def test_tensor_of_none():
    with pytest.raises(tk.DTypeError, match=r"from None.*Fix: check that the variable was "
                                            r"assigned"):
        tk.tensor(None)


def test_tensor_of_a_set():
    with pytest.raises(tk.DTypeError, match=r"a set is not a sequence of numbers.*Fix: "
                                            r"turn it into a list"):
        tk.tensor({1, 2})


def test_tensor_of_text():
    with pytest.raises(tk.DTypeError, match=r"numbers, not text.*Fix: turn text into numbers"):
        tk.tensor(["1", "2"])


def test_zeros_with_sizes_as_separate_arguments():
    with pytest.raises(TypeError, match=r"takes the shape as one tuple.*dtype, but got 3.*"
                                        r"Fix: tk.zeros\(\(2, 3\)\)"):
        tk.zeros(2, 3)


def test_zeros_with_a_float_size():
    with pytest.raises(ValueError, match=r"whole, non-negative sizes, but \(2.5, 3\) has "
                                         r"2.5.*Fix:.*n // 2"):
        tk.ones((2.5, 3))


# ---- indexing and mutation ---------------------------------------------------------------------
def test_float_index():
    with pytest.raises(tk.DTypeError, match=r"indices must be integers, got float 1.0; fix: "
                                            r"x\[int\(i\)\]"):
        tk.tensor([1.0, 2.0, 3.0])[1.0]


def test_float_slice():
    with pytest.raises(tk.DTypeError, match=r"indices must be integers, got float; fix: slice "
                                            r"with Python ints.*n // 2"):
        tk.tensor([1.0, 2.0, 3.0])[: 3 / 2]


def test_index_out_of_range():
    with pytest.raises(tk.ShapeError, match=r"(?s)index 3 is out of range for axis 0 of size 3"
                                            r".*Expected: an index from -3 to 2.*Fix:"):
        tk.tensor([1.0, 2.0, 3.0])[3]


def test_item_assignment():
    t = tk.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"cannot be changed in place \(x\[0\] = \.\.\.\).*"
                                        r"Fix: make a new tensor.*tk.where"):
        t[0] = 5


# ---- shapes -------------------------------------------------------------------------------------
def test_transpose_of_a_batch_before_matmul():
    x, w = tk.ones((32, 10)), tk.ones((10, 5))
    with pytest.raises(tk.ShapeError, match=r"(?s)matmul got shapes \(10, 32\), \(10, 5\): 32 "
                                            r"!= 10.*Expected.*Fix: transpose the first"):
        x.T @ w


def test_matmul_of_same_orientation_matrices():
    with pytest.raises(tk.ShapeError, match=r"(?s)matmul got shapes \(3, 1\), \(3, 1\).*"
                                            r"Expected.*Fix: transpose the second operand"):
        tk.ones((3, 1)) @ tk.ones((3, 1))


def test_matmul_of_vectors_of_different_lengths():
    with pytest.raises(tk.ShapeError, match=r"(?s)matmul got shapes \(3,\), \(4,\): 3 != 4.*"
                                            r"Expected.*Fix: the vector needs 3 elements"):
        tk.ones((3,)) @ tk.ones((4,))


def test_softmax_on_an_axis_that_does_not_exist():
    with pytest.raises(tk.ShapeError, match=r"(?s)softmax got shape \(2, 3\): axis 2 is out of "
                                            r"range.*Expected: an axis in -2..1.*Fix: count"):
        tk.softmax(tk.ones((2, 3)), axis=2)


def test_sum_on_an_axis_that_does_not_exist():
    with pytest.raises(tk.ShapeError, match=r"(?s)sum got shape \(2, 3\): axis 2 is out of "
                                            r"range.*Expected.*Fix"):
        tk.sum(tk.ones((2, 3)), axis=2)


def test_reshape_with_two_minus_ones():
    with pytest.raises(tk.ShapeError, match=r"(?s)reshape got shape \(4, 6\).*more than one "
                                            r"-1.*Expected: .*at most one -1.*Fix"):
        tk.reshape(tk.ones((4, 6)), (-1, -1))


def test_broadcast_batch_by_vector_of_batch_size():
    with pytest.raises(tk.ShapeError, match=r"(?s)add got shapes \(32, 10\), \(32,\): operands "
                                            r"could not be broadcast.*10 vs 32.*Expected.*"
                                            r"Fix:.*x\[:, None\]"):
        tk.ones((32, 10)) + tk.ones((32,))


def test_broadcast_of_unequal_vectors():
    with pytest.raises(tk.ShapeError, match=r"(?s)add got shapes \(3,\), \(4,\).*sizes 3 vs 4"
                                            r".*Expected.*Fix"):
        tk.ones((3,)) + tk.ones((4,))


# ---- dtypes and mixing -----------------------------------------------------------------------
def test_int_plus_float_gives_float32_as_keras():
    assert (tk.tensor([1, 2]) + tk.tensor([0.5, 0.5])).dtype == np.float32
    assert (tk.tensor([1, 2]) / tk.tensor([2, 2])).dtype == np.float32
    assert tk.exp(tk.tensor([1, 2])).dtype == np.float32


def test_numpy_arrays_and_python_floats_mix_with_tensors():
    out = np.ones(3) + tk.ones((3,)) + 2.0
    assert isinstance(out, tk.Tensor) and out.dtype == np.float32
    assert (np.float32(2.0) * tk.ones((3,))).op == "mul"


def test_numpy_function_on_a_tensor():
    with pytest.raises(TypeError, match=r"np.exp was given a tensorkit Tensor.*Fix: use "
                                        r"tk.exp\(x\).*np.exp\(x.numpy\(\)\)"):
        np.exp(tk.ones((3,)))


# ---- Python protocols --------------------------------------------------------------------------
def test_if_on_a_multi_element_tensor():
    with pytest.raises(ValueError, match=r"truth value of a tensor of shape \(3,\) is "
                                         r"ambiguous. Fix: use tk.all"):
        if tk.ones((3,)) > 0:
            pass


def test_len_of_a_scalar():
    with pytest.raises(TypeError, match=r"len\(\) of a scalar tensor \(shape \(\)\).*Fix: use "
                                        r"x.item\(\)"):
        len(tk.tensor(3.0))


def test_iterating_over_a_scalar():
    with pytest.raises(TypeError, match=r"cannot iterate over a scalar tensor.*Fix: use "
                                        r"x.item\(\)"):
        for _ in tk.tensor(3.0):
            pass


def test_numpy_of_a_symbolic_tensor():
    with pytest.raises(tk.SymbolicTensorError, match=r"\.numpy\(\) needs data, but this is a "
                                                     r"symbolic tensor of shape \(None, 3\).*"
                                                     r"Fix: call the same code on a real"):
        tk.Input(shape=(3,)).numpy()


# ---- autograd -----------------------------------------------------------------------------------
def test_backward_on_a_non_scalar():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(tk.GradientError, match=r"needs a scalar, but this tensor has shape "
                                               r"\(2,\). Fix: reduce it.*mean\(\)"):
        (x * 2).backward()


def test_backward_twice_adds_up_as_pytorch():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    assert x.grad.numpy().tolist() == [4.0, 8.0]
    x.zero_grad()
    assert x.grad is None


def test_requires_grad_on_an_int_tensor():
    with pytest.raises(tk.DTypeError, match=r"only floating-point tensors can require "
                                            r"gradients, but this one is int32.*Fix: make it a "
                                            r"float tensor"):
        tk.tensor([1, 2], requires_grad=True)


def test_grad_at_int_values():
    with pytest.raises(tk.DTypeError, match=r"tk.grad \(argument 0\): only floating-point.*"
                                            r"int32.*Fix"):
        tk.grad(lambda x: tk.sin(x).sum())(tk.tensor([1, 2]))


def test_backward_without_requires_grad():
    with pytest.raises(tk.GradientError, match=r"does not depend on anything with "
                                               r"requires_grad=True.*Fix: create the weights"):
        (tk.ones((2,)) * 2).sum().backward()


# ---- building models ----------------------------------------------------------------------------
def test_sequential_given_a_layer_class():
    with pytest.raises(TypeError, match=r"got the class Dense, not a layer made from it. Fix: "
                                        r"call it.*layers.Dense\(10\)"):
        tk.Sequential([layers.Dense])


def test_sequential_given_layers_without_a_list():
    with pytest.raises(TypeError, match=r"takes one list of layers, but got a single Dense.*"
                                        r"Fix: put them in square brackets"):
        tk.Sequential(layers.Dense(3), layers.Dense(2))


def test_input_shape_as_an_int_is_accepted():
    assert tk.Input(shape=784).shape == (None, 784)


def test_dense_units_as_text():
    with pytest.raises(ValueError, match=r"Dense expects units to be a positive integer. "
                                         r"Received: units='10'"):
        layers.Dense(units="10")


def test_add_after_build_rebuilds():
    model = mlp()
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)


def test_summary_before_the_input_shape_is_known():
    with pytest.raises(ValueError, match=r"does not know its input shape yet. Fix: start it "
                                         r"with tk.Input\(shape=...\)"):
        tk.Sequential([layers.Dense(3)]).summary()


def test_calling_a_sequential_on_a_list_of_lists():
    assert mlp()([[1.0, 2.0, 3.0, 4.0]]).shape == (1, 3)


def test_same_layer_in_two_models_with_other_shapes():
    dense = layers.Dense(3)
    tk.Sequential([tk.Input(shape=(4,)), dense])
    with pytest.raises(tk.ShapeError, match=r"(?s)built for inputs of shape \(None, 4\) but "
                                            r"received \(None, 5\).*Expected.*Fix"):
        tk.Sequential([tk.Input(shape=(5,)), dense])


# ---- compile ------------------------------------------------------------------------------------
def test_loss_name_typo_is_caught_at_compile():
    with pytest.raises(ValueError, match=r"loss='categorical_crossentropi', which is not a "
                                         r"known loss name. Did you mean "
                                         r"'categorical_crossentropy'\? Fix"):
        mlp(compile=False).compile(optimizer="adam", loss="categorical_crossentropi")


def test_optimizer_name_typo():
    with pytest.raises(ValueError, match=r"optimizer='adm'.*Did you mean 'adam'\? Fix: "
                                         r"optimizer='adam'"):
        mlp(compile=False).compile(optimizer="adm", loss="mse")


def test_metric_name_typo():
    with pytest.raises(ValueError, match=r"metrics='accuracyy'.*Did you mean 'accuracy'\? "
                                         r"Fix: metrics=\['accuracy'\]"):
        mlp(metrics=["accuracyy"])


def test_metrics_as_a_string_works_as_keras():
    model = mlp(metrics="accuracy")
    history = model.fit(X, Y, verbose=0)
    assert "accuracy" in history.history


def test_loss_function_with_one_argument():
    with pytest.raises(TypeError, match=r"got the function <lambda>\(y\), but Keras calls a "
                                        r"loss function as fn\(y_true, y_pred\).*Fix: def "
                                        r"my_loss\(y_true, y_pred\)"):
        mlp(compile=False).compile("adam", loss=lambda y: y)


def test_loss_function_computed_with_numpy():
    model = mlp(compile=False)
    model.compile("adam", loss=lambda t, p: np.mean((np.asarray(t) - np.asarray(p)) ** 2))
    with pytest.raises(TypeError, match=r"returned a float32, not a tensor, so no gradient "
                                        r"can flow.*Fix: compute it with tk ops"):
        model.fit(X, np.ones((20, 3)), verbose=0)


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match=r"fit needs a compiled model. Fix: call "
                                           r"model.compile"):
        mlp(compile=False).fit(X, Y, verbose=0)


# ---- fit: the data ------------------------------------------------------------------------------
def test_fit_on_sequences_of_different_lengths():
    with pytest.raises(tk.ShapeError, match=r"(?s)x is a ragged list: .*data\[1\] has length 2"
                                            r".*Expected.*Fix: pad the sequences.*"
                                            r"pad_sequences"):
        mlp().fit([[1, 2, 3, 4], [1, 2]], [0, 1], verbose=0)


def test_fit_on_a_list_of_lists_works():
    mlp().fit([[1, 2, 3, 4], [1, 2, 3, 5]], [0, 1], verbose=0)


def test_fit_with_text_labels():
    with pytest.raises(tk.DTypeError, match=r"y: tensors hold numbers.*Fix: .*numbers"):
        mlp().fit(X, np.array(["cat", "dog"] * 10), verbose=0)


def test_fit_with_nan_labels():
    model = mlp(compile=False)
    model.compile("adam", "mse")
    y = np.ones((20, 3))
    y[3, 1] = np.nan
    with pytest.raises(tk.training.NaNLossError, match=r"loss became nan.*not applied.*Fix:.*"
                                                        r"check x and y for NaN"):
        model.fit(X, y, verbose=0)


def test_fit_on_an_object_array():
    x = np.array([np.ones(4)] * 20, dtype=object)
    with pytest.raises(tk.DTypeError, match=r"x: an array of dtype=object \(shape \(20, 4\)\)"
                                            r".*Fix: convert it: x = np.asarray\(x, "
                                            r"dtype='float32'\)"):
        mlp().fit(x, Y, verbose=0)


def test_fit_with_x_none():
    with pytest.raises(ValueError, match=r"fit needs the inputs x: model.fit\(x, y\). "
                                         r"Received: x=None"):
        mlp().fit(None, Y, verbose=0)


def test_fit_with_fewer_labels_than_samples():
    with pytest.raises(ValueError, match=r"x has 20 samples but y has 10. Fix: give one label "
                                         r"per sample"):
        mlp().fit(X, Y[:10], verbose=0)


def test_one_hot_labels_with_a_sparse_loss():
    with pytest.raises(tk.ShapeError, match=r"(?s)labels \(y_true\) of shape \(20, 3\).*"
                                            r"Expected.*Fix: these labels look one-hot.*"
                                            r"categorical_crossentropy"):
        mlp().fit(X, np.eye(3)[Y], verbose=0)


def test_labels_beyond_the_number_of_classes():
    with pytest.raises(ValueError, match=r"got the label 7, but the model predicts 3 classes.*"
                                         r"Fix: give the last layer units=8"):
        mlp().fit(X, Y + 5, verbose=0)


def test_predict_on_one_sample():
    with pytest.raises(tk.ShapeError, match=r"(?s)expects input of shape \(None, 4\) but "
                                            r"received \(4,\) as x.*Expected.*Fix: the batch "
                                            r"axis is missing: pass x\[None\]"):
        mlp().predict(X[0])


def test_predict_on_one_image_without_its_channel_axis():
    model = tk.Sequential([tk.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(3)])
    with pytest.raises(tk.ShapeError, match=r"(?s)received \(28, 28\) as x.*Fix: one sample "
                                            r"without its batch and channel axes: pass "
                                            r"x\[None, \.\.\., None\]"):
        model.predict(np.ones((28, 28)))


def test_evaluate_without_labels():
    with pytest.raises(ValueError, match=r"evaluate needs labels y.*Fix: pass y, or use "
                                         r"model.predict\(x\)"):
        mlp().evaluate(X)


# ---- fit: the arguments -------------------------------------------------------------------------
def test_batch_size_larger_than_the_data_is_fine():
    history = mlp().fit(X, Y, batch_size=1000, verbose=0)
    assert len(history.history["loss"]) == 1


def test_epochs_zero_trains_nothing_as_keras():
    assert mlp().fit(X, Y, epochs=0, verbose=0).history == {}


def test_epochs_as_text():
    with pytest.raises(ValueError, match=r"epochs must be a non-negative whole number. "
                                         r"Received: epochs='10'. Fix: e.g. epochs=10"):
        mlp().fit(X, Y, epochs="10", verbose=0)


def test_validation_split_of_one():
    with pytest.raises(ValueError, match=r"validation_split must be between 0 and 1: the "
                                         r"fraction.*Received: validation_split=1.0.*Fix: e.g. "
                                         r"validation_split=0.2"):
        mlp().fit(X, Y, validation_split=1.0, verbose=0)


def test_validation_split_as_a_percentage():
    with pytest.raises(ValueError, match=r"validation_split=20 \(a percentage\? 20% is 0.2\)"):
        mlp().fit(X, Y, validation_split=20, verbose=0)


def test_validation_data_of_the_wrong_shape():
    with pytest.raises(tk.ShapeError, match=r"(?s)expects input of shape \(None, 4\) but "
                                            r"received \(5, 3\) as validation x.*Expected.*"
                                            r"Fix: give validation x the shape \(samples, 4\)"):
        mlp().fit(X, Y, validation_data=(np.ones((5, 3)), Y[:5]), verbose=0)


def test_validation_data_without_a_tuple():
    with pytest.raises(ValueError, match=r"validation_data must be a tuple \(x_val, y_val\), "
                                         r"but got a ndarray of shape \(5, 4\). Fix: "
                                         r"validation_data=\(x_val, y_val\)"):
        mlp().fit(X, Y, validation_data=np.ones((5, 4)), verbose=0)


def test_verbose_as_text():
    with pytest.raises(ValueError, match=r"verbose must be 'auto', 0.*Received: "
                                         r"verbose='yes'. Fix"):
        mlp().fit(X, Y, verbose="yes")


def test_one_callback_without_a_list_works_as_keras():
    mlp().fit(X, Y, epochs=2, verbose=0, callbacks=callbacks.EarlyStopping(monitor="loss"))


def test_callback_class_instead_of_instance():
    with pytest.raises(TypeError, match=r"callbacks got the class EarlyStopping, not a callback"
                                        r".*Fix: call it"):
        mlp().fit(X, Y, verbose=0, callbacks=[callbacks.EarlyStopping])


# ---- files --------------------------------------------------------------------------------------
def test_save_into_a_missing_folder(tmp_path):
    folder = tmp_path / "nope"
    with pytest.raises(FileNotFoundError, match=r"the folder .*nope' does not exist. Fix: "
                                                r"create it first: os.makedirs"):
        mlp().save(folder / "model.tkmodel")


def test_save_to_a_tfjs_browser_url():
    with pytest.raises(ValueError, match=r"'downloads://'.*are TF.js browser storage, not "
                                         r"files. Fix: save to a file"):
        mlp().save("downloads://my-model")


def test_load_a_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ModelFileError, match=r"is a text file, not a tensorkit model file.*"
                                             r"Fix: check the path"):
        tk.models.load_model(path)


def test_load_a_keras_h5_file(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(ModelFileError, match=r"is an HDF5 file \(Keras .h5 format\), not a "
                                             r"tensorkit model file.*Fix"):
        tk.models.load_model(path)


def test_load_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file at.*Fix: check the name"):
        tk.models.load_model(tmp_path / "missing.tkmodel")


def test_numpy_reductions_on_a_tensor_work():
    t = tk.ones((2, 3))
    assert np.sum(t).item() == 6.0 and np.mean(t, axis=0).shape == (3,)


def test_pytorch_keyword_names_for_reductions():
    with pytest.raises(TypeError, match=r"mean\(\) got keepdim=True: tensorkit, like Keras and "
                                        r"NumPy, calls it keepdims. Fix: tk.mean\(x, "
                                        r"keepdims=True\)"):
        tk.mean(tk.ones((2, 3)), axis=1, keepdim=True)


def test_names_from_other_libraries_point_to_ours():
    with pytest.raises(AttributeError, match=r"tk has no 'concat': TensorFlow, TF.js or PyTorch "
                                             r"call it that, here it is tk.concatenate"):
        _ = tk.concat
    with pytest.raises(AttributeError, match=r"here it is tk.random.normal"):
        _ = tk.randn
    with pytest.raises(AttributeError, match=r"here it is tk.layers.Dense\. Fix"):
        _ = tk.layers.Linear
    with pytest.raises(AttributeError, match=r"here it is tk.layers.Conv2D\. Fix"):
        _ = tk.layers.Conv2d


def test_every_name_from_other_libraries_points_to_one_that_exists():
    import functools
    for theirs, ours in tk._RENAMED.items():
        assert not hasattr(tk.__dict__, theirs)
        assert functools.reduce(getattr, ours.split("."), tk) is not None, (theirs, ours)
    with pytest.raises(AttributeError, match=r"tk has no 'asin'.*here it is tk.arcsin"):
        _ = tk.asin
    with pytest.raises(AttributeError, match=r"tk has no 'reverse'.*here it is tk.flip"):
        _ = tk.reverse


def test_numpy_functions_on_tensors_name_our_op():
    with pytest.raises(TypeError, match=r"np.remainder was given a tensorkit Tensor.*tk.mod"):
        np.remainder(tk.tensor([1.0, 2.0]), 2.0)


def test_misspelt_names_get_the_nearest_one():
    with pytest.raises(AttributeError, match=r"tk.layers has no 'Dens'. Did you mean "
                                             r"tk.layers.Dense\?"):
        _ = tk.layers.Dens
    with pytest.raises(AttributeError, match=r"Did you mean tk.transpose\?"):
        _ = tk.transpos
    with pytest.raises(ValueError, match=r"Unknown activation 'relo'. Did you mean 'relu'\? "
                                         r"Fix: activation='relu'"):
        tk.layers.Dense(3, activation="relo")
    assert getattr(tk.layers, "NoSuchLayerAtAll", None) is None     # still an AttributeError


def test_input_shape_as_a_bare_int():
    model = tk.Sequential([tk.layers.Dense(3, input_shape=784)])     # as Input(shape=784)
    assert model.output_shape == (None, 3)


def test_optimizer_learning_rate_mistakes():
    with pytest.raises(TypeError, match=r"learning_rate must be a number, e.g. 0.001.*"
                                        r"Received: learning_rate='0.01'"):
        tk.optimizers.Adam(learning_rate="0.01")
    with pytest.raises(TypeError, match=r"Keras 3 renamed lr to learning_rate. Fix: "
                                        r"Adam\(learning_rate=0.01\)"):
        tk.optimizers.Adam(lr=0.01)
