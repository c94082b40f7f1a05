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


# ---- Keras 3.15's newer augmentations -------------------------------------------------------
# (their outputs for Keras's own draws: test_reference_keras_image_augment.py)

def _new():
    """One of each, with factors that change every image while training."""
    return [layers.RandomGrayscale(1.0), layers.RandomHue((0.3, 0.6)),
            layers.RandomSaturation((0.2, 0.3)), layers.RandomColorDegeneration((0.5, 1.0)),
            layers.RandomColorJitter(brightness_factor=(0.1, 0.2), hue_factor=(0.2, 0.4)),
            layers.RandomSharpness((0.8, 1.0)), layers.RandomInvert((1.0, 1.0)),
            layers.RandomPosterization((2, 2)),
            layers.Solarization((0.1, 0.3), (0.5, 0.6)),
            layers.RandomErasing((1.0, 1.0), scale=(0.3, 0.5)),
            layers.RandomGaussianBlur((1.0, 1.0), sigma=(0.8, 1.0)),
            layers.MixUp(), layers.CutMix((0.8, 1.0))]


NEW = _new()


@pytest.mark.parametrize("layer", NEW, ids=lambda l: type(l).__name__)
def test_new_augmentations_pass_images_through_unless_training(layer):
    x = _images(8, 6, 7, 3)
    y = layer(x, training=False)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), x)
    trained = layer(x, training=True)
    assert trained.dtype == np.float32 and trained.shape == x.shape
    assert not np.allclose(trained.numpy(), x)
    assert not np.allclose(layer(x).numpy(), x)          # called directly: training
    assert layer(x[0]).shape == x.shape[1:]                # one image, as Keras
    assert layer(x[0].astype(np.uint8), training=False).dtype == np.float32


@pytest.mark.parametrize("make", [lambda l=l: type(l).from_config(
    {**l.get_config(), "name": None, "seed": 5}) for l in NEW],
    ids=[type(l).__name__ for l in NEW])
def test_new_augmentations_repeat_with_a_seed(make):
    x = _images(4, 5, 6, 3)
    a, b = make(), make()
    first = a(x).numpy()
    np.testing.assert_array_equal(b(x).numpy(), first)
    tk.random.seed(4)
    unseeded = type(a).from_config({**a.get_config(), "name": None, "seed": None})
    c = unseeded(x).numpy()
    tk.random.seed(4)
    np.testing.assert_array_equal(type(a).from_config(unseeded.get_config() | {"name": None})(
        x).numpy(), c)


def test_new_augmentations_in_a_model_keep_symbolic_shapes(capsys):
    model = tk.Sequential([tk.Input((12, 10, 3))] + _new() + [
        layers.AutoContrast(), layers.Flatten(), layers.Dense(2)])
    assert all(l.output_shape == (None, 12, 10, 3) for l in model.layers[:-2])
    model.summary()
    out = capsys.readouterr().out
    assert "RandomGaussianBlur" in out and "(None, 12, 10, 3)" in out
    x, y = _images(4, 12, 10, 3) / 255, np.array([0, 1, 0, 1])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert model.predict(x, verbose=0).shape == (4, 2)


def _rgb(*pixels):
    return np.array(pixels, np.float32).reshape(1, 1, len(pixels), 3)


def test_grayscale_gives_the_luma_in_every_channel():
    x = _images(3, 4, 5, 3)
    y = layers.RandomGrayscale(1.0)(x).numpy()
    luma = x @ np.array([0.2989, 0.5870, 0.1140], np.float32)
    np.testing.assert_allclose(y, np.repeat(luma[..., None], 3, -1), rtol=1e-6)
    np.testing.assert_array_equal(layers.RandomGrayscale(0.0)(x).numpy(), x)
    grey = _images(2, 4, 5, 1)
    np.testing.assert_array_equal(layers.RandomGrayscale(1.0)(grey).numpy(), grey)
    some = layers.RandomGrayscale(0.5, seed=1)(_images(64, 2, 2, 3)).numpy()
    turned = np.ptp(some, axis=-1).max(axis=(1, 2)) < 1e-3
    assert 16 < turned.sum() < 48


