"""Record Keras 3's data helpers from keras.utils on local files, for
tests/test_reference_keras_data_utils.py.

Run with a Python that has Keras 3, JAX, TensorFlow (Keras' dataset functions build
tf.data pipelines even on the JAX backend) and Pillow (load_img & co.):

    KERAS_BACKEND=jax python scripts/reference/keras_data_utils.py

It writes tests/data/reference/keras_data_utils.npz. Folders of files are described by
"tree" cases: every file's bytes (PNG, GIF, BMP and text files made here) and relative
path, plus symlinks; the test writes the same tree and calls tensorkit on it. Cases:

- ``timeseries``: keras.utils.timeseries_dataset_from_array(data, targets, **kwargs):
  every batch's length, the windows and targets in order (sorted by window when shuffled:
  tf.data's shuffle buffer order is not reproducible, which windows there are is).
- ``images`` / ``texts``: image_/text_dataset_from_directory(tree, **kwargs): file_paths
  (relative), class_names, the printed lines, batch lengths, and per file (in file_paths
  order) its label as yielded; unshuffled datasets also keep their batches in order.
  Images are matched to files by their pixels, texts by their contents.
- ``pixels``: the images (and dtype) of an unshuffled image dataset, batch_size=None.
- ``load_img`` / ``array_to_img`` / ``save_img``: the Pillow helpers' pixels and modes.
- ``error``: what Keras raises (type and message, the tree's folder written ``{dir}``).
"""
# isort: skip_file

import contextlib
import io
import json
import os
import shutil
import tempfile

from _keras import Cases  # first: it selects Keras' JAX backend
import keras
import numpy as np
from PIL import Image

cases = Cases("keras_data_utils")
rng = np.random.default_rng(20250705)
u8 = np.uint8


