"""Datasets from folders of files, as Keras 3's ``keras.utils.image_dataset_from_directory``
and ``text_dataset_from_directory``: one subfolder per class.

Which files, in which order, with which labels, and which go to training or validation
follow Keras exactly: subfolders sorted by name (hidden ones skipped), each walked with its
files sorted; then, with ``shuffle=True``, the list shuffled by
``numpy.random.RandomState(seed)``; the last ``int(validation_split * n)`` files are the
validation subset. So ``file_paths`` and the split are Keras' for the same folder and seed.
What differs: the order of the samples in each pass of a shuffled dataset (tf.data's
shuffle buffer can't be reproduced; here each pass takes a new order drawn from the seed).
"""

import os

import numpy

from .dataset import Batches
from .images import COLOR_MODES, fit_image, read_image

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory"]

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
KERAS_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                        "gaussian", "mitchellcubic")
LABEL_MODES = ("int", "categorical", "binary", None)


# ---- the checks Keras makes, in its words ----------------------------------------------------

def _check_labels(labels, label_mode, class_names, what):
    """Keras' checks of labels, label_mode and class_names; labels as Keras takes them (a
    NumPy array of labels becomes a list, which Keras wants)."""
    if isinstance(labels, numpy.ndarray) and labels.ndim == 1:
        labels = labels.tolist()
    if not (labels is None or isinstance(labels, str) and labels == "inferred"):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                f"`labels` argument should be a list/tuple of integer labels, of the same size "
                f"as the number of {what} in the target directory. If you wish to infer the "
                "labels from the subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only contains '
                f"{'images' if what == 'image files' else 'text samples'} (no labels), pass "
                f"`labels=None`. Received: labels={labels}. Fix: labels=\"inferred\" (the "
                "default) labels each file by its subfolder.")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}. Fix: "
                             "leave class_names out (they are the sorted labels).")
        bad = [v for v in labels if isinstance(v, bool) or
               not isinstance(v, (int, numpy.integer)) or v < 0]
        if bad:
            raise ValueError(f"`labels` must be class ids, integers >= 0, one per file. "
                             f"Received: {bad[0]!r} in labels. Fix: number the classes 0, 1, "
                             "2... (e.g. [class_names.index(c) for c in names]).")
    if label_mode not in LABEL_MODES:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}. Fix: \"int\" for class "
                         'ids (sparse_categorical_crossentropy), "categorical" for one-hot rows, '
                         '"binary" for two classes, None for no labels.')
    return labels


def _check_split(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}. Fix: the fraction kept for validation, e.g. "
                         "validation_split=0.2.")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely. "
                         'Fix: pass both, e.g. validation_split=0.2, subset="both", seed=123 '
                         "(one call gives the training and validation datasets).")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f'received: {subset}. Fix: subset="both" gives [training, '
                         "validation] in one call.")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset. Fix: pass seed=123 (any integer, "
                         "the same in both calls).")


