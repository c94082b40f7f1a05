"""keras.utils' data helpers for local files: timeseries_dataset_from_array,
image_dataset_from_directory, text_dataset_from_directory (tk.data.Dataset: fit takes it,
map/take/skip, what tf.data-only calls say) and load_img / img_to_array / array_to_img /
save_img. tests/test_reference_keras_data_utils.py compares them with real Keras."""

import io
import os

import numpy as np
import pytest
from PIL import Image

import tensorkit as tk
from tensorkit import layers as L
from tensorkit.data import Dataset

U = tk.utils


# ---- folders made here -----------------------------------------------------------------------
def make_images(root, counts=None, size=(6, 8), seed=0):
    """root/<class>/<i>.png, each image's red channel its own number (any resize keeps it)."""
    rng = np.random.default_rng(seed)
    counts = counts or {"cats": 5, "dogs": 4}
    number = 0
    for name, count in counts.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            pixels = rng.integers(0, 256, size + (3,), dtype=np.uint8)
            pixels[..., 0] = number
            Image.fromarray(pixels).save(root / name / f"{i}.png")
            number += 1
    return root


def make_texts(root, texts):
    for path, text in texts.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return root


def numbers(ds):
    """The image numbers (top-left red values) of one pass, batch by batch."""
    return [[int(round(v)) for v in x.numpy()[:, 0, 0, 0]] for x, _ in ds]


def flat(batches):
    return [v for b in batches for v in b]


# ---- timeseries_dataset_from_array -----------------------------------------------------------
def test_timeseries_windows_as_keras_documents_them():
    # Keras' docstring: indices 0..99, sequence_length=10, sampling_rate=2, stride 3
    ds = U.timeseries_dataset_from_array(np.arange(100), None, sequence_length=10,
                                         sampling_rate=2, sequence_stride=3, batch_size=128)
    x = next(iter(ds)).numpy()
    assert x[0].tolist() == list(range(0, 20, 2))
    assert x[1].tolist() == list(range(3, 23, 2))
    assert x[-1].tolist() == list(range(81, 100, 2))
    assert x.shape == (28, 10) and x.dtype == np.int32          # int64 data: int32 here
    # and: targets data[10:] for windows of data[:-10]
    data = np.arange(100)
    ds = U.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    windows, targets = next(iter(ds))
    assert np.array_equal(windows[0], data[:10]) and int(targets[0]) == 10


def test_timeseries_batches_features_and_targets():
    data = np.arange(60, dtype=np.float64).reshape(30, 2)
    ds = U.timeseries_dataset_from_array(data, np.arange(30) * 10, sequence_length=4,
                                         batch_size=8, start_index=2, end_index=25)
    assert len(ds) == 3 and isinstance(ds, tk.data.PyDataset)
    sizes = [len(x) for x, _ in ds]
    assert sizes == [8, 8, 4]                                   # 23 - 3 = 20 windows
    x, y = ds[2]
    assert x.shape == (4, 4, 2) and x.dtype == np.float32       # float64 in: float32 out
    np.testing.assert_array_equal(x.numpy()[-1], data[21:25])
    assert y.numpy().tolist() == [180, 190, 200, 210]
    assert repr(ds) == "<Dataset: 3 batches of 8: windows (None, 4, 2) float32, " \
                       "targets (None,) int32>"


def test_timeseries_unbatched_gives_single_windows():
    ds = U.timeseries_dataset_from_array(np.arange(10.0), np.arange(10), sequence_length=3,
                                         sequence_stride=4, batch_size=None)
    items = list(ds)
    assert len(ds) == len(items) == 2
    assert items[1][0].shape == (3,) and items[1][0].numpy().tolist() == [4.0, 5.0, 6.0]
    assert items[1][1].shape == () and int(items[1][1]) == 4