# ---- trees of files ----------------------------------------------------------------------
def png(array, mode=None, fmt="PNG", palette=None):
    img = Image.fromarray(array, mode) if mode else Image.fromarray(array)
    if palette is not None:
        img.putpalette(palette)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def rgb(h, w, tag):
    """A random RGB image whose top-left pixel is its tag (to tell the files apart)."""
    a = rng.integers(0, 256, (h, w, 3), dtype=u8)
    a[0, 0] = [tag, 255 - tag, tag // 2]
    return a


TREES = {}


def tree(name, files, links=()):
    """Record a folder: files {relative path: bytes}, links [(relative path, target)]."""
    TREES[name] = (files, links)
    blobs = [b"" if data is None else data for data in files.values()]
    spec = {"kind": "tree", "paths": list(files), "links": [list(link) for link in links],
            "sizes": [len(blob) for blob in blobs]}      # a path ending in / is a folder
    cases.add(f"tree_{name}", spec, {"bytes": np.frombuffer(b"".join(blobs), u8)})


@contextlib.contextmanager
def written(name):
    files, links = TREES[name]
    root = tempfile.mkdtemp()
    try:
        for path, data in files.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if data is not None:
                with open(full, "wb") as f:
                    f.write(data)
        for path, target in links:
            os.symlink(target, os.path.join(root, path))
        yield root
    finally:
        shutil.rmtree(root)


tag = iter(range(5, 250, 7))
tree("classes", {
    "cats/a.png": png(rgb(6, 8, next(tag))),
    "cats/B.png": png(rgb(7, 5, next(tag))),
    "cats/c10.PNG": png(rgb(4, 4, next(tag))),
    "cats/c2.png": png(rgb(9, 6, next(tag))),
    "cats/notes.txt": b"not an image",
    "cats/sub/d.png": png(rgb(5, 5, next(tag))),
    "cats/sub/e.Gif": png(rgb(6, 6, next(tag)), fmt="GIF"),
    "dogs/x.bmp": png(rgb(5, 9, next(tag)), fmt="BMP"),
    "dogs/y.png": png(rgb(8, 8, next(tag))),
    "dogs/z z.png": png(rgb(3, 7, next(tag))),
    "dogs/w.png": png(rgb(6, 3, next(tag))),
    "ducks/q.png": png(rgb(4, 6, next(tag))),
    "ducks/r.png": png(rgb(5, 4, next(tag))),
    ".hidden/h.png": png(rgb(4, 4, next(tag))),
    "top.png": png(rgb(4, 5, next(tag))),
    "empty/": None,
}, links=[("dogs/linked", "../.hidden")])

tree("two", {f"{c}/{i}.png": png(rgb(5, 6, next(tag))) for c in ("no", "yes")
             for i in range(7 if c == "no" else 6)})

grey = rng.integers(0, 256, (6, 7), dtype=u8)
grey[0, :4] = [0, 255, 17, 17]
colour = rng.integers(0, 256, (6, 7, 3), dtype=u8)
colour[0, :3] = [[9, 9, 9], [255, 0, 0], [0, 0, 255]]
tree("modes", {
    "m/1_rgb.png": png(colour),
    "m/2_rgba.png": png(rng.integers(0, 256, (6, 7, 4), dtype=u8)),
    "m/3_l.png": png(grey),
    "m/4_la.png": png(np.stack([grey, grey[::-1]], -1), "LA"),
    "m/5_p.png": png(grey % 16, "P", palette=list(rng.integers(0, 256, 48))),
    "m/6_i16.png": png(rng.integers(0, 65536, (6, 7)).astype(np.uint16)),
    "m/9_1bit.png": png(grey > 128, "1"),
})
tree("formats", {                        # TensorFlow decodes these to RGB (BMP: RGBA) only
    "f/bmp.bmp": png(colour[::-1], fmt="BMP"),
    "f/gif.gif": png(colour[:, ::-1], fmt="GIF"),
    "f/png.png": png(colour),
})

tree("sizes", {f"s/{h}x{w}.png": png(rng.integers(0, 256, (h, w, 3), dtype=u8))
               for h, w in [(6, 8), (8, 6), (5, 5), (7, 12), (12, 5), (3, 10), (10, 10)]})

TEXTS = {
    "neg/1.txt": "bad movie.\n", "neg/2.txt": "awful\r\nreally awful",
    "neg/3.txt": "", "neg/10.txt": "caf\u00e9 \u00e0 la cr\u00e8me \U0001f642",
    "neg/sub/4.txt": "\ufeffa file with a BOM", "neg/skip.md": "not a text file",
    "pos/1.txt": "great movie!", "pos/2.TXT": "Sehr gut: \u00fc\u00f6\u00e4\u00df",
    "pos/a.txt": "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
    "pos/b.txt": "tabs\tand  spaces", "pos/c.txt": "line one\nline two\n",
    "unsup/u.txt": "no class",
}
tree("texts", {k: v.encode("utf-8") for k, v in TEXTS.items()})


def rel(paths, root):
    return [os.path.relpath(p, root) for p in paths]


def captured(fn, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args, **kwargs)
    return result, out.getvalue().splitlines()


# ---- timeseries ------------------------------------------------------------------------
def timeseries(name, data, targets, **kwargs):
    ds = keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
    xs, ys, lengths = [], [], []
    for batch in ds:
        x, y = batch if targets is not None else (batch, None)
        x = x.numpy()
        single = kwargs.get("batch_size", 128) is None
        lengths.append(1 if single else len(x))
        xs.append(x[None] if single else x)
        if y is not None:
            ys.append(y.numpy()[None] if single else y.numpy())
    x = np.concatenate(xs)
    y = np.concatenate(ys) if ys else None
    if kwargs.get("shuffle"):                   # which windows, not their order
        order = np.lexsort(x.reshape(len(x), -1).T[::-1])
        x, y = x[order], None if y is None else y[order]
    arrays = {"data": data, "x": x}
    if targets is not None:
        arrays.update(targets=targets, y=y)
    cases.add(f"ts_{name}", {"kind": "timeseries", "kwargs": kwargs, "lengths": lengths,
                             "has_targets": targets is not None}, arrays)


steps = np.arange(100)
timeseries("doc_indices", steps, None, sequence_length=10, sampling_rate=2,
           sequence_stride=3, batch_size=16)
timeseries("doc_shifted", steps[:-10], steps[10:], sequence_length=10, batch_size=32)
features = rng.normal(size=(50, 3)).astype(np.float32)
timeseries("features", features, rng.normal(size=50).astype(np.float32), sequence_length=5,
           batch_size=8)
timeseries("start_end", features, rng.normal(size=(50, 2)).astype(np.float32),
           sequence_length=4, sampling_rate=3, sequence_stride=2, batch_size=5, start_index=5,
           end_index=40)
timeseries("end_only", steps[:30], steps[:30] * 10, sequence_length=3, end_index=20,
           batch_size=4)
timeseries("start_only", steps[:30], steps[:30] * 10, sequence_length=3, start_index=7,
           batch_size=6)
timeseries("short_targets", steps[:30], steps[:20], sequence_length=6, batch_size=7)
timeseries("stride_past_window", steps[:40], None, sequence_length=3, sequence_stride=7,
           batch_size=2)
timeseries("unbatched", features[:12], np.arange(12), sequence_length=4, sequence_stride=2,
           batch_size=None)
timeseries("one_window", steps[:5], steps[:5], sequence_length=5, batch_size=3)
timeseries("shuffled", steps[:60], steps[:60] * 2, sequence_length=5, sequence_stride=2,
           batch_size=4, shuffle=True, seed=3)


def plain(arg):
    return {"zeros": list(arg.shape)} if isinstance(arg, np.ndarray) else arg


def error(name, fn, kwargs, tree_name=None, args=()):
    try:
        if tree_name is None:
            fn(*args, **kwargs)
        else:
            with written(tree_name) as root:
                try:
                    captured(fn, root, **kwargs)
                except Exception as e:
                    raise type(e)(str(e).replace(root, "{dir}")) from None
    except Exception as e:
        cases.add(f"error_{name}", {"kind": "error", "function": fn.__name__,
                                    "args": [plain(a) for a in args],
                                    "kwargs": kwargs, "tree": tree_name,
                                    "type": type(e).__name__, "message": str(e)}, {})
        return
    raise AssertionError(f"{name}: Keras raised nothing")


ts = keras.utils.timeseries_dataset_from_array
ten = list(range(10))
for name, kw in [("start_negative", dict(start_index=-1)), ("start_past_end", dict(start_index=10)),
                 ("end_before_start", dict(start_index=5, end_index=5)),
                 ("end_past_data", dict(end_index=10)), ("end_negative", dict(end_index=-2)),
                 ("rate_zero", dict(sampling_rate=0)), ("rate_too_big", dict(sampling_rate=10)),
                 ("stride_zero", dict(sequence_stride=0)),
                 ("stride_too_big", dict(sequence_stride=12))]:
    error(f"ts_{name}", ts, dict(sequence_length=3, **kw), args=[ten, None])


# ---- directories -----------------------------------------------------------------------
IDS = {}                        # tree -> {relative path: reference pixels or text}


def reference_items(tree_name, kind):
    """Each file's image (as an unshuffled dataset gives it, 6x8 bilinear) or text."""
    if tree_name not in IDS:
        with written(tree_name) as root:
            if kind == "images":
                ds = keras.utils.image_dataset_from_directory(
                    root, labels=None, shuffle=False, batch_size=None, image_size=(6, 8),
                    verbose=False, follow_links=True)
                IDS[tree_name] = {p: x.numpy() for p, x in
                                  zip(rel(ds.file_paths, root), ds)}
            else:
                IDS[tree_name] = {}
                for path in TREES[tree_name][0]:
                    IDS[tree_name][path] = TREES[tree_name][0][path]
    return IDS[tree_name]


def identify(x, items, kind, paths):
    """The file of the dataset's `paths` whose image (or text) x is."""
    if kind == "images":
        found = [p for p in paths if items[p].shape == x.shape and np.array_equal(items[p], x)]
    else:
        found = [p for p in paths if items[p] == x]
    assert len(found) == 1, found
    return found[0]


def directory(name, kind, tree_name, keep_batches=False, **kwargs):
    """Record one dataset (or both of subset="both")."""
    fn = keras.utils.image_dataset_from_directory if kind == "images" else \
        keras.utils.text_dataset_from_directory
    if kind == "images":
        kwargs.setdefault("image_size", (6, 8))
    items = reference_items(tree_name, kind)
    given = json.loads(json.dumps(kwargs))     # Keras shuffles a labels list in place
    with written(tree_name) as root:
        result, lines = captured(fn, root, **kwargs)
        parts = result if isinstance(result, list) else [result]
        spec = {"kind": kind, "tree": tree_name, "kwargs": given, "lines": lines,
                "class_names": parts[0].class_names, "parts": len(parts)}
        arrays = {}
        for k, ds in enumerate(parts):
            paths = rel(ds.file_paths, root) if kind == "images" else \
                rel(_text_paths(root, kwargs, k, len(parts)), root)
            lengths, labels, order, xs, ys = [], {}, [], [], []
            for batch in ds:
                x, y = batch if isinstance(batch, tuple) else (batch, None)
                x = x.numpy()
                batched = kwargs.get("batch_size", 32) is not None
                lengths.append(len(x) if batched else 1)
                for i, xi in enumerate(x if batched else [x]):
                    path = identify(xi, items, kind, paths)
                    order.append(path)
                    if y is not None:
                        labels[path] = (y.numpy()[i] if batched else y.numpy())
                if kind == "images":
                    xs.append(x if batched else x[None])
                if y is not None:
                    ys.append(y.numpy() if batched else y.numpy()[None])
            spec[f"paths{k}"] = paths
            spec[f"lengths{k}"] = lengths
            if labels:
                arrays[f"labels{k}"] = np.stack([labels[p] for p in paths])
                spec[f"ydtype{k}"] = ys[0].dtype.name
            if kind == "images":
                spec[f"xdtype{k}"] = xs[0].dtype.name
            shuffled = kwargs.get("shuffle", True) and not (len(parts) == 2 and k == 1)
            if keep_batches and not shuffled:     # the validation part of "both" is not
                spec[f"order{k}"] = order
        cases.add(f"{kind}_{name}", spec, arrays)


def _text_paths(root, kwargs, k, parts):
    """text_dataset_from_directory keeps no file_paths: index the folder as it does."""
    from keras.src.utils import dataset_utils
    kw = {key: kwargs[key] for key in ("labels", "class_names", "shuffle", "seed",
                                       "follow_links") if key in kwargs}
    labels = kw.pop("labels", "inferred")
    if kwargs.get("label_mode", "int") is None:
        labels = None
    seed = kw.pop("seed", None)
    paths, _, _ = dataset_utils.index_directory(root, labels, formats=(".txt",), seed=seed,
                                                verbose=False, **kw)
    split = kwargs.get("validation_split")
    if not split:
        return paths
    subset = kwargs["subset"] if parts == 1 else ("training", "validation")[k]
    with contextlib.redirect_stdout(io.StringIO()):
        return dataset_utils.get_training_or_validation_split(paths, None, split, subset)[0]


directory("sorted", "images", "classes", keep_batches=True, shuffle=False, batch_size=4)
directory("shuffled", "images", "classes", shuffle=True, seed=7, batch_size=3)
directory("shuffled_other_seed", "images", "classes", seed=123, batch_size=5)
directory("training", "images", "classes", validation_split=0.3, subset="training", seed=1337,
          batch_size=4)
directory("validation", "images", "classes", validation_split=0.3, subset="validation",
          seed=1337, batch_size=4)
directory("both", "images", "classes", keep_batches=True, validation_split=0.25, subset="both",
          seed=42, batch_size=2)
directory("unshuffled_split", "images", "classes", keep_batches=True, validation_split=0.4,
          subset="both", shuffle=False, batch_size=3)
directory("categorical", "images", "classes", keep_batches=True, label_mode="categorical",
          shuffle=False)
directory("binary", "images", "two", keep_batches=True, label_mode="binary", shuffle=False,
          batch_size=5)
directory("binary_chosen", "images", "classes", label_mode="binary",
          class_names=["dogs", "cats"], seed=9)
directory("class_order", "images", "classes", keep_batches=True, class_names=["ducks", "cats"],
          shuffle=False)
directory("no_labels", "images", "classes", keep_batches=True, labels=None, shuffle=False)
directory("no_label_mode", "images", "classes", label_mode=None, seed=5, batch_size=6)
directory("manual_labels", "images", "classes", keep_batches=True,
          labels=[0, 2, 1, 0, 1, 1, 2, 0, 1, 0, 2, 2, 1, 0], shuffle=False, batch_size=5)
directory("manual_shuffled", "images", "classes",
          labels=[3, 0, 1, 0, 1, 1, 2, 0, 1, 0, 2, 2, 1, 0], seed=11, label_mode="categorical")
directory("follow_links", "images", "classes", keep_batches=True, follow_links=True,
          shuffle=False)
directory("unbatched", "images", "classes", keep_batches=True, batch_size=None, shuffle=False)
directory("quiet", "images", "two", verbose=False, validation_split=0.5, subset="training",
          seed=1)
directory("sorted", "texts", "texts", shuffle=False, batch_size=4)
directory("shuffled", "texts", "texts", seed=8, batch_size=3)
directory("both", "texts", "texts", validation_split=0.34, subset="both", seed=21,
          label_mode="categorical")
directory("binary", "texts", "texts", label_mode="binary", class_names=["pos", "neg"], seed=2)
directory("no_labels", "texts", "texts", labels=None, shuffle=False)
directory("unbatched", "texts", "texts", batch_size=None, shuffle=False)


def texts(name, tree_name, **kwargs):
    """The texts of an unshuffled text dataset, in order, as bytes."""
    with written(tree_name) as root:
        ds = keras.utils.text_dataset_from_directory(root, shuffle=False, verbose=False,
                                                     **kwargs)
        out = []
        for x, _ in ds:
            out += list(x.numpy())
    cases.add(f"text_{name}", {"kind": "text", "tree": tree_name, "kwargs": kwargs,
                               "lengths": [len(t) for t in out]},
              {"texts": np.array(out, dtype=bytes)})


texts("whole", "texts")
texts("max_length", "texts", max_length=5)
texts("max_length_1", "texts", max_length=1)


def pixels(name, tree_name, **kwargs):
    with written(tree_name) as root:
        ds = keras.utils.image_dataset_from_directory(root, shuffle=False, verbose=False,
                                                      labels=None, batch_size=None, **kwargs)
        xs = [x.numpy() for x in ds]
        paths = rel(ds.file_paths, root)
        cases.add(f"pixels_{name}", {"kind": "pixels", "tree": tree_name, "kwargs": kwargs,
                                     "paths": paths, "dtype": xs[0].dtype.name,
                                     "bit_depths": [bit_depth(TREES[tree_name][0][p])
                                                    for p in paths]}, {"x": np.stack(xs)})


def bit_depth(data):
    """A PNG's bits per sample (IHDR): TensorFlow fills the alpha it adds to a PNG of 1, 2
    or 4 bits with 2**bits - 1 instead of 255 (a TensorFlow bug tensorkit leaves out)."""
    return data[24] if data[:8] == b"\x89PNG\r\n\x1a\n" else 8


for mode in ("rgb", "rgba", "grayscale"):
    pixels(f"modes_{mode}", "modes", color_mode=mode, image_size=(6, 7))
pixels("formats_rgb", "formats", image_size=(6, 7))
pixels("modes_grey_resized", "modes", color_mode="grayscale", image_size=(4, 9))
for size in [(5, 7), (11, 9), (2, 3), (4, 4), (7, 9)]:
    tag_ = "x".join(map(str, size))
    pixels(f"nearest_{tag_}", "sizes", image_size=size, interpolation="nearest")
    if size in [(4, 4), (7, 9)]:
        continue
    pixels(f"bilinear_{tag_}", "sizes", image_size=size)
    pixels(f"crop_{tag_}", "sizes", image_size=size, crop_to_aspect_ratio=True)
    if size != (2, 3):                   # a 3x10 image would shrink to 0 rows: Keras fails
        pixels(f"pad_{tag_}", "sizes", image_size=size, pad_to_aspect_ratio=True)
pixels("nearest_crop", "sizes", image_size=(5, 7), interpolation="nearest",
       crop_to_aspect_ratio=True)
pixels("nearest_pad", "sizes", image_size=(5, 7), interpolation="nearest",
       pad_to_aspect_ratio=True)
pixels("grey_pad", "sizes", image_size=(7, 4), color_mode="grayscale", pad_to_aspect_ratio=True)
pixels("square_int_size", "sizes", image_size=5)

idfd = keras.utils.image_dataset_from_directory
tdfd = keras.utils.text_dataset_from_directory
for name, kw in [("labels_string", dict(labels="folders")),
                 ("labels_and_class_names", dict(labels=[0] * 14, class_names=["a"])),
                 ("label_mode", dict(label_mode="sparse")),
                 ("color_mode", dict(color_mode="bgr")),
                 ("image_size", dict(image_size=(1, 2, 3))),
                 ("interpolation", dict(interpolation="cubic")),
                 ("split_range", dict(validation_split=1.5, subset="training", seed=1)),
                 ("subset_alone", dict(subset="training")),
                 ("split_alone", dict(validation_split=0.2)),
                 ("subset_name", dict(validation_split=0.2, subset="test", seed=1)),
                 ("split_no_seed", dict(validation_split=0.2, subset="both")),
                 ("class_names_unknown", dict(class_names=["cats", "birds"])),
                 ("no_labels_class_names", dict(labels=None, class_names=["cats"])),
                 ("no_label_mode_class_names", dict(label_mode=None, class_names=["cats"])),
                 ("binary_three", dict(label_mode="binary")),
                 ("labels_length", dict(labels=[0, 1])),
                 ("crop_and_pad", dict(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True))]:
    error(f"images_{name}", idfd, kw, "classes")
error("images_none_found", idfd, {}, "texts")
error("images_none_for_training", idfd, dict(validation_split=0.5, subset="both", seed=1),
      "texts")
for name, kw in [("labels_string", dict(labels="folders")),
                 ("label_mode", dict(label_mode="sparse")),
                 ("binary_three", dict(label_mode="binary")),
                 ("labels_length", dict(labels=[0, 1]))]:
    error(f"texts_{name}", tdfd, kw, "texts")
error("texts_none_found", tdfd, {}, "modes")


# ---- load_img, img_to_array, array_to_img, save_img ------------------------------------
def load(name, tree_name, path, **kwargs):
    with written(tree_name) as root:
        img = keras.utils.load_img(os.path.join(root, path), **kwargs)
        x = keras.utils.img_to_array(img)
    cases.add(f"load_{name}", {"kind": "load_img", "tree": tree_name, "path": path,
                               "kwargs": kwargs, "mode": img.mode, "size": list(img.size),
                               "dtype": x.dtype.name}, {"x": x})


load("rgb", "modes", "m/1_rgb.png")
load("rgba_as_rgb", "modes", "m/2_rgba.png")
load("rgb_as_grey", "modes", "m/1_rgb.png", color_mode="grayscale")
load("grey_as_rgba", "modes", "m/3_l.png", color_mode="rgba")
load("palette", "modes", "m/5_p.png")
load("i16_grey", "modes", "m/6_i16.png", color_mode="grayscale")
load("gif", "formats", "f/gif.gif")
for interp in ("nearest", "bilinear", "bicubic", "box"):
    load(f"resize_{interp}", "sizes", "s/7x12.png", target_size=(5, 8), interpolation=interp)
load("keep_aspect_wide", "sizes", "s/7x12.png", target_size=(4, 4), keep_aspect_ratio=True)
load("keep_aspect_tall", "sizes", "s/12x5.png", target_size=(3, 5), keep_aspect_ratio=True,
     interpolation="bilinear")
load("same_size", "sizes", "s/6x8.png", target_size=(6, 8), keep_aspect_ratio=True)


def to_img(name, x, **kwargs):
    img = keras.utils.array_to_img(x, **kwargs)
    cases.add(f"toimg_{name}", {"kind": "array_to_img", "kwargs": kwargs, "mode": img.mode},
              {"x": x, "pixels": np.asarray(img)})


to_img("unit_rgb", rng.random((3, 4, 3)).astype(np.float32))
to_img("signed_grey", rng.normal(size=(4, 2, 1)).astype(np.float32))
to_img("rgba_raw", rng.integers(0, 256, (2, 3, 4)).astype(np.float32) + 0.75, scale=False)
to_img("grey_big", (rng.random((3, 3, 1)) * 1000).astype(np.float32), scale=False)
to_img("constant", np.full((2, 2, 3), 7.0, np.float32))
to_img("ints", rng.integers(0, 256, (3, 2, 3)))

with tempfile.TemporaryDirectory() as root:
    for name, x, fname, kw in [("png", rng.random((4, 5, 3)), "a.png", {}),
                               ("grey", rng.integers(0, 256, (3, 4, 1)).astype(float), "g.png",
                                dict(scale=False)),
                               ("rgba_png", rng.random((2, 3, 4)), "r.png", {})]:
        keras.utils.save_img(os.path.join(root, fname), x, **kw)
        back = Image.open(os.path.join(root, fname))
        cases.add(f"save_{name}", {"kind": "save_img", "file": fname, "kwargs": kw,
                                   "mode": back.mode},
                  {"x": x, "pixels": np.asarray(back)})

for name, args in [("rank2", [np.zeros((3, 4))]), ("channels2", [np.zeros((3, 4, 2))])]:
    error(f"toimg_{name}", keras.utils.array_to_img, {}, args=args)
for name, args in [("rank1", [np.zeros(3)])]:
    error(f"toarray_{name}", keras.utils.img_to_array, {}, args=args)
error("load_path_type", keras.utils.load_img, {}, args=[3])

print(cases.save())
