"""keras.utils' data helpers against real Keras 3: timeseries_dataset_from_array,
image_dataset_from_directory, text_dataset_from_directory, load_img, array_to_img, save_img.

The cases come from scripts/reference/keras_data_utils.py, which made small folders of
PNG/GIF/BMP and text files (stored here byte for byte) and read them with Keras. The test
writes the same folders and checks that tensorkit finds the same files in the same order,
prints the same lines, splits and shuffles the file list as Keras does for the same seed,
gives each file the same label, and the same pixels (TensorFlow's decoding and resizing)
and texts. Which samples come together in a shuffled pass is tf.data's own (not
reproducible): shuffled datasets are compared per file, not per batch.
"""

import contextlib
import io
import os

import numpy as np
import pytest
from PIL import Image
from reference import load_cases, params

import tensorkit as tk

CASES = load_cases("keras_data_utils")


def write_tree(name, root):
    """The recorded folder `name` under root (files, empty folders, symlinks)."""
    spec, arrays = CASES[f"tree_{name}"]
    blob, offset = arrays["bytes"].tobytes(), 0
    for path, size in zip(spec["paths"], spec["sizes"]):
        full = root / path
        if path.endswith("/"):
            full.mkdir(parents=True, exist_ok=True)
            continue
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_bytes(blob[offset:offset + size])
        offset += size
    for path, target in spec["links"]:
        os.symlink(target, root / path)
    return root


def kwargs_of(spec):
    kw = dict(spec["kwargs"])
    if isinstance(kw.get("image_size"), list):
        kw["image_size"] = tuple(kw["image_size"])
    return kw


def rel(paths, root):
    return [os.path.relpath(p, root) for p in paths]


# ---- timeseries ----------------------------------------------------------------------------
@pytest.mark.parametrize("spec, arrays", params(CASES, "timeseries"))
def test_timeseries_windows_and_targets_are_keras(spec, arrays):
    targets = arrays["targets"] if spec["has_targets"] else None
    ds = tk.utils.timeseries_dataset_from_array(arrays["data"], targets, **spec["kwargs"])
    single = spec["kwargs"].get("batch_size", 128) is None
    lengths, xs, ys = [], [], []
    for batch in ds:
        x, y = batch if targets is not None else (batch, None)
        x = x.numpy()
        lengths.append(1 if single else len(x))
        xs.append(x[None] if single else x)
        if y is not None:
            ys.append(y.numpy()[None] if single else y.numpy())
    assert lengths == spec["lengths"]
    x = np.concatenate(xs)
    y = np.concatenate(ys) if ys else None
    if spec["kwargs"].get("shuffle"):
        order = np.lexsort(x.reshape(len(x), -1).T[::-1])
        x, y = x[order], None if y is None else y[order]
    np.testing.assert_allclose(x, arrays["x"], rtol=1e-6)
    if targets is not None:
        np.testing.assert_allclose(y, arrays["y"], rtol=1e-6)


# ---- folders ------------------------------------------------------------------------------
def _items(root, kind):
    """Each file's image (6x8 bilinear, as the recorded datasets) or text, by path."""
    if kind == "texts":
        return {p: open(os.path.join(root, p), "rb").read().decode("utf-8")
                for p in _all_files(root)}
    ds = tk.utils.image_dataset_from_directory(root, labels=None, shuffle=False, batch_size=None,
                                               image_size=(6, 8), verbose=False,
                                               follow_links=True)
    return {p: x.numpy() for p, x in zip(rel(ds.file_paths, root), ds)}


def _all_files(root):
    for folder, _, files in os.walk(root, followlinks=True):
        for name in files:
            yield os.path.relpath(os.path.join(folder, name), root)


def _identify(x, items, paths, kind):
    if kind == "images":
        found = [p for p in paths if items[p].shape == x.shape and np.array_equal(items[p], x)]
    else:
        found = [p for p in paths if items[p] == x]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("spec, arrays", params(CASES, "images") + params(CASES, "texts"))
def test_directory_datasets_find_split_and_label_files_as_keras(spec, arrays, tmp_path, capsys):
    kind = spec["kind"]
    root = write_tree(spec["tree"], tmp_path)
    items = _items(root, kind)
    fn = tk.utils.image_dataset_from_directory if kind == "images" else \
        tk.utils.text_dataset_from_directory
    capsys.readouterr()
    result = fn(str(root), **kwargs_of(spec))
    assert capsys.readouterr().out.splitlines() == spec["lines"]
    parts = result if isinstance(result, list) else [result]
    assert len(parts) == spec["parts"]
    batched = spec["kwargs"].get("batch_size", 32) is not None
    for k, ds in enumerate(parts):
        paths = rel(ds.file_paths, root)
        assert paths == spec[f"paths{k}"]
        assert ds.class_names == spec["class_names"]
        lengths, labels, order = [], {}, []
        for batch in ds:
            x, y = batch if isinstance(batch, tuple) else (batch, None)
            if kind == "images":
                assert x.dtype == spec[f"xdtype{k}"]
                x = x.numpy()
            if y is not None:
                assert y.dtype == spec[f"ydtype{k}"]
            lengths.append(len(x) if batched else 1)
            for i, xi in enumerate(x if batched else [x]):
                path = _identify(xi, items, paths, kind)
                order.append(path)
                if y is not None:
                    labels[path] = y.numpy()[i] if batched else y.numpy()
        assert lengths == spec[f"lengths{k}"]
        if f"order{k}" in spec:                       # unshuffled: the very batches
            assert order == spec[f"order{k}"]
        else:
            assert sorted(order) == sorted(paths)
        if f"labels{k}" in arrays:
            np.testing.assert_array_equal(np.stack([labels[p] for p in paths]),
                                          arrays[f"labels{k}"])
        else:
            assert not labels


