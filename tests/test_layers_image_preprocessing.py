"""The image preprocessing layers' behaviour beyond the recorded Keras cases
(test_reference_keras_image_preprocessing.py): augmentation only while training, seeds,
exact geometry (flips, 90-degree turns, fill modes at the borders), the ops' gradients,
configs, saving, summaries and errors."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.errors import ShapeError
from tensorkit.ops.image import resize_weights
from tensorkit.saving import load_model
from tensorkit.testing import gradcheck

RANDOM = [layers.RandomFlip(), layers.RandomRotation(0.2), layers.RandomZoom(0.3),
          layers.RandomTranslation(0.2, 0.2), layers.RandomContrast(0.5),
          layers.RandomBrightness(0.3)]


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()
    tk.random.seed(0)


def _images(*shape, seed=0):
    return (np.random.default_rng(seed).random(shape) * 255).astype(np.float32)


# ---- training only ------------------------------------------------------------------------

@pytest.mark.parametrize("layer", RANDOM, ids=lambda l: type(l).__name__)
def test_random_layers_pass_images_through_unless_training(layer):
    x = _images(16, 6, 7, 3)
    y = layer(x, training=False)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), x)
    trained = layer(x, training=True).numpy()
    assert trained.shape == x.shape and not np.allclose(trained, x)
    assert not np.allclose(layer(x).numpy(), x)        # called directly: training, as Keras


def test_fit_augments_and_predict_does_not():
    x, y = _images(8, 6, 6, 1), np.arange(8) % 2
    seen = []

    class Probe(layers.Layer):
        def call(self, inputs, training=False):
            if inputs.data is not None:
                seen.append((training, inputs.numpy().copy()))
            return inputs

    model = tk.Sequential([tk.Input((6, 6, 1)), layers.RandomFlip("horizontal", seed=1),
                           layers.RandomRotation(0.1, seed=2), Probe(), layers.Flatten(),
                           layers.Dense(2)])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    assert seen[-1][0] is True and not np.allclose(seen[-1][1], x)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert seen[-1][0] is False
    np.testing.assert_allclose(seen[-1][1], x)


def test_seeds_repeat_runs():
    x = _images(6, 5, 5, 2)
    a, b = layers.RandomRotation(0.3, seed=7), layers.RandomRotation(0.3, seed=7)
    first, second = a(x).numpy(), a(x).numpy()
    assert not np.allclose(first, second)              # a new draw each call
    np.testing.assert_array_equal(b(x).numpy(), first)
    np.testing.assert_array_equal(b(x).numpy(), second)
    tk.random.seed(3)
    c = layers.RandomZoom(0.4)(x).numpy()
    tk.random.seed(3)
    np.testing.assert_array_equal(layers.RandomZoom(0.4)(x).numpy(), c)


# ---- geometry -----------------------------------------------------------------------------

@pytest.mark.parametrize("mode,flip", [("horizontal", lambda x: x[:, ::-1]),
                                       ("vertical", lambda x: x[::-1]),
                                       ("horizontal_and_vertical", lambda x: x[::-1, ::-1])])
def test_flip_gives_each_image_or_its_mirror(mode, flip):
    x = _images(32, 4, 5, 3)
    y = layers.RandomFlip(mode, seed=0)(x, training=True).numpy()
    flipped = [not np.array_equal(yi, xi) for xi, yi in zip(x, y)]
    for xi, yi, f in zip(x, y, flipped):
        np.testing.assert_array_equal(yi, flip(xi) if f else xi)
    assert 4 < sum(flipped) < 28


def test_zero_factors_are_the_identity():
    x = _images(3, 5, 6, 2)
    for layer in [layers.RandomRotation(0.0), layers.RandomZoom(0.0),
                  layers.RandomTranslation(0.0, 0.0), layers.RandomBrightness(0.0),
                  layers.RandomContrast(0.0)]:
        np.testing.assert_allclose(layer(x, training=True).numpy(), x, atol=1e-4)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_quarter_turns_are_rot90(interpolation):
    x = _images(2, 5, 5, 3)
    layer = layers.RandomRotation(0.5, interpolation=interpolation)
    for k, angle in [(1, 90.0), (2, 180.0), (-1, -90.0)]:
        t = layer.get_random_transformation(tk.tensor(x))
        t["rotation_matrix"] = tk.layers.image_preprocessing.affine_matrix([angle] * 2, 5, 5)
        y = layer.transform_images(x, t).numpy()
        np.testing.assert_allclose(y, np.rot90(x, k=k, axes=(1, 2)), atol=1e-3)


@pytest.mark.parametrize("fill_mode,expected", [
    ("constant", lambda row: [9, 9, 0, 1, 2, 3]),
    ("nearest", lambda row: [0, 0, 0, 1, 2, 3]),
    ("wrap", lambda row: [4, 5, 0, 1, 2, 3]),
    ("reflect", lambda row: [1, 0, 0, 1, 2, 3]),
])
def test_fill_modes_at_the_border(fill_mode, expected):
    x = np.tile(np.arange(6, dtype=np.float32), (1, 3, 1))[..., None]      # (1, 3, 6, 1)
    layer = layers.RandomTranslation(0.0, 0.5, fill_mode=fill_mode, fill_value=9.0)
    y = layer.transform_images(x, {"translations": np.array([[2.0, 0.0]])}).numpy()
    np.testing.assert_allclose(y[0, :, :, 0], np.tile(expected(None), (3, 1)), atol=1e-5)


def test_center_crop_and_random_crop_windows():
    x = _images(2, 7, 8, 3)
    np.testing.assert_array_equal(layers.CenterCrop(3, 4)(x).numpy(), x[:, 2:5, 2:6])
    crop = layers.RandomCrop(3, 4, seed=0)
    y = crop(x, training=True).numpy()
    assert y.shape == (2, 3, 4, 3)
    assert any(np.array_equal(y, x[:, i:i + 3, j:j + 4]) for i in range(5) for j in range(5))
    # not training: the largest centred window of the target's shape, resized (Keras's docs)
    inferred = crop(x, training=False)
    assert inferred.shape == (2, 3, 4, 3)
    np.testing.assert_allclose(inferred.numpy(), tk.resize(x[:, :6], (3, 4)).numpy(), atol=1e-4)
    model = tk.Sequential([tk.Input((7, 8, 3)), crop])
    assert model.output_shape == (None, 3, 4, 3)
    assert model.predict(x, verbose=0).shape == (2, 3, 4, 3)


def test_one_image_without_batch_axis_as_keras():
    img = _images(6, 7, 3)
    assert layers.Resizing(3, 4)(img).shape == (3, 4, 3)
    assert layers.RandomFlip()(img).shape == (6, 7, 3)
    assert layers.RandomRotation(0.2)(img).shape == (6, 7, 3)
    assert layers.RandomCrop(2, 3)(img).shape == (2, 3, 3)
    assert layers.RandomContrast(0.3)(img).shape == (6, 7, 3)


# ---- the ops ------------------------------------------------------------------------------

def test_resize_weights_rows_sum_to_one():
    for method in ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"]:
        for n_in, n_out in [(5, 9), (9, 4), (7, 7), (3, 1)]:
            np.testing.assert_allclose(resize_weights(n_in, n_out, method).sum(axis=1), 1,
                                       atol=1e-5)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic", "lanczos3"])
@pytest.mark.parametrize("shape,size", [((2, 3, 4, 2), (5, 3)), ((4, 5, 1), (2, 7))])
def test_resize_gradient(method, shape, size):
    x = np.random.default_rng(1).normal(size=shape)
    gradcheck(lambda t: tk.resize(t, size, interpolation=method), x)


@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "reflect", "mirror"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_affine_transform_gradient(fill_mode, interpolation):
    x = np.random.default_rng(2).normal(size=(2, 4, 5, 2))
    t = np.array([[0.9, -0.3, 0.7, 0.35, 1.1, -0.6, 0, 0], [1.2, 0.1, -1.3, 0, 0.8, 1.7, 0, 0]])
    gradcheck(lambda v: tk.affine_transform(v, t, interpolation, fill_mode, 2.0), x)


def test_symbolic_shapes_and_summary(capsys):
    model = tk.Sequential([tk.Input((32, 40, 3)), layers.Resizing(16, 20),
                           layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                           layers.RandomZoom(0.2), layers.RandomTranslation(0.1, 0.1),
                           layers.RandomContrast(0.2), layers.RandomBrightness(0.2),
                           layers.RandomCrop(12, 12), layers.CenterCrop(8, 10)])
    assert [l.output_shape for l in model.layers][-2:] == [(None, 12, 12, 3), (None, 8, 10, 3)]
    model.summary()
    out = capsys.readouterr().out
    assert "RandomRotation" in out and "(None, 8, 10, 3)" in out


# ---- config, saving -------------------------------------------------------------------------

ALL = [layers.Resizing(5, 6, interpolation="nearest", crop_to_aspect_ratio=True),
       layers.CenterCrop(4, 4), layers.RandomFlip("vertical", seed=3),
       layers.RandomRotation((-0.1, 0.2), fill_mode="constant", fill_value=1.0),
       layers.RandomZoom(0.2, (-0.1, 0.3), interpolation="nearest"),
       layers.RandomTranslation(0.1, (0.0, 0.2), fill_mode="wrap"),
       layers.RandomContrast(0.4, value_range=(0, 1)),
       layers.RandomBrightness((-0.2, 0.1), value_range=(1, 0)), layers.RandomCrop(3, 3)]


@pytest.mark.parametrize("layer", ALL, ids=lambda l: type(l).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_config() == config
    assert config["data_format"] == "channels_last"


def test_model_saves_and_loads(tmp_path):
    model = tk.Sequential([tk.Input((8, 9, 3))] + [type(l).from_config(
        {**l.get_config(), "name": None}) for l in ALL] + [layers.Flatten(), layers.Dense(2)])
    x = _images(2, 8, 9, 3) / 255
    path = tmp_path / "aug.tkmodel"
    model.save(path)
    again = load_model(path)
    assert [type(l).__name__ for l in again.layers] == [type(l).__name__ for l in model.layers]
    assert again.layers[3].get_config() == model.layers[3].get_config()
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


# ---- errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("make,match", [
    (lambda: layers.RandomRotation(1.5), r"factor.*\[-1, 1\].*factor=1.5"),
    (lambda: layers.RandomRotation((0.1, 0.2, 0.3)), r"pair"),
    (lambda: layers.RandomZoom(-1.0), r"height_factor.*\(-1, 1\]"),
    (lambda: layers.RandomTranslation(0.1, 2), r"width_factor"),
    (lambda: layers.RandomContrast(-0.2), r"factor.*\[0, 1\]"),
    (lambda: layers.RandomBrightness(0.2, value_range=255), r"value_range"),
    (lambda: layers.RandomFlip("diagonal"), r"mode.*'horizontal'"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), r"fill_mode"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), r"interpolation"),
    (lambda: layers.Resizing(0, 4), r"height.*positive"),
    (lambda: layers.Resizing(4, 4, interpolation="area"), r"interpolation"),
    (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     r"not both"),
    (lambda: layers.CenterCrop(3, 2.5), r"width"),
    (lambda: layers.RandomFlip(data_format="channels_first"), r"channels_last"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_input_ranks_say_which_axis_is_missing():
    with pytest.raises(ShapeError, match=r"rank 2.*\n.*\nFix: .*x\[\.\.\., None\]"):
        layers.RandomFlip()(np.zeros((6, 7), np.float32))
    with pytest.raises(ShapeError, match=r"batch without a channel axis"):
        tk.Sequential([tk.Input((28, 28)), layers.RandomRotation(0.1)])
    with pytest.raises(ShapeError, match=r"fold the extra leading axes"):
        layers.Resizing(3, 3)(np.zeros((2, 2, 6, 7, 3), np.float32))