def test_hue_turns_the_colour_wheel():
    red, green, blue = [255.0, 0, 0], [0, 255.0, 0], [0, 0, 255.0]
    hue = layers.RandomHue(1.0)
    y = hue.transform_images(_rgb(red, green, blue), {"factor": np.array([1 / 3], np.float32)})
    np.testing.assert_allclose(y.numpy(), _rgb(green, blue, red), atol=1e-3)
    y = hue.transform_images(_rgb(red, green), {"factor": np.array([-1 / 3], np.float32)})
    np.testing.assert_allclose(y.numpy(), _rgb(blue, red), atol=1e-3)
    x = _images(2, 3, 4, 3)
    np.testing.assert_allclose(layers.RandomHue(0.0)(x).numpy(), x, atol=1e-3)
    draws = hue.get_random_transformation(x)["factor"]
    assert draws.shape == (2,) and np.abs(draws).max() <= 0.5


def test_saturation_half_keeps_zero_greys_and_value_range_01_saturates():
    x = _images(2, 3, 4, 3)
    sat = layers.RandomSaturation(0.5)
    keep = {"factor": np.array([0.5, 0.5], np.float32) / np.float32(0.5 + 1e-7)}
    np.testing.assert_allclose(sat.transform_images(x, keep).numpy(), x, rtol=1e-5, atol=1e-3)
    grey = sat.transform_images(x, {"factor": np.zeros(2, np.float32)}).numpy()
    np.testing.assert_allclose(np.ptp(grey, axis=-1), 0, atol=1e-4)
    np.testing.assert_allclose(grey[..., 0], x.max(-1), rtol=1e-6)     # HSV keeps the value
    full = layers.RandomSaturation(1.0, value_range=(0, 1)).transform_images(
        x / 255, {"factor": np.full(2, 1e6, np.float32)}).numpy()
    np.testing.assert_allclose(full.min(-1), 0, atol=1e-6)            # fully saturated
    assert sat.factor == (-0.5, 0.5)                                  # as Keras 3.15


def test_color_degeneration_blends_towards_grey():
    x = _images(2, 3, 4, 3)
    layer = layers.RandomColorDegeneration(1.0)
    t = {"factor": np.array([0.0, 1.0], np.float32).reshape(2, 1, 1, 1)}
    y = layer.transform_images(x, t).numpy()
    np.testing.assert_allclose(y[0], x[0], rtol=1e-6)
    np.testing.assert_allclose(y[1], layers.RandomGrayscale(1.0)(x[1:]).numpy()[0], rtol=1e-5)


def test_color_jitter_is_its_layers_in_keras_order():
    x = _images(3, 4, 5, 3)
    jitter = layers.RandomColorJitter(value_range=(0, 255), brightness_factor=0.2,
                                      contrast_factor=0.3, hue_factor=0.1, seed=3)
    t = jitter.get_random_transformation(x)
    assert sorted(t) == ["brightness", "contrast", "hue"]
    y = x
    for layer, key in [(layers.RandomBrightness(0.2), "brightness"),
                       (layers.RandomContrast(0.3), "contrast"), (layers.RandomHue(0.1), "hue")]:
        y = layer.transform_images(y, t[key])
    np.testing.assert_allclose(jitter.transform_images(x, t).numpy(), y.numpy(), rtol=1e-6)
    assert layers.RandomColorJitter()(x).shape == x.shape          # no factors: no change
    np.testing.assert_array_equal(layers.RandomColorJitter()(x).numpy(), x)
    grey = _images(2, 4, 5, 1)
    assert layers.RandomColorJitter(brightness_factor=0.2)(grey).shape == grey.shape