@pytest.mark.parametrize("spec, arrays", params(CASES, "text"))
def test_texts_are_the_files_contents_cut_to_max_length_bytes(spec, arrays, tmp_path):
    root = write_tree(spec["tree"], tmp_path)
    ds = tk.utils.text_dataset_from_directory(str(root), shuffle=False, verbose=False,
                                              **spec["kwargs"])
    texts = [t for x, _ in ds for t in x]
    assert all(isinstance(t, str) for t in texts)
    # Keras gives bytes and may cut a character in two; a str drops the cut character
    want = [t.decode("utf-8", errors="ignore") for t in arrays["texts"]]
    assert texts == want
    assert [len(t.encode("utf-8")) for t in texts] == \
        [len(w.encode("utf-8")) for w in want]


@pytest.mark.parametrize("spec, arrays", params(CASES, "pixels"))
def test_images_are_decoded_and_resized_as_keras(spec, arrays, tmp_path):
    root = write_tree(spec["tree"], tmp_path)
    ds = tk.utils.image_dataset_from_directory(str(root), shuffle=False, verbose=False,
                                               labels=None, batch_size=None,
                                               **kwargs_of(spec))
    assert rel(ds.file_paths, root) == spec["paths"]
    xs = [x for x in ds]
    assert {x.dtype.name for x in xs} == {spec["dtype"]}
    got = np.stack([x.numpy() for x in xs])
    want = arrays["x"].copy()
    if spec["kwargs"].get("color_mode") == "rgba":
        for i, bits in enumerate(spec["bit_depths"]):
            if bits < 8:      # TensorFlow's added alpha is 2**bits - 1 there (its bug): 255 here
                assert (want[i, ..., 3] == 2 ** bits - 1).all()
                want[i, ..., 3] = 255
    if spec["dtype"] == "uint8":
        np.testing.assert_array_equal(got, want)
    else:                 # float32 sums in another order than TensorFlow's: a few ulps of 255
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-3)


# ---- load_img & co. ---------------------------------------------------------------------------
@pytest.mark.parametrize("spec, arrays", params(CASES, "load_img"))
def test_load_img_gives_keras_pil_image(spec, arrays, tmp_path):
    root = write_tree(spec["tree"], tmp_path)
    kw = dict(spec["kwargs"])
    if "target_size" in kw:
        kw["target_size"] = tuple(kw["target_size"])
    img = tk.utils.load_img(str(root / spec["path"]), **kw)
    assert img.mode == spec["mode"] and list(img.size) == spec["size"]
    x = tk.utils.img_to_array(img)
    assert x.dtype == spec["dtype"]
    np.testing.assert_array_equal(x, arrays["x"])


@pytest.mark.parametrize("spec, arrays", params(CASES, "array_to_img"))
def test_array_to_img_scales_and_picks_the_mode_as_keras(spec, arrays):
    img = tk.utils.array_to_img(arrays["x"], **spec["kwargs"])
    assert img.mode == spec["mode"]
    np.testing.assert_array_equal(np.asarray(img), arrays["pixels"])


@pytest.mark.parametrize("spec, arrays", params(CASES, "save_img"))
def test_save_img_writes_the_pixels_keras_writes(spec, arrays, tmp_path):
    path = tmp_path / spec["file"]
    tk.utils.save_img(str(path), arrays["x"], **spec["kwargs"])
    back = Image.open(path)
    assert back.mode == spec["mode"]
    np.testing.assert_array_equal(np.asarray(back), arrays["pixels"])


# ---- errors ----------------------------------------------------------------------------------
def _arg(a):
    return np.zeros(a["zeros"]) if isinstance(a, dict) else a


@pytest.mark.parametrize("spec, arrays", params(CASES, "error"))
def test_errors_say_what_keras_says_and_how_to_fix_it(spec, arrays, tmp_path):
    fn = getattr(tk.utils, spec["function"])
    kw = kwargs_of(spec)
    message = spec["message"].rstrip()
    with pytest.raises(Exception) as info, contextlib.redirect_stdout(io.StringIO()):
        if spec["tree"] is None:
            fn(*[_arg(a) for a in spec["args"]], **kw)
        else:
            root = write_tree(spec["tree"], tmp_path)
            message = message.replace("{dir}", str(root))
            fn(str(root), **kw)
    assert type(info.value).__name__ == spec["type"]
    assert str(info.value).startswith(message), (str(info.value), message)
    assert "Fix:" in str(info.value)