def test_timeseries_shuffle_reorders_each_pass_repeatably():
    def passes(seed):
        ds = U.timeseries_dataset_from_array(np.arange(40), None, sequence_length=3,
                                             batch_size=5, shuffle=True, seed=seed)
        return [[int(w[0]) for x in ds for w in x] for _ in range(3)]
    first = passes(1)
    assert first == passes(1)                                   # seeded: the same run
    assert first[0] != first[1] != first[2]                     # a new order each pass
    assert all(sorted(p) == list(range(38)) for p in first)     # every window once
    assert passes(2) != first


@pytest.mark.parametrize("kwargs, match", [
    (dict(sequence_length=0), r"`sequence_length` to be an integer >= 1\. Received: "
                              r"sequence_length=0"),
    (dict(sequence_length=3, batch_size=0), r"Received: batch_size=0"),
    (dict(sequence_length=3, sampling_rate=1.5), r"`sampling_rate` to be an integer\. "
                                                 r"Received: sampling_rate=1.5"),
    (dict(sequence_length=3, end_index=0), r"`end_index` must be higher than 0"),
    (dict(sequence_length=11), r"no window fits\. A window of sequence_length=11 steps, "
                               r"sampling_rate=1 apart, spans 11 steps, but steps 0\.\.9 are "
                               r"only 10\. Fix:"),
    (dict(sequence_length=3, start_index=8, end_index=9), r"steps 8\.\.8 are only 1"),
])
def test_timeseries_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        U.timeseries_dataset_from_array(list(range(10)), None, **kwargs)


def test_timeseries_targets_that_run_out_after_start_index():
    with pytest.raises(ValueError, match=r"targets has 5 steps, so from start_index=3 it has "
                                         r"no target for the windows starting at step 5 and "
                                         r"later\. Fix"):
        U.timeseries_dataset_from_array(np.arange(20), np.arange(5), sequence_length=2,
                                        start_index=3)


def test_a_model_fits_on_a_timeseries_dataset():
    rng = np.random.default_rng(0)
    series = rng.normal(size=(200, 2)).astype(np.float32)
    target = series[:, 0] * 0.5
    ds = U.timeseries_dataset_from_array(series[:-1], target[1:], sequence_length=5,
                                         batch_size=16)
    model = tk.Sequential([tk.Input((5, 2)), L.Flatten(), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ds.map(lambda x, y: x), verbose=0).shape == (195, 1)


# ---- image_dataset_from_directory ---------------------------------------------------------------
def test_images_classes_order_shapes_and_message(tmp_path, capsys):
    root = make_images(tmp_path, {"cats": 5, "dogs": 4})
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    ds = U.image_dataset_from_directory(root, image_size=(4, 6), batch_size=4, shuffle=False)
    assert capsys.readouterr().out == "Found 9 files belonging to 2 classes.\n"
    assert ds.class_names == ["cats", "dogs"]
    assert [os.path.relpath(p, root) for p in ds.file_paths] == \
        [f"cats/{i}.png" for i in range(5)] + [f"dogs/{i}.png" for i in range(4)]
    assert len(ds) == 3
    shapes = [(tuple(x.shape), tuple(y.shape)) for x, y in ds]
    assert shapes == [((4, 4, 6, 3), (4,))] * 2 + [((1, 4, 6, 3), (1,))]   # last one short
    x, y = ds[0]
    assert x.dtype == np.float32 and y.dtype == np.int32
    assert flat([y.numpy().tolist() for _, y in ds]) == [0] * 5 + [1] * 4
    assert repr(ds) == ("<Dataset: 3 batches of 4: images (None, 4, 6, 3) float32, labels "
                        "(None,) int32, class_names=['cats', 'dogs']>")


def test_images_at_their_own_size_are_the_file_pixels(tmp_path):
    root = make_images(tmp_path, {"a": 2}, size=(5, 7))
    ds = U.image_dataset_from_directory(root, image_size=(5, 7), shuffle=False, verbose=False)
    x, _ = ds[0]
    want = np.stack([np.asarray(Image.open(p)) for p in ds.file_paths]).astype(np.float32)
    np.testing.assert_array_equal(x.numpy(), want)


@pytest.mark.parametrize("label_mode, want", [
    ("int", [0, 0, 1, 1, 2]),
    ("categorical", np.eye(3)[[0, 0, 1, 1, 2]].tolist()),
    (None, None),
])
def test_label_modes(tmp_path, label_mode, want):
    root = make_images(tmp_path, {"a": 2, "b": 2, "c": 1})
    ds = U.image_dataset_from_directory(root, label_mode=label_mode, image_size=(3, 3),
                                        shuffle=False, verbose=False)
    batch = ds[0]
    if want is None:
        assert not isinstance(batch, tuple) and batch.shape == (5, 3, 3, 3)
        assert ds.class_names is None
    else:
        assert batch[1].numpy().tolist() == want


def test_binary_labels_and_explicit_class_names(tmp_path):
    root = make_images(tmp_path, {"a": 2, "b": 2, "c": 1})
    ds = U.image_dataset_from_directory(root, label_mode="binary", class_names=["c", "a"],
                                        image_size=(3, 3), shuffle=False, verbose=False)
    x, y = ds[0]
    assert ds.class_names == ["c", "a"]
    assert y.shape == (3, 1) and y.dtype == np.float32 and y.numpy()[:, 0].tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match=r'exactly 2 class_names\. Received: '
                                         r"class_names=\['a', 'b', 'c'\]\. Fix:"):
        U.image_dataset_from_directory(root, label_mode="binary", verbose=False)