def test_sharpness_half_keeps_the_image_and_zero_smooths_it():
    x = _images(2, 5, 6, 3)
    layer = layers.RandomSharpness(1.0)
    keep = layer.transform_images(x, {"factor": np.full(2, 0.5, np.float32)}).numpy()
    np.testing.assert_allclose(keep, x, rtol=1e-6)
    smooth = layer.transform_images(x, {"factor": np.zeros(2, np.float32)}).numpy()
    window = x[:, 1:4, 1:4, :]                                     # the pixel at (2, 2)
    expected = (window.sum(axis=(1, 2)) + 4 * x[:, 2, 2, :]) / 13
    np.testing.assert_allclose(smooth[:, 2, 2, :], expected, rtol=1e-5)


def test_invert_and_solarization_defaults_invert():
    x = _images(4, 3, 4, 3)
    np.testing.assert_allclose(layers.Solarization()(x).numpy(), 255 - x, rtol=1e-6)
    layer = layers.RandomInvert(value_range=(0, 1))
    t = {"apply_inversion": np.array([True, False, True, False])}
    y = layer.transform_images(x / 255, t).numpy()
    np.testing.assert_allclose(y[::2], 1 - x[::2] / 255, rtol=1e-6)
    np.testing.assert_array_equal(y[1::2], (x / 255)[1::2])
    solar = layers.Solarization(value_range=(0, 1)).transform_images(
        x / 255, {"additions": np.zeros((4, 1, 1, 1), np.float32),
                  "thresholds": np.full((4, 1, 1, 1), 128, np.float32)}).numpy()
    high = x >= 128
    np.testing.assert_allclose(solar[high], 1 - x[high] / 255, atol=1e-6)
    np.testing.assert_allclose(solar[~high], x[~high] / 255, atol=1e-6)


def test_posterization_keeps_the_top_bits():
    x = np.arange(256, dtype=np.float32).reshape(1, 16, 16, 1)
    layer = layers.RandomPosterization((1, 1))
    y = layer(x).numpy()                                            # one bit: 0 or 128
    np.testing.assert_array_equal(y, np.where(x >= 128, 128, 0))
    t = {"shift_factor": np.array([3], np.uint8)}
    np.testing.assert_array_equal(layer.transform_images(x + 0.7, t).numpy(),
                                  (x.astype(np.uint8) >> 3) << 3)
    assert set(layer.get_random_transformation(x)) == {"shift_factor"}
    bits = 8 - np.array([layers.RandomPosterization(4).get_random_transformation(
        _images(64, 2, 2, 1))["shift_factor"]])
    assert set(np.unique(bits)) == {1, 2, 3}              # randint leaves 4 out, as Keras


def test_auto_contrast_stretches_each_channel_also_when_predicting():
    x = _images(2, 4, 5, 3) * 0.5 + 40
    x[1, ..., 1] = 9.0                                              # flat: kept as it is
    layer = layers.AutoContrast()
    y = layer(x, training=False).numpy()
    np.testing.assert_allclose(y[0].min(axis=(0, 1)), 0, atol=1e-4)
    np.testing.assert_allclose(y[0].max(axis=(0, 1)), 255, rtol=1e-6)
    np.testing.assert_array_equal(y[1, ..., 1], 9.0)
    model = tk.Sequential([tk.Input((4, 5, 3)), layer])
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-6)


def test_erasing_fills_its_box_only():
    x = _images(16, 8, 9, 3)
    layer = layers.RandomErasing(fill_value=7, seed=2)
    t = layer.get_random_transformation(x)
    y = layer.transform_images(x, t).numpy()
    erased = t["batch_masks"] & t["apply_erasing"][:, None, None, None]
    np.testing.assert_array_equal(y[erased], 7.0)
    np.testing.assert_array_equal(y[~erased], x[~erased])
    assert 0 < t["apply_erasing"].sum() < 16                        # factor=1.0: a chance of 0-1
    box = t["batch_masks"][..., 0]
    rows, cols = box.any(axis=2), box.any(axis=1)                   # a rectangle
    assert all((b == np.outer(r, c)).all() for b, r, c in zip(box, rows, cols))
    noise = layers.RandomErasing((1.0, 1.0), value_range=(0, 1))
    np.testing.assert_array_less(-1e-9, noise(x / 255).numpy())
    assert layers.RandomErasing((0.0, 0.0))(x).numpy().tolist() == x.tolist()