def _whole(value, name, allow_none=True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
        example = {"batch_size": 32, "max_length": 1000}.get(name, 180)
        raise ValueError(f"`{name}` must be a positive integer{' or None' if allow_none else ''}"
                         f". Received: {name}={value!r}. Fix: e.g. {name}={example}.")
    return int(value)


# ---- the files -------------------------------------------------------------------------------

def _walk(top, follow_links, formats):
    """Files under `top` with an allowed extension: folders by path, files by name."""
    for root, _, files in sorted(os.walk(top, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """(file paths, labels (None or a list/array of ints), class names) as Keras' own
    index_directory lists them, shuffled by RandomState(seed) when `shuffle`."""
    if not os.path.isdir(directory):
        what = "is a file, not a folder" if os.path.exists(directory) else "does not exist"
        raise FileNotFoundError(f"The directory {os.fspath(directory)!r} {what}. Fix: pass the "
                                "folder that holds one subfolder per class (relative paths "
                                f"start from {os.getcwd()!r}).")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 "subdirectories of the target directory. Expected: "
                                 f"{subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}. Fix: name subfolders of "
                                 f"{os.fspath(directory)!r}, or leave class_names out.")
            subdirs = list(class_names)                     # in the order given
    else:
        subdirs = [""]                                     # every file under the directory
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` "
                                 "cannot be specified. Fix: leave class_names out (there are "
                                 "no classes), or keep labels='inferred' and label_mode.")
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels). Fix: leave class_names out.")
    paths, ids = [], []
    for i, sub in enumerate(subdirs):
        top = os.path.join(directory, sub)
        for path in _walk(top, follow_links, formats):
            paths.append(os.path.join(directory, sub, os.path.relpath(path, top)))
            ids.append(i)
    if labels == "inferred":
        labels = numpy.array(ids, dtype=numpy.int32)
    elif labels is None:
        subdirs = None
    else:
        if len(labels) != len(paths):
            raise ValueError("Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(paths)} files in directory {directory}. Fix: one "
                             "label per file, in the order of the sorted file paths.")
        subdirs = [str(label) for label in sorted(set(labels))]
        labels = list(labels)
    if verbose:
        print(f"Found {len(paths)} files." if labels is None else
              f"Found {len(paths)} files belonging to {len(subdirs)} classes.")
    if shuffle:
        if seed is None:
            seed = numpy.random.randint(int(1e6))
        order = list(range(len(paths)))
        numpy.random.RandomState(seed).shuffle(order)       # Keras' shuffle of the paths
        paths = [paths[i] for i in order]
        if labels is not None:
            labels = [labels[i] for i in order] if isinstance(labels, list) else labels[order]
    return paths, labels, subdirs


def _split(paths, labels, validation_split, subset):
    """The training part (all but the last int(validation_split * n)) or the validation
    part (that last slice), with Keras' message."""
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    if n_val == 0:
        raise ValueError(f"validation_split={validation_split} of {len(paths)} files is "
                         "int(validation_split * files) = 0 files for validation (Keras then "
                         "gives no training files, and all of them as validation). Fix: a "
                         "larger validation_split, or more files.")
    if subset == "training":
        print(f"Using {len(paths) - n_val} files for training.")
        part = slice(None, -n_val)
    else:
        print(f"Using {n_val} files for validation.")
        part = slice(-n_val, None)
    return paths[part], None if labels is None else labels[part]


def _encode_labels(labels, label_mode, num_classes):
    """int -> int32 (N,); categorical -> float32 one-hot (N, C); binary -> float32 (N, 1)."""
    ids = numpy.asarray(labels, dtype=numpy.int64)
    if label_mode == "int":
        return ids.astype(numpy.int32)
    top = num_classes if label_mode == "categorical" else 2
    if ids.size and ids.max() >= top:
        raise ValueError(f'label_mode="{label_mode}" needs labels 0..{top - 1}, but labels has '
                         f"{ids.max()} (Keras would give it a row of zeros, or the float "
                         f"{float(ids.max())}). Fix: number the classes 0..{top - 1}.")
    if label_mode == "binary":
        return ids.astype(numpy.float32)[:, None]
    return numpy.eye(num_classes, dtype=numpy.float32)[ids]


def _datasets(directory, paths, labels, label_mode, class_names, validation_split, subset,
              shuffle, seed, batch_size, load, spec, what):
    """The dataset (or [training, validation] for subset="both") of `paths`."""
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}. Fix: "
                         'label_mode="int" (or "categorical") for more classes.')
    if label_mode is not None:
        labels = _encode_labels(labels, label_mode, len(class_names))
        spec = spec + [("labels", {"int": (), "categorical": (len(class_names),),
                                   "binary": (1,)}[label_mode],
                        "int32" if label_mode == "int" else "float32")]

    if not paths:
        allowed = f"formats: {IMAGE_FORMATS}" if what == "images" else "format: .txt"
        raise ValueError(f"No {'training ' if subset == 'both' else ''}{what} found in directory "
                         f"{directory}. Allowed {allowed}. Fix: put the files in one subfolder "
                         f"per class, e.g. {os.path.join(directory, 'class_a', '')}...")

    def dataset(part, shuffled):
        paths, labels = part

        def make(rows):
            x = load([paths[i] for i in rows])
            return (x,) if labels is None else (x, labels[rows])
        return Batches(len(paths), make, batch_size, shuffle=shuffled, seed=seed, spec=spec,
                       class_names=class_names, file_paths=paths)

    if subset == "both":
        return [dataset(_split(paths, labels, validation_split, "training"), shuffle),
                dataset(_split(paths, labels, validation_split, "validation"), False)]
    return dataset(_split(paths, labels, validation_split, subset), shuffle)


# ---- the two functions ---------------------------------------------------------------------

def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """A dataset of (images, labels) batches from a folder with one subfolder of images
    (.bmp, .gif, .jpeg, .jpg, .png) per class, as ``keras.utils.image_dataset_from_directory``.

    Images: float32 ``(batch, height, width, channels)`` in 0..255 (uint8 with
    ``interpolation="nearest"``, as Keras), resized to `image_size` (bilinear or nearest,
    as Keras; ``crop_to_aspect_ratio``/``pad_to_aspect_ratio`` keep the shape undistorted).
    Labels by `label_mode`: "int" (int32 class ids), "categorical" (float32 one-hot),
    "binary" (float32 (batch, 1), two classes) or None (images alone). `class_names` lists
    the subfolders in label order. ``validation_split=0.2, subset="both", seed=...`` gives
    ``[training, validation]`` (the validation one not shuffled). The dataset has
    ``class_names`` and ``file_paths``; ``fit`` takes it.
    """
    labels = _check_labels(labels, label_mode, class_names, "image files")
    if labels is None or label_mode is None:
        labels = label_mode = None
    if color_mode not in COLOR_MODES:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f'Received: color_mode={color_mode}. Fix: "rgb" (3 channels), "rgba" '
                         '(4) or "grayscale" (1).')
    channels = COLOR_MODES[color_mode]
    if isinstance(image_size, int) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or not len(image_size) == 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}. Fix: (height, width), e.g. "
                         "image_size=(180, 180).")
    size = tuple(_whole(n, "image_size", allow_none=False) for n in image_size)
    interpolation = interpolation.lower() if isinstance(interpolation, str) else interpolation
    if interpolation not in KERAS_INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {KERAS_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}. Fix: "
                         "interpolation='bilinear' (the default) or 'nearest'.")
    if interpolation not in ("bilinear", "nearest"):
        raise ValueError(f"image_dataset_from_directory here resizes with 'bilinear' or "
                         f"'nearest' (as TensorFlow's resize). Received: interpolation="
                         f"{interpolation!r}. Fix: interpolation='bilinear' (the default).")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set "
                         "to `True`. Fix: crop (cut the long side) or pad (fill the short side "
                         "with zeros), not both.")
    if data_format not in (None, "channels_last"):
        raise ValueError("image_dataset_from_directory gives channels last (batch, height, "
                         "width, channels), as tensorkit everywhere. Received: data_format="
                         f"{data_format!r}")
    batch_size = _whole(batch_size, "batch_size")
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = numpy.random.randint(int(1e6))
    paths, labels, class_names = index_directory(
        directory, labels, IMAGE_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)

    def load(batch_paths):                         # (B, height, width, channels)
        return numpy.stack([fit_image(read_image(p, channels), size, interpolation,
                                      crop_to_aspect_ratio, pad_to_aspect_ratio)
                            for p in batch_paths])
    spec = [("images", size + (channels,), "uint8" if interpolation == "nearest"
             else "float32")]
    return _datasets(directory, paths, labels, label_mode, class_names, validation_split,
                     subset, shuffle, seed, batch_size, load, spec, "images")


def _read_text(path, max_length):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"The file {path!r} is not UTF-8 text (byte {e.start}: {e.reason}). "
                         "Fix: save it as UTF-8 (e.g. open(path, encoding='latin-1').read() "
                         "and write it back with encoding='utf-8').") from None
    if max_length is not None and len(data) > max_length:   # bytes, as tf.strings.substr
        text = data[:max_length].decode("utf-8", errors="ignore")   # drops a cut character
    return text


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A dataset of (texts, labels) batches from a folder with one subfolder of .txt files
    per class, as ``keras.utils.text_dataset_from_directory``.

    Texts come as a NumPy array of str (Keras gives byte strings; tensors here hold numbers
    only), read as UTF-8, cut to `max_length` bytes when given; TextVectorization and
    StringLookup take them. Labels, `class_names`, splits and shuffling as
    ``image_dataset_from_directory``. The dataset has ``class_names`` and ``file_paths``.
    """
    labels = _check_labels(labels, label_mode, class_names, "text files")
    if labels is None or label_mode is None:
        labels = label_mode = None
    max_length = _whole(max_length, "max_length")
    batch_size = _whole(batch_size, "batch_size")
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = numpy.random.randint(int(1e6))
    paths, labels, class_names = index_directory(
        directory, labels, (".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)

    def load(batch_paths):                         # (B,) str
        texts = numpy.empty(len(batch_paths), dtype=object)
        texts[:] = [_read_text(p, max_length) for p in batch_paths]
        return texts
    return _datasets(directory, paths, labels, label_mode, class_names, validation_split,
                     subset, shuffle, seed, batch_size, load, [("texts", (), "str")],
                     "text files")