def test_split_by_seed_is_repeatable_disjoint_and_complete(tmp_path, capsys):
    root = make_images(tmp_path, {"a": 6, "b": 4})
    kw = dict(validation_split=0.3, seed=123, image_size=(3, 3), verbose=False)
    train = U.image_dataset_from_directory(root, subset="training", **kw)
    val = U.image_dataset_from_directory(root, subset="validation", **kw)
    assert capsys.readouterr().out == "Using 7 files for training.\nUsing 3 files for " \
                                      "validation.\n"
    both = U.image_dataset_from_directory(root, subset="both", **kw)
    assert [d.file_paths for d in both] == [train.file_paths, val.file_paths]
    assert len(set(train.file_paths) | set(val.file_paths)) == 10
    assert not set(train.file_paths) & set(val.file_paths)
    other = U.image_dataset_from_directory(root, subset="validation",
                                           **{**kw, "seed": 124})
    assert other.file_paths != val.file_paths
    # the validation part of "both" is not shuffled: every pass the same batches
    assert numbers(both[1]) == numbers(both[1])
    # the file list is shuffled by numpy's RandomState(seed), as Keras
    files = sorted(train.file_paths + val.file_paths)
    order = list(range(10))
    np.random.RandomState(123).shuffle(order)
    assert train.file_paths + val.file_paths == [files[i] for i in order]


def test_shuffle_gives_a_new_order_each_pass_from_the_seed(tmp_path):
    root = make_images(tmp_path, {"a": 7, "b": 6})
    ds = U.image_dataset_from_directory(root, image_size=(3, 3), batch_size=4, seed=5,
                                        verbose=False)
    passes = [flat(numbers(ds)) for _ in range(3)]
    assert all(sorted(p) == list(range(13)) for p in passes)
    assert passes[0] != passes[1] != passes[2]
    again = U.image_dataset_from_directory(root, image_size=(3, 3), batch_size=4, seed=5,
                                           verbose=False)
    assert [flat(numbers(again)) for _ in range(3)] == passes
    # labels travel with their images
    for x, y in ds:
        assert [n >= 7 for n in x.numpy()[:, 0, 0, 0]] == [bool(v) for v in y.numpy()]


def test_unseeded_shuffle_follows_set_random_seed(tmp_path):
    root = make_images(tmp_path, {"a": 5, "b": 5})
    runs = []
    for _ in range(2):
        U.set_random_seed(7)
        ds = U.image_dataset_from_directory(root, image_size=(3, 3), verbose=False)
        runs.append((ds.file_paths, flat(numbers(ds))))
    assert runs[0] == runs[1]