def test_gaussian_blur_keeps_flat_insides_and_darkens_borders():
    x = np.full((1, 6, 7, 2), 100.0, np.float32)
    layer = layers.RandomGaussianBlur((1.0, 1.0), kernel_size=(3, 5))
    t = {"should_apply_blur": np.array([True]), "blur_factor": np.array([1.0, 1.0], np.float32)}
    y = layer.transform_images(x, t).numpy()
    np.testing.assert_allclose(y[0, 2:4, 1:6], 100, rtol=1e-5)      # 5 high, 3 wide
    assert (y[0, 1, 1:6] < 99).all() and (y[0, 2:4, 0] < 99).all()
    np.testing.assert_allclose(layers.image_augmentation.gaussian_kernel(5, 0.7).sum(), 1,
                               rtol=1e-6)


def test_mixup_mixes_images_and_labels_alike():
    x, labels = _images(6, 3, 4, 3), np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2]]
    layer = layers.MixUp(alpha=0.5, seed=1)
    t = layer.get_random_transformation(x)
    w, order = t["mix_weight"], t["permutation_order"]
    y = layer.transform_images(x, t).numpy()
    np.testing.assert_allclose(y, w[:, None, None, None] * x + (1 - w[:, None, None, None]) *
                               x[order], rtol=1e-5)
    mixed = layers.MixUp(alpha=0.5, seed=1)({"images": x, "labels": labels})
    np.testing.assert_allclose(mixed["images"].numpy(), y, rtol=1e-6)
    np.testing.assert_allclose(mixed["labels"].numpy(),
                               w[:, None] * labels + (1 - w[:, None]) * labels[order], rtol=1e-6)
    same = layer({"images": x, "labels": labels}, training=False)
    np.testing.assert_array_equal(same["labels"].numpy(), labels)
    one = layer({"images": x[0], "labels": labels[0]})
    np.testing.assert_allclose(one["labels"].numpy(), labels[0], rtol=1e-6)


def test_cutmix_pastes_a_box_and_weighs_labels_by_area():
    x, labels = _images(5, 8, 9, 3), np.eye(5, dtype=np.float32)
    layer = layers.CutMix(seed=4)
    t = layer.get_random_transformation(x)
    y = layer.transform_images(x, t).numpy()
    masks, order = t["batch_masks"], t["permutation_order"]
    np.testing.assert_array_equal(y[masks], x[order][masks])
    np.testing.assert_array_equal(y[~masks], x[~masks])
    w = t["mix_weight"].reshape(5)                  # 1 - the box's area (float corners)
    mixed = layer.transform_labels(labels, t).numpy()
    own = order == np.arange(5)
    np.testing.assert_allclose(mixed[np.arange(5), np.arange(5)], np.where(own, 1, w),
                               rtol=1e-6)
    np.testing.assert_allclose(mixed[np.arange(5), order], np.where(own, 1, 1 - w), rtol=1e-6)
    pasted = masks[..., 0].mean(axis=(1, 2))        # whole pixels inside the float box
    np.testing.assert_allclose(1 - w, pasted, atol=0.3)
    np.testing.assert_array_equal(layer(x[0]).numpy(), x[0])        # one image: as Keras
    assert layer.get_random_transformation(x[0]) is None