def test_unbatched_images_nearest_grayscale_and_int_image_size(tmp_path):
    root = make_images(tmp_path, {"a": 3}, size=(6, 6))
    ds = U.image_dataset_from_directory(root, image_size=3, batch_size=None, shuffle=False,
                                        interpolation="nearest", color_mode="grayscale",
                                        verbose=False)
    x, y = ds[0]
    assert len(ds) == 3 and x.shape == (3, 3, 1) and x.dtype == np.uint8 and y.shape == ()
    crop = U.image_dataset_from_directory(root, image_size=(2, 4), crop_to_aspect_ratio=True,
                                          verbose=False)
    pad = U.image_dataset_from_directory(root, image_size=(2, 4), pad_to_aspect_ratio=True,
                                         shuffle=False, verbose=False)
    assert crop[0][0].shape == pad[0][0].shape == (3, 2, 4, 3)
    assert (pad[0][0].numpy()[:, :, [0, 3]] == 0).all()       # padded columns left and right


def test_padding_a_thin_image_to_nothing(tmp_path):
    root = make_images(tmp_path, {"a": 1}, size=(1, 9))
    ds = U.image_dataset_from_directory(root, image_size=(2, 3), pad_to_aspect_ratio=True,
                                        verbose=False)
    with pytest.raises(ValueError, match=r"a 1x9 image fit into image_size=\(2, 3\) keeps 0x3 "
                                         r"pixels.*Fix"):
        ds[0]


def test_grayscale_gif_and_jpeg_are_read(tmp_path):
    (tmp_path / "a").mkdir()
    colour = np.random.default_rng(1).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    Image.fromarray(colour).save(tmp_path / "a" / "x.gif")       # TensorFlow refuses these
    Image.fromarray(colour).save(tmp_path / "a" / "y.JPG", quality=95)
    ds = U.image_dataset_from_directory(tmp_path, image_size=(8, 8), shuffle=False,
                                        color_mode="grayscale", verbose=False)
    x = ds[0][0].numpy()
    assert x.shape == (2, 8, 8, 1)
    luma = colour @ np.array([0.299, 0.587, 0.114])
    assert np.abs(x[1, ..., 0] - luma).max() < 12               # JPEG: lossy, near the luma


def test_fit_evaluate_predict_on_an_image_dataset(tmp_path):
    root = make_images(tmp_path, {"a": 6, "b": 6})
    train, val = U.image_dataset_from_directory(root, image_size=(4, 4), batch_size=5,
                                                validation_split=0.25, subset="both", seed=1,
                                                verbose=False)
    train = train.map(lambda x, y: (x / 255.0, y))
    model = tk.Sequential([tk.Input((4, 4, 3)), L.Flatten(), L.Dense(2)])
    model.compile(optimizer="adam",
                  loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(model.evaluate(val, verbose=0)) == 2
    assert model.predict(val, verbose=0).shape == (3, 2)


def test_map_take_skip(tmp_path):
    root = make_images(tmp_path, {"a": 5, "b": 5})
    ds = U.image_dataset_from_directory(root, image_size=(3, 3), batch_size=3, shuffle=False,
                                        verbose=False)
    scaled = ds.map(lambda x, y: (x / 255.0, y))
    assert float(scaled[0][0].numpy().max()) <= 1.0 and scaled.class_names == ["a", "b"]
    assert flat(numbers(ds.take(2))) == list(range(6))
    assert flat(numbers(ds.skip(2))) == list(range(6, 10))
    assert len(ds.take(10)) == 4 and len(ds.take(-1)) == 4 and len(ds.skip(-1)) == 0
    assert len(ds.skip(1).take(2)) == 2 and flat(numbers(ds.skip(1).take(2))) == \
        list(range(3, 9))
    only_x = ds.map(lambda x, y: x)
    assert only_x[0].shape == (3, 3, 3, 3)
    assert only_x.map(lambda x: x * 0)[0].numpy().max() == 0    # x-only batches: fn(x)
    for images, labels in ds.take(1):                           # a tutorial's loop
        assert images.shape == (3, 3, 3, 3) and ds.class_names[int(labels[0])] == "a"
    with pytest.raises(IndexError, match=r"batch 4 is out of range: this dataset has 4 "
                                         r"batches \(0\.\.3\)\. Fix"):
        ds[4]
    assert numbers([ds[-1]]) == [[9]]
    with pytest.raises(IndexError, match=r"this dataset has no batches"):
        ds.skip(-1)[0]
    with pytest.raises(TypeError, match=r"indexed by batch number"):
        ds["a"]
    with pytest.raises(ValueError, match=r"Received: count=-2"):
        ds.take(-2)
    with pytest.raises(TypeError, match=r"Dataset\.map expects a function"):
        ds.map(3)


@pytest.mark.parametrize("call, match", [
    (lambda ds: ds.cache(), r"\.cache\(\) is tf\.data's\. There is nothing to cache"),
    (lambda ds: ds.prefetch(buffer_size=-1), r"Fix: drop \.prefetch\(buffer_size=AUTOTUNE\)"),
    (lambda ds: ds.shuffle(1000), r"Shuffling is the shuffle=True argument"),
    (lambda ds: ds.batch(32), r"already in batches"),
    (lambda ds: ds.unbatch(), r"batch_size=None for single samples"),
    (lambda ds: ds.repeat(), r"epochs="),
    (lambda ds: ds.map(lambda x, y: (x, y)).cache(), r"tensorkit datasets are Python "
                                                     r"iterables"),
    (lambda ds: Dataset.from_tensor_slices(([1], [2])), r"pass them to fit directly"),
])
def test_tf_data_only_calls_say_what_to_do_instead(tmp_path, call, match):
    ds = U.image_dataset_from_directory(make_images(tmp_path), image_size=(3, 3),
                                        verbose=False)
    with pytest.raises(NotImplementedError, match=match):
        call(ds)


def test_manual_labels_follow_the_sorted_files(tmp_path):
    root = make_images(tmp_path, {"a": 2, "b": 2})
    labels = [1, 0, 1, 2]
    ds = U.image_dataset_from_directory(root, labels=labels, image_size=(3, 3), seed=3,
                                        verbose=False)
    assert labels == [1, 0, 1, 2]                   # not shuffled in place (Keras does)
    assert ds.class_names == ["0", "1", "2"]
    pairs = {int(round(n)): int(v) for x, y in ds
             for n, v in zip(x.numpy()[:, 0, 0, 0], y.numpy())}
    assert pairs == {0: 1, 1: 0, 2: 1, 3: 2}
    with pytest.raises(ValueError, match=r'label_mode="categorical" needs labels 0\.\.1, but '
                                         r"labels has 3.*Fix"):
        U.image_dataset_from_directory(root, labels=[0, 3, 0, 3], label_mode="categorical",
                                       image_size=(3, 3), verbose=False)
    from_array = U.image_dataset_from_directory(root, labels=np.array(labels), seed=3,
                                                image_size=(3, 3), verbose=False)
    assert from_array.file_paths == ds.file_paths and from_array.class_names == ["0", "1", "2"]
    with pytest.raises(ValueError, match=r"`labels` must be class ids.*Received: 'x'"):
        U.image_dataset_from_directory(root, labels=[0, "x", 0, 1], verbose=False)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(interpolation="bicubic"), ValueError, r"resizes with 'bilinear' or 'nearest'"),
    (dict(data_format="channels_first"), ValueError, r"channels last"),
    (dict(batch_size=0), ValueError, r"`batch_size` must be a positive integer or None\. "
                                     r"Received: batch_size=0\. Fix"),
    (dict(image_size=(0, 4)), ValueError, r"Received: image_size=0"),
    (dict(validation_split=0.1, subset="validation", seed=1), ValueError,
     r"validation_split=0\.1 of 9 files is int\(validation_split \* files\) = 0 files"),
])
def test_image_argument_errors(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        U.image_dataset_from_directory(make_images(tmp_path), verbose=False, **kwargs)


def test_missing_folder_and_broken_image(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"does not exist\. Fix: pass the folder"):
        U.image_dataset_from_directory(tmp_path / "nope")
    (tmp_path / "f.png").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"is a file, not a folder"):
        U.image_dataset_from_directory(tmp_path / "f.png")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "bad.png").write_bytes(b"not a png at all")
    ds = U.image_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match=r"Could not read the image .*bad\.png.*Fix: remove"):
        ds[0]