@pytest.mark.parametrize("make,transformation", [
    (lambda: layers.RandomHue(0.5, dtype="float64"), {"factor": np.array([0.21, -0.13])}),
    (lambda: layers.RandomSaturation(0.5, value_range=(0, 1), dtype="float64"),
     {"factor": np.array([1.7, 0.4])}),
    (lambda: layers.RandomColorDegeneration(0.5, dtype="float64"),
     {"factor": np.array([0.3, -0.6]).reshape(2, 1, 1, 1)}),
    (lambda: layers.RandomSharpness(0.5, dtype="float64"), {"factor": np.array([0.9, 0.2])}),
    (lambda: layers.RandomGaussianBlur(dtype="float64"),
     {"should_apply_blur": np.array([True, False]), "blur_factor": np.array([0.8, 0.5])}),
    (lambda: layers.Solarization(dtype="float64"),
     {"additions": np.array([20.0, 0.0]).reshape(2, 1, 1, 1),
      "thresholds": np.array([120.0, 90.0]).reshape(2, 1, 1, 1)}),
    (lambda: layers.MixUp(dtype="float64"),
     {"mix_weight": np.array([0.3, 0.8]), "permutation_order": np.array([1, 0])}),
], ids=["hue", "saturation", "degeneration", "sharpness", "blur", "solarization", "mixup"])
def test_new_augmentation_gradients(make, transformation):
    # away from the kinks (ties of channels, clip ends), where the VJPs are exact
    x = np.random.default_rng(3).uniform(0.2, 0.8, size=(2, 4, 5, 3))
    layer = make()
    scale = 1.0 if getattr(layer, "value_range", (0, 255))[1] == 1 else 255.0
    gradcheck(lambda t: layer.transform_images(t, transformation), x * scale, atol=1e-4)


NEW_ALL = _new() + [layers.AutoContrast(value_range=(0, 1)),
                    layers.RandomGrayscale(), layers.RandomHue(0.2, value_range=(0, 1)),
                    layers.RandomErasing(fill_value=(0, 0, 255), scale=0.3),
                    layers.RandomGaussianBlur(kernel_size=(3, 5), sigma=(0.2, 0.9)),
                    layers.RandomColorJitter((0, 1), 0.1, 0.2, 0.3, 0.4, seed=9),
                    layers.MixUp(alpha=0.4, seed=2), layers.RandomPosterization(6)]


@pytest.mark.parametrize("layer", NEW_ALL, ids=lambda l: type(l).__name__)
def test_new_config_round_trip(layer):
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_config() == config
    assert config["data_format"] == "channels_last"


def test_new_augmentations_save_and_load(tmp_path):
    model = tk.Sequential([tk.Input((8, 9, 3))] + [type(l).from_config(
        {**l.get_config(), "name": None}) for l in NEW_ALL] + [layers.Flatten(),
                                                                layers.Dense(2)])
    x = _images(2, 8, 9, 3) / 255
    path = tmp_path / "augment.tkmodel"
    model.save(path)
    again = load_model(path)
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("layer", NEW_ALL[:14], ids=lambda l: type(l).__name__)
def test_export_refuses_the_new_layers_by_name(layer, tmp_path):
    model = tk.Sequential([tk.Input((8, 9, 3)), type(layer).from_config(
        {**layer.get_config(), "name": None}), layers.Flatten(), layers.Dense(2)])
    with pytest.raises(tk.export.ExportError, match=type(layer).__name__):
        tk.export.to_tfjs(model, tmp_path / "web")
    assert not (tmp_path / "web").exists()