# ---- text_dataset_from_directory ---------------------------------------------------------------
TEXTS = {"neg/1.txt": "bad film", "neg/2.txt": "awful, just awful", "neg/3.txt": "dull",
         "pos/1.txt": "great film", "pos/2.txt": "caf\u00e9 cr\u00e8me: so good",
         "pos/readme.md": "ignored"}


def test_texts_are_python_strings_with_labels(tmp_path, capsys):
    root = make_texts(tmp_path, TEXTS)
    ds = U.text_dataset_from_directory(root, batch_size=2, shuffle=False)
    assert capsys.readouterr().out == "Found 5 files belonging to 2 classes.\n"
    texts, labels = ds[0]
    assert isinstance(texts, np.ndarray) and texts.dtype == object
    assert texts.tolist() == ["bad film", "awful, just awful"]
    assert labels.numpy().tolist() == [0, 0] and labels.dtype == np.int32
    assert [os.path.relpath(p, root) for p in ds.file_paths][-1] == "pos/2.txt"
    assert [t for x, _ in ds for t in x][-1] == "caf\u00e9 cr\u00e8me: so good"
    assert repr(ds).startswith("<Dataset: 3 batches of 2: texts (None,) str, labels (None,)")
    single = U.text_dataset_from_directory(root, batch_size=None, shuffle=False, verbose=False)
    assert single[0][0] == "bad film" and single[0][1].shape == ()


def test_max_length_cuts_bytes_and_drops_a_cut_character(tmp_path):
    root = make_texts(tmp_path, TEXTS)
    ds = U.text_dataset_from_directory(root, max_length=4, shuffle=False, verbose=False)
    assert ds[0][0].tolist() == ["bad ", "awfu", "dull", "grea", "caf"]   # "café" is 5 bytes


def test_text_vectorization_adapts_and_a_model_fits(tmp_path):
    root = make_texts(tmp_path, TEXTS)
    ds = U.text_dataset_from_directory(root, batch_size=2, seed=1, verbose=False)
    vectorize = L.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(ds.map(lambda x, y: x))
    assert "awful" in vectorize.get_vocabulary()
    numbers_ds = ds.map(lambda x, y: (vectorize(x), y))
    model = tk.Sequential([tk.Input((4,), dtype="int32"), L.Embedding(20, 3),
                           L.GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert len(model.fit(numbers_ds, epochs=2, verbose=0).history["loss"]) == 2


def test_text_that_is_not_utf8(tmp_path):
    root = make_texts(tmp_path, {"a/1.txt": "fine", "a/2.txt": "caf\u00e9!".encode("latin-1")})
    ds = U.text_dataset_from_directory(root, shuffle=False, verbose=False)
    with pytest.raises(ValueError, match=r"2\.txt' is not UTF-8 text \(byte 3: invalid "
                                         r"continuation byte\)\. Fix: save it as UTF-8"):
        ds[0]


def test_text_argument_errors(tmp_path):
    root = make_texts(tmp_path, TEXTS)
    with pytest.raises(ValueError, match=r"Received: max_length=0\. Fix"):
        U.text_dataset_from_directory(root, max_length=0)
    with pytest.raises(ValueError, match=r"provide a `seed` argument.*Fix: pass seed=123"):
        U.text_dataset_from_directory(root, validation_split=0.4, subset="training")


# ---- load_img, img_to_array, array_to_img, save_img ---------------------------------------------
def test_load_img_round_trip(tmp_path):
    pixels = np.random.default_rng(2).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.png")
    img = U.load_img(tmp_path / "a.png")                        # a pathlib path
    assert img.mode == "RGB" and img.size == (9, 6)
    x = U.img_to_array(img)
    assert x.dtype == np.float32 and x.shape == (6, 9, 3)
    np.testing.assert_array_equal(x, pixels)
    small = U.load_img(str(tmp_path / "a.png"), target_size=(3, 3), keep_aspect_ratio=True)
    assert small.size == (3, 3)
    grey = U.load_img(io.BytesIO((tmp_path / "a.png").read_bytes()), color_mode="grayscale")
    assert U.img_to_array(grey, dtype="uint8").shape == (6, 9, 1)
    U.save_img(tmp_path / "b.png", x, scale=False)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "b.png")), pixels)
    U.save_img(str(tmp_path / "c.jpg"), tk.tensor(x))           # a tensor, as JPEG
    assert Image.open(tmp_path / "c.jpg").format == "JPEG"


def test_array_to_img_scales_and_checks(tmp_path):
    img = U.array_to_img(np.array([[[-1.0], [1.0]]]))
    assert img.mode == "L" and np.asarray(img).tolist() == [[0, 255]]
    with pytest.raises(ValueError, match=r"needs values in 0\.\.255, but they run from -1 to "
                                         r"1.*Fix: scale=True"):
        U.array_to_img(np.array([[[-1.0, 0.0, 1.0]]]), scale=False)
    with pytest.raises(ValueError, match=r"NaN or infinite"):
        U.array_to_img(np.full((2, 2, 3), np.nan))
    with pytest.raises(ValueError, match=r"rank 3 \(single image\).*Fix: take one image of the "
                                         r"batch: x\[0\]"):
        U.array_to_img(np.zeros((2, 3, 3, 3)))


def test_load_img_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_img: there is no file .*nope\.png"):
        U.load_img(str(tmp_path / "nope.png"))
    U.save_img(tmp_path / "a.png", np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match=r'color_mode must be "grayscale", "rgb", or "rgba"'):
        U.load_img(tmp_path / "a.png", color_mode="bgr")
    with pytest.raises(ValueError, match=r"Invalid interpolation method cubic"):
        U.load_img(tmp_path / "a.png", target_size=(2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match=r"target_size to be \(height, width\)"):
        U.load_img(tmp_path / "a.png", target_size=(2,))


def test_a_failed_save_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "keep.jpg"
    U.save_img(path, np.zeros((4, 4, 3)))
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"could not write a I image as JPEG.*Fix"):
        U.save_img(path, np.full((4, 4, 1), 1000.0), scale=False)
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match=r"cannot tell how to write .*notes\.xyz"):
        U.save_img(tmp_path / "notes.xyz", np.zeros((2, 2, 3)))
    assert not (tmp_path / "notes.xyz").exists()
    buffer = io.BytesIO()
    U.save_img(buffer, np.zeros((2, 2, 3)), file_format="png")
    assert Image.open(io.BytesIO(buffer.getvalue())).size == (2, 2)


def test_names_are_in_keras_utils_places():
    for name in ("image_dataset_from_directory", "text_dataset_from_directory",
                 "timeseries_dataset_from_array", "load_img", "img_to_array", "array_to_img",
                 "save_img"):
        assert name in U.__all__ and callable(getattr(U, name))
    assert tk.data.Dataset is Dataset and "Dataset" in tk.data.__all__


def test_fit_keeps_a_datasets_own_order_as_keras_keeps_tf_datas():
    data = tk.utils.timeseries_dataset_from_array(
        np.arange(40, dtype="float32")[:, None] / 40, np.arange(40, dtype="float32") / 40,
        sequence_length=4, batch_size=4)
    seen, original = [], type(data).__getitem__

    def spying(self, index):
        seen.append(index)
        return original(self, index)

    model = tk.Sequential([tk.Input((4, 1)), tk.layers.Flatten(), tk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    type(data).__getitem__ = spying
    try:
        model.fit(data, epochs=2, verbose=0)                # shuffle=True, fit's default
    finally:
        type(data).__getitem__ = original
    assert seen[-2 * len(data):] == list(range(len(data))) * 2   # (fit peeks at batch 0 first)