@pytest.mark.parametrize("make,match", [
    (lambda: layers.RandomGrayscale(1.5), r"factor to be a number in \[0, 1\].*factor=1.5"
                                           r".*Fix"),
    (lambda: layers.RandomGrayscale((0.1, 0.2)), r"factor=\(0.1, 0.2\)"),
    (lambda: layers.RandomHue(2), r"RandomHue expects factor .*\[0, 1\]. Received: factor=2"),
    (lambda: layers.RandomHue(0.2, value_range=255), r"value_range=255.*Fix"),
    (lambda: layers.RandomSaturation(-1.5), r"factor.*\[-1, 1\].*factor=-1.5"),
    (lambda: layers.RandomColorDegeneration("a"), r"factor='a'"),
    (lambda: layers.RandomColorJitter(hue_factor=1.5), r"RandomColorJitter expects hue_factor"
                                                        r".*hue_factor=1.5"),
    (lambda: layers.RandomColorJitter(value_range=(0,)), r"RandomColorJitter.*value_range"),
    (lambda: layers.RandomColorJitter(contrast_factor=-0.1), r"contrast_factor=-0.1"),
    (lambda: layers.RandomSharpness(1.2), r"RandomSharpness.*factor=1.2"),
    (lambda: layers.RandomInvert(value_range=(0, 1, 2)), r"value_range=\(0, 1, 2\)"),
    (lambda: layers.RandomPosterization(9), r"\[1, 8\].*factor=9.*Fix: e.g. factor=4 \(bits"),
    (lambda: layers.RandomPosterization(0), r"factor=0"),
    (lambda: layers.Solarization(2), r"addition_factor.*addition_factor=2"),
    (lambda: layers.Solarization(0.1, (0.2, 1.5)), r"threshold_factor=\(0.2, 1.5\)"),
    (lambda: layers.AutoContrast(value_range=None), r"AutoContrast.*value_range=None"),
    (lambda: layers.RandomErasing(scale=2), r"scale.*scale=2.*Fix: e.g. scale=\(0.02"),
    (lambda: layers.RandomErasing(fill_value=(1, 2)), r"fill_value=\(1, 2\).*Fix"),
    (lambda: layers.RandomErasing(fill_value="black"), r"fill_value='black'"),
    (lambda: layers.RandomGaussianBlur(kernel_size=4), r"odd.*kernel_size=4.*Fix"),
    (lambda: layers.RandomGaussianBlur(kernel_size=(3, 4)), r"kernel_size=\(3, 4\)"),
    (lambda: layers.RandomGaussianBlur(sigma=3), r"sigma.*\[0, 1\].*sigma=3"),
    (lambda: layers.MixUp(alpha=0), r"alpha to be a positive number.*alpha=0.*Fix"),
    (lambda: layers.CutMix(1.5), r"CutMix expects factor.*factor=1.5"),
    (lambda: layers.RandomHue(0.2, seed=1.5), r"seed=1.5"),
    (lambda: layers.MixUp(data_format="channels_first"), r"channels_last"),
])
def test_new_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_colour_layers_need_rgb_images():
    with pytest.raises(ShapeError, match=r"RandomHue.*RGB.*3 channels.*these have 1[\s\S]*"
                                         r"Fix: .*tk.tile\(x, \(1, 1, 1, 3\)\)"):
        layers.RandomHue(0.2)(_images(2, 4, 5, 1))
    with pytest.raises(ShapeError, match=r"have 4[\s\S]*Fix: drop the alpha channel"):
        tk.Sequential([tk.Input((8, 8, 4)), layers.RandomSaturation(0.2)])
    with pytest.raises(ShapeError, match=r"\(\.\.\., height, width, 1 or 3\)"):
        layers.RandomGrayscale()(_images(2, 4, 5, 2))
    with pytest.raises(ShapeError, match=r"RandomColorJitter"):
        layers.RandomColorJitter(saturation_factor=0.2)(_images(4, 5, 2))
    with pytest.raises(ShapeError, match=r"RandomErasing"):
        layers.RandomErasing(fill_value=(1, 2, 3))(_images(2, 4, 5, 1))
    with pytest.raises(ShapeError, match=r"rank 2"):
        layers.AutoContrast()(np.zeros((4, 5), np.float32))


def test_mixing_dicts_are_checked():
    x = _images(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"keys 'images' and 'labels'.*\['boxes', 'images'\]"):
        layers.MixUp()({"images": x, "boxes": x})
    with pytest.raises(ShapeError, match=r"one-hot labels.*shape \(4,\)[\s\S]*\(4, classes\)"
                                         r"[\s\S]*tk.one_hot"):
        layers.CutMix()({"images": x, "labels": np.array([0, 1, 2, 0])})
