"""Save and load models: one zip file of a JSON config and ``.npz`` weights. Loading runs no code.

``model.save("digits.tkmodel")`` writes one zip file (any name works; ``.tkmodel`` is the
suggested extension) holding:

- ``config.json``: ``{"format": "tensorkit-model", "format_version": 1, "class_name":
  "Sequential" | "Functional" | ..., "config": {...}, "compile_config": ... | null}``. Layer
  entries are Keras-like ``{"class_name", "config"}``; a functional model lists its layers
  with Keras-2 / TensorFlow.js style ``inbound_nodes`` (``[[[layer, node, tensor, kwargs],
  ...], ...]``, one list per call), so the TF.js exporter can reuse the configs.
- ``weights.npz``: one array per weight, keyed by the weight's name (``"dense/kernel"``) in
  ``model.weights`` order (``":1"``, ``":2"`` are added if two weights share a name).
- ``constants.npz``: constants of raw ops between functional tensors (``x * 2``), if any.
- ``optimizer.npz``: the optimizer's state when the model is compiled, so training resumes.

``load_model(path)`` reads JSON with ``json.loads`` and arrays with numpy's ``.npy`` header
parser (no pickle); layer classes come only from tensorkit's own registry by name. Every
size, name, shape and dtype is checked before anything big is allocated, so a truncated,
corrupt or hostile file is refused with a clear ``ModelFileError``. Lambda layers are code:
they are refused at save time (never stored), so ``safe_mode`` has nothing to unlock.

Saves are atomic: the file is written next to the target and moved over it with
``os.replace`` only when complete, so a failed save leaves the old file as it was.
"""

import io
import json
import math
import os
import tempfile
import zipfile
import zlib

import numpy
import numpy.lib.format as npy_format

from .layers.base import Layer

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "serialize_layer",
           "model_to_json", "model_from_json",
           "deserialize_layer", "layer_registry", "ModelFileError", "SaveError", "EXTENSION"]

FORMAT, FORMAT_VERSION, EXTENSION = "tensorkit-model", 1, ".tkmodel"
MEMBERS = ("config.json", "weights.npz", "constants.npz", "optimizer.npz")
MAX_CONFIG_BYTES = 16 * 2**20
MAX_ARRAY_BYTES = 2 * 2**30          # all arrays of one file together, uncompressed
MAX_ARRAYS = 100_000
MAX_RATIO = 200                      # tensorkit stores arrays uncompressed: more is a zip bomb


class ModelFileError(ValueError):
    """A model or weights file that is damaged, not a tensorkit file, or hostile."""


class SaveError(ValueError):
    """A model that cannot be saved as data (a Lambda layer, a custom function...)."""


# ---- the registry: class names -> tensorkit's own layer classes ------------------------
def layer_registry():
    """Every layer class a file may name: tensorkit's own, by class name (Lambda left out)."""
    from . import layers, models
    found = {}
    for obj in vars(layers).values():
        if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer and \
                obj.__module__.startswith("tensorkit."):
            found[obj.__name__] = obj
    found.update(InputLayer=models.InputLayer, Sequential=models.Sequential,
                 Functional=models.Model, OpLayer=models.OpLayer)
    found.pop("Lambda", None)
    return found


def _class_name(layer):
    from .layers.core import Lambda
    from .models import Model, OpLayer, Sequential
    if isinstance(layer, Lambda):
        raise SaveError(
            f"Layer '{layer.name}' is a Lambda: it holds Python code, and tensorkit model "
            "files never store code (loading one must never run anything). Fix: write a small "
            "Layer subclass with get_config(), or rebuild the model in code and use "
            "model.save_weights(path) / model.load_weights(path).")
    if type(layer) is Sequential:
        return "Sequential"
    if type(layer) is Model and layer._functional:
        return "Functional"
    if type(layer) is OpLayer:
        return "OpLayer"
    return type(layer).__name__


# ---- JSON: plain values only -------------------------------------------------------------
def _plain(value, where):
    """`value` as JSON data: tuples, slices, Ellipsis and dtypes get tagged dicts."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, numpy.integer)):
        return int(value)
    if isinstance(value, (float, numpy.floating)):
        return float(value)
    if isinstance(value, list):
        return [_plain(v, where) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_plain(v, where) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _plain(v, where) for k, v in value.items()}
    if isinstance(value, slice):
        return {"__slice__": [_plain(v, where) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, numpy.dtype) or (isinstance(value, type) and
                                          issubclass(value, numpy.generic)):
        return {"__dtype__": numpy.dtype(value).name}
    raise SaveError(f"{where} holds {type(value).__name__} {value!r:.60}, which cannot be saved "
                    "as data. Fix: use numbers, strings and lists in configs (e.g. an "
                    "activation's name, not a function).")


def _unplain(value):
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__tuple__"} and isinstance(value["__tuple__"], list):
            return tuple(_unplain(v) for v in value["__tuple__"])
        if set(value) == {"__slice__"} and isinstance(value["__slice__"], list) and \
                len(value["__slice__"]) == 3 and \
                all(v is None or type(v) is int for v in value["__slice__"]):
            return slice(*value["__slice__"])
        if set(value) == {"__ellipsis__"}:
            return Ellipsis
        if set(value) == {"__dtype__"} and isinstance(value["__dtype__"], str):
            from .tensor import as_dtype
            return as_dtype(value["__dtype__"])
        return {k: _unplain(v) for k, v in value.items()}
    return value


def _layer_config(layer):
    """get_config() as JSON data, checked to rebuild the layer (so problems show at save)."""
    config = _plain(layer.get_config(), f"Layer '{layer.name}' config")
    cls = layer_registry().get(type(layer).__name__)
    if cls is type(layer):
        try:
            cls.from_config(_unplain(config))
        except Exception as e:
            raise SaveError(f"Layer '{layer.name}' ({type(layer).__name__}) cannot be saved: "
                            f"its config does not rebuild it ({e}). Fix: use named "
                            "activations and initializers, or save_weights().") from None
    return config


# ---- models -> config ----------------------------------------------------------------------
def serialize_layer(layer, constants=None):
    """``{"class_name", "config"}`` for a layer or model, nested models included."""
    name = _class_name(layer)
    if name == "Sequential":
        items = ([layer._input_layer] if layer._input_layer is not None else []) + layer.layers
        config = {"name": layer.name, "trainable": layer.trainable, "dtype": str(layer.dtype),
                  "layers": [serialize_layer(l, constants) for l in items],
                  "build_input_shape": _shape_json(layer._build_shapes)
                  if layer._input_layer is None else None}
    elif name == "Functional":
        config = _functional_config(layer, constants)
    elif name == "OpLayer":
        config = _op_layer_config(layer, constants)
    else:
        config = _layer_config(layer)
        if isinstance(layer, _model_class()):                 # a subclassed model
            config = {**config, "build_input_shape": _shape_json(layer._build_shapes)}
    return {"class_name": name, "config": config}


def _model_class():
    from .models import Model
    return Model


def _shape_json(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [[None] + [int(n) if n is not None else None for n in s[1:]] for s in shape]
    return [None] + [int(n) if n is not None else None for n in shape[1:]]


def _op_layer_config(layer, constants):
    if constants is None:
        raise SaveError(f"'{layer.name}' (a raw op) can only be saved inside its model.")
    args = []
    for i, a in enumerate(layer.args):
        if a is None:
            args.append(None)
        elif a.is_symbolic:
            raise SaveError(f"The op layer '{layer.name}' uses a symbolic tensor that is not "
                            "computed from the model's inputs. Fix: pass it as a tk.Input.")
        else:
            key = f"{layer.name}/arg{i}"
            constants[key] = a.numpy()
            args.append({"constant": key})
    return {"name": layer.name, "op": layer.op.name, "args": args,
            "attrs": _plain(layer.attrs, f"op layer '{layer.name}' attributes")}


def _functional_config(model, constants):
    from .models import InputLayer
    names = [l.name for l in model.layers]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SaveError(f"Model '{model.name}' has several layers named {twice}: a saved "
                        "model finds layers by name. Fix: give each layer its own name=.")
    node_of, nodes = {}, {l.name: [] for l in model.layers}
    for call in model._calls:
        index = len(nodes[call.layer.name])
        node_of[id(call)] = index
        if call.args:
            raise SaveError(f"Layer '{call.layer.name}' was called with extra positional "
                            "arguments, which a saved model cannot replay. Fix: pass them by "
                            "name, or as a list of inputs.")
        kwargs = _plain(call.kwargs, f"the call of layer '{call.layer.name}'")
        refs = [_tensor_ref(t, node_of) + [kwargs if j == 0 else {}]
                for j, t in enumerate(call.inputs)]
        nodes[call.layer.name].append(refs)
    layers = []
    for layer in model.layers:
        entry = serialize_layer(layer, constants)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [] if isinstance(layer, InputLayer) else nodes[layer.name]
        layers.append(entry)
    ins = [_tensor_ref(t, node_of) for t in model.inputs]
    outs = [_tensor_ref(t, node_of) for t in model.outputs]
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": ins[0] if model._single_input else ins,
            "output_layers": outs[0] if model._single_output else outs}


def _tensor_ref(t, node_of):
    call = t.history
    from .models import InputLayer
    node = 0 if isinstance(call.layer, InputLayer) else node_of[id(call)]
    return [call.layer.name, node, next(i for i, o in enumerate(call.outputs) if o is t)]


# ---- weights ---------------------------------------------------------------------------------
def _weight_keys(model):
    """[(key, weight)] in model.weights order; a repeated name gets ':1', ':2', ..."""
    seen, out = {}, []
    for w in model.weights:
        n = seen.get(w.name, 0)
        seen[w.name] = n + 1
        out.append((w.name if n == 0 else f"{w.name}:{n}", w))
    return out


def _npz_bytes(arrays):
    """An .npz (zip of .npy, stored uncompressed) readable by numpy.load as well."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in arrays.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as f:
                npy_format.write_array(f, numpy.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def _spec_plain(value, module, base, what):
    """A loss/metric spec (names, tensorkit objects, lists/dicts of them) as JSON data."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_spec_plain(v, module, base, what) for v in value]
    if isinstance(value, dict):
        return {str(k): _spec_plain(v, module, base, what) for k, v in value.items()}
    if isinstance(value, base) and getattr(module, type(value).__name__, None) is type(value):
        return {"class_name": type(value).__name__,
                "config": _plain(value.get_config(), f"the {what} config")}
    for name, fn in getattr(module, "_FUNCTIONS", {}).items():
        if fn is value:
            return name
    raise SaveError(f"the {what} {value!r:.40} is not one of tensorkit's")


def _spec_unplain(value, module, base, path):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_spec_unplain(v, module, base, path) for v in value]
    if isinstance(value, dict) and set(value) == {"class_name", "config"}:
        cls = getattr(module, str(value["class_name"]), None)
        if not (isinstance(cls, type) and issubclass(cls, base) and
                cls.__module__.startswith("tensorkit.") and isinstance(value["config"], dict)):
            raise ModelFileError(f"{path}: unknown class {value['class_name']!r} in the compile "
                                 "config; nothing was run.")
        return cls.from_config(_unplain(value["config"]))
    if isinstance(value, dict):
        return {k: _spec_unplain(v, module, base, path) for k, v in value.items()}
    raise _damaged(path, f"the compile config holds {value!r:.40}")


def _optimizer_state(model):
    """(compile_config, {key: array}) when the model is compiled, else (None, {}).

    A loss given as your own function is left out (compile again after loading); metrics
    likewise. The optimizer state comes from ``optimizer.get_state()``.
    """
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "get_config"):
        return None, {}
    from . import losses, metrics
    compile_config = {"optimizer": {"class_name": type(opt).__name__,
                                    "config": _plain(opt.get_config(), "the optimizer config")}}
    specs = {"loss": (getattr(model, "_loss_spec", getattr(model, "loss", None)), losses,
                      losses.Loss),
             "metrics": (getattr(model, "_metric_spec", None), metrics, metrics.Metric),
             "weighted_metrics": (getattr(model, "_weighted_metric_spec", None), metrics,
                                  metrics.Metric)}
    for key, (value, module, base) in specs.items():
        try:
            compile_config[key] = _spec_plain(value, module, base, key)
        except SaveError:
            compile_config[key] = None
    compile_config["loss_weights"] = _plain(getattr(model, "_loss_weights", None),
                                            "loss_weights")
    state = {}
    if hasattr(opt, "get_state"):
        got = opt.get_state()
        if got["variables"] or got["iterations"]:
            state["iterations"] = numpy.asarray(got["iterations"], dtype=numpy.int64)
            for i, v in enumerate(got["variables"]):
                state[f"state_{i:05d}"] = numpy.asarray(v)
    return compile_config, state


def _check_model(model, who):
    if not isinstance(model, _model_class()):
        raise TypeError(f"{who} saves models (tk.Sequential, tk.Model), received "
                        f"{type(model).__name__}. Fix: put the layer in a model first.")


def save_model(model, path):
    """Write `model` (architecture, weights, optimizer state) to one file, atomically."""
    _check_model(model, "save_model")
    _check_url(path)
    constants = {}
    top = serialize_layer(model, constants)                       # may refuse: before writing
    compile_config, opt_state = _optimizer_state(model)
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "tensorkit_version":
           _version(), **top, "compile_config": compile_config}
    config = json.dumps(doc, indent=1, allow_nan=False).encode()
    weights = {key: w.numpy() for key, w in _weight_keys(model)}

    def write(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.writestr("config.json", config)
            zf.writestr(zipfile.ZipInfo("weights.npz"), _npz_bytes(weights), zipfile.ZIP_STORED)
            if constants:
                zf.writestr("constants.npz", _npz_bytes(constants), zipfile.ZIP_STORED)
            if opt_state:
                zf.writestr("optimizer.npz", _npz_bytes(opt_state), zipfile.ZIP_STORED)

    _atomic_write(path, write)


def save_weights(model, path):
    """Write the weights alone as an .npz keyed by weight name, atomically."""
    _check_model(model, "save_weights")
    _check_url(path)
    data = _npz_bytes({key: w.numpy() for key, w in _weight_keys(model)})
    _atomic_write(path, lambda f: f.write(data))


def _check_url(path):
    path = os.fspath(path)
    if "://" in path:
        raise ValueError(f"cannot save to {path!r}: 'downloads://', 'indexeddb://' and "
                         "'localstorage://' are TF.js browser storage, not files. Fix: save to "
                         f"a file, model.save('model{EXTENSION}'), or write a TF.js folder "
                         "with model.save('web/model', format='tfjs').")


def _version():
    from . import __version__
    return __version__


def _atomic_write(path, write):
    """Write to a temporary file beside `path`, then move it over `path` in one step."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path!r}: the folder {folder!r} does not "
                                f"exist. Fix: create it first: os.makedirs({folder!r}, "
                                "exist_ok=True).")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save to {path!r}: it is a folder. Fix: give a file "
                                f"name, e.g. {os.path.join(path, 'model' + EXTENSION)!r}.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---- reading, defensively ---------------------------------------------------------------------
def _damaged(path, detail):
    return ModelFileError(f"{path}: the file is damaged ({detail}). It may have been cut short "
                          "while copying or saving. Fix: save the model again, or use an older "
                          "copy of the file.")


def _hostile(path, detail):
    return ModelFileError(f"refusing to load {path}: {detail}. This is not a file that "
                          "tensorkit's save() writes; nothing in it was run.")


def _member_name_problem(name):
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
        return f"the member name {name!r} points outside the archive (path traversal)"
    return None


def _open_zip(path, data, kind, allowed=None):
    """A ZipFile over `data` whose member names and sizes have been checked."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise _damaged(path, f"{kind} is not a readable zip archive: {e}") from None
    names, total = set(), 0
    if len(infos) > MAX_ARRAYS:
        raise _hostile(path, f"{kind} has {len(infos):,} members")
    for info in infos:
        problem = _member_name_problem(info.filename)
        if problem:
            raise _hostile(path, problem)
        if info.filename in names:
            raise _hostile(path, f"{kind} has the member {info.filename!r} twice")
        names.add(info.filename)
        if allowed is not None and info.filename not in allowed:
            raise _hostile(path, f"unexpected member {info.filename!r} (a model file holds "
                                 f"only {', '.join(allowed)})")
        if info.flag_bits & 0x1:
            raise _hostile(path, f"the member {info.filename!r} is encrypted")
        total += info.file_size
        if info.file_size > 8 * 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _hostile(path, f"the member {info.filename!r} would expand from "
                                 f"{info.compress_size:,} to {info.file_size:,} bytes (a zip "
                                 "bomb)")
        if total > MAX_ARRAY_BYTES + MAX_CONFIG_BYTES:
            raise _hostile(path, f"{kind} would expand to more than "
                                 f"{(MAX_ARRAY_BYTES + MAX_CONFIG_BYTES) // 2**20:,} MiB")
    return zf


def _read_member(path, zf, name, limit):
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise _hostile(path, f"{name} declares {info.file_size:,} bytes, more than the "
                             f"{limit:,} allowed")
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)                # the declared size bounds what comes out
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as e:
        raise _damaged(path, f"{name} cannot be read: {e}") from None
    if len(data) != info.file_size:
        raise _damaged(path, f"{name} has {len(data):,} bytes, its header says "
                             f"{info.file_size:,}")
    return data


def _read_npy(path, name, data):
    """One .npy member -> array, parsing the header ourselves: no pickle, no big surprises."""
    f = io.BytesIO(data)
    try:
        version = npy_format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(f, max_header_size=10000)
        elif version == (2, 0):
            shape, fortran, dtype = npy_format.read_array_header_2_0(f, max_header_size=10000)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as e:
        raise _damaged(path, f"array {name!r} has no valid .npy header: {e}") from None
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None or \
            dtype.kind not in "fiub":
        raise _hostile(path, f"array {name!r} has dtype {dtype}: model files hold numbers "
                             "only (object arrays would need pickle)")
    if any(type(n) is not int or n < 0 for n in shape):
        raise _hostile(path, f"array {name!r} has the shape {shape}")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes != len(data) - f.tell():
        raise _damaged(path, f"array {name!r} of shape {shape} and dtype {dtype} needs "
                             f"{nbytes:,} bytes but {len(data) - f.tell():,} are stored")
    arr = numpy.frombuffer(data, dtype=dtype, offset=f.tell()).reshape(
        shape, order="F" if fortran else "C")
    return numpy.array(arr, dtype=dtype.newbyteorder("=") if dtype.byteorder == ">" else dtype)


def _read_npz(path, data, kind):
    """An .npz given as bytes -> {key: array}, in the stored order."""
    zf = _open_zip(path, data, kind)
    out = {}
    for info in zf.infolist():
        if not info.filename.endswith(".npy"):
            raise _hostile(path, f"{kind} holds {info.filename!r}, which is not a .npy array")
        raw = _read_member(path, zf, info.filename, MAX_ARRAY_BYTES)
        out[info.filename[:-4]] = _read_npy(path, info.filename, raw)
    return out


def _read_file(path):
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no file at {path!r}. Fix: check the name (model files are "
                                f"written by model.save(path), e.g. 'model{EXTENSION}').")
    if os.path.isdir(path):
        raise ModelFileError(f"{path!r} is a folder, not a tensorkit model file. (A Keras or "
                             "TF.js export? tensorkit files are one zip file.)")
    size = os.path.getsize(path)
    if size > MAX_ARRAY_BYTES + MAX_CONFIG_BYTES:
        raise _hostile(path, f"it is {size:,} bytes, more than the limit")
    with open(path, "rb") as f:
        data = f.read()
    _sniff(path, data)
    return data


def _sniff(path, data):
    """Name the format of a file that is not a zip (tensorkit files always are)."""
    if data[:2] == b"PK":
        return
    head = data[:64]
    if not data:
        raise _damaged(path, "it is empty: 0 bytes")
    if head.startswith(b"\x89HDF"):
        kind = "an HDF5 file (Keras .h5 format)"
    elif head.lstrip()[:1] in (b"{", b"["):
        kind = "a JSON file (a TF.js model.json? load that folder with tk.models.load_tfjs)"
    elif head[:1] == b"\x80":
        kind = "a Python pickle (pickle.dump, or PyTorch's old .pt format), which tensorkit " \
               "never loads: unpickling can run code"
    elif str(path).endswith((EXTENSION, ".npz")) or not all(
            32 <= b < 127 or b in b"\t\r\n" for b in head):
        return                                   # damaged: _open_zip says so
    else:
        kind = "a text file"
    raise ModelFileError(f"{path} is {kind}, not a tensorkit model file. tensorkit reads the "
                         "files its own model.save(path) and save_weights(path) write. Fix: "
                         f"check the path, or save the model from tensorkit: "
                         f"model.save('model{EXTENSION}').")


def _load_weights_into(path, model, arrays, kind="the file", by_name=False):
    """Check every weight against the file, then assign them all (nothing half-loaded).

    Weights pair up in order (as Keras' load_weights), so a model built again in code, whose
    automatic names differ (dense_2 instead of dense), still loads; `by_name` (load_model,
    whose rebuilt names are the saved ones) also requires the names to match.
    """
    expected, stored = _weight_keys(model), list(arrays.items())
    names = [k for k, _ in expected]
    if len(stored) != len(expected) or (by_name and names != [k for k, _ in stored]):
        raise ModelFileError(
            f"{path}: {kind} holds {len(stored)} weights {[k for k, _ in stored][:8]} but "
            f"model '{model.name}' has {len(expected)} {names[:8]}. Fix: load into the same "
            "architecture that was saved (same layers, in the same order).")
    for (key, w), (saved_as, arr) in zip(expected, stored):
        also = "" if saved_as == key else f" (saved as '{saved_as}')"
        if tuple(arr.shape) != tuple(w.shape):
            raise ModelFileError(f"{path}: weight '{key}' has shape {tuple(w.shape)} in the "
                                 f"model but {tuple(arr.shape)} in {kind}{also}. Fix: build "
                                 "the model with the sizes it was saved with.")
        if arr.dtype != w.dtype:
            raise ModelFileError(f"{path}: weight '{key}' is {w.dtype} in the model but "
                                 f"{arr.dtype} in {kind}{also}.")
    for (_, w), (_, arr) in zip(expected, stored):
        w.assign(arr)


def load_weights(model, path):
    """Set `model`'s weights from save_weights' .npz, checking every name and shape first."""
    _check_model(model, "load_weights")
    data = _read_file(path)
    _load_weights_into(path, model, _read_npz(path, data, "the weights file"))


def _get(path, d, key, types, where):
    if not isinstance(d, dict) or key not in d:
        raise _damaged(path, f"{where} has no {key!r}")
    if not isinstance(d[key], types):
        raise _hostile(path, f"{where}[{key!r}] is {type(d[key]).__name__}, not the expected "
                             "kind of value")
    return d[key]


class _Loader:
    """Rebuilds layers from a checked config: classes only from the registry, no code."""

    def __init__(self, path, constants, int_cap, custom_objects):
        self.path, self.constants, self.int_cap = path, constants, int_cap
        self.registry = {**layer_registry(), **(custom_objects or {})}

    def layer(self, entry, where="config"):
        class_name = _get(self.path, entry, "class_name", str, where)
        config = _get(self.path, entry, "config", dict, where)
        name = config.get("name", "?")
        if class_name == "Lambda":
            raise _hostile(self.path, f"layer {name!r} is a Lambda: it would need to run code, "
                                      "and tensorkit never loads code")
        cls = self.registry.get(class_name)
        if cls is None:
            raise ModelFileError(
                f"{self.path}: layer {name!r} has class_name {class_name!r}, which is not a "
                "tensorkit layer; nothing was run. Fix: if it is your own Layer subclass, pass "
                f"tk.saving.load_model(path, custom_objects={{{class_name!r}: {class_name}}}).")
        self._check_ints(config, f"layer {name!r}")
        try:
            if class_name == "Sequential":
                return self.sequential(config)
            if class_name == "Functional":
                return self.functional(config)
            if class_name == "OpLayer":
                return self.op_layer(config)
            kwargs = _unplain({k: v for k, v in config.items() if k != "build_input_shape"})
            layer = cls.from_config(kwargs)
            if isinstance(layer, _model_class()) and config.get("build_input_shape"):
                layer(self.symbolic(config["build_input_shape"]))
            return layer
        except ModelFileError:
            raise
        except Exception as e:
            raise ModelFileError(f"{self.path}: could not rebuild layer {name!r} "
                                 f"({class_name}) from its saved config: "
                                 f"{type(e).__name__}: {e}") from None

    def _check_ints(self, value, where):
        """Huge sizes in a config would allocate huge weights: refuse them before building."""
        if isinstance(value, dict):
            for k, v in value.items():
                if "seed" not in k:
                    self._check_ints(v, where)
        elif isinstance(value, list):
            for v in value:
                self._check_ints(v, where)
        elif isinstance(value, int) and abs(value) > self.int_cap:
            raise _hostile(self.path, f"{where} asks for the size {value:,}, far more than its "
                                      "weights file holds")

    def symbolic(self, shape):
        from .tensor import symbolic
        if isinstance(shape, list) and shape and isinstance(shape[0], list):
            return [symbolic(tuple(s)) for s in shape]
        return symbolic(tuple(shape))

    def sequential(self, config):
        from .models import Sequential
        entries = _get(self.path, config, "layers", list, "a Sequential config")
        model = Sequential(name=config.get("name"))
        for i, entry in enumerate(entries):
            model.add(self.layer(entry, f"layer {i} of Sequential {model.name!r}"))
        shape = config.get("build_input_shape")
        if shape and model._input_layer is None:
            model(self.symbolic(shape))
        if config.get("trainable") is False:
            model.trainable = False
        return model

    def op_layer(self, config):
        from .models import OpLayer
        from .tensor import OPS, tensor
        op = OPS.get(_get(self.path, config, "op", str, "an op layer"))
        if op is None:
            raise ModelFileError(f"{self.path}: unknown op {config['op']!r} (not a tensorkit "
                                 "op); nothing was run.")
        args = []
        for a in _get(self.path, config, "args", list, "an op layer"):
            if a is None:
                args.append(None)
            elif isinstance(a, dict) and a.get("constant") in self.constants:
                args.append(tensor(self.constants[a["constant"]]))
            else:
                raise _damaged(self.path, f"op layer {config.get('name')!r} refers to a "
                                          f"constant that is not stored: {a!r:.60}")
        attrs = _unplain(_get(self.path, config, "attrs", dict, "an op layer"))
        layer = OpLayer(op, args, attrs)
        layer.name = str(config.get("name", layer.name))
        return layer

    def functional(self, config):
        from .models import InputLayer, Model
        where = f"model {config.get('name')!r}"
        entries = _get(self.path, config, "layers", list, where)
        layers, pending, tensors = [], {}, {}
        for entry in entries:
            layer = self.layer(entry, where)
            if layer.name in pending:
                raise _damaged(self.path, f"{where} has two layers named {layer.name!r}")
            nodes = _get(self.path, entry, "inbound_nodes", list, f"layer {layer.name!r}")
            layers.append(layer)
            pending[layer.name] = list(nodes)
            if isinstance(layer, InputLayer):
                tensors[(layer.name, 0, 0)] = layer.output
        done = {l.name: 0 for l in layers}
        progress = True
        while progress:                 # calls in any order whose inputs exist (shared layers)
            progress = False
            for layer in layers:
                while pending[layer.name]:
                    args = self._node_inputs(pending[layer.name][0], tensors, layer.name)
                    if args is None:
                        break
                    inputs, kwargs = args
                    out = layer(inputs[0] if len(inputs) == 1 else inputs, **kwargs)
                    outs = list(out) if isinstance(out, (list, tuple)) else [out]
                    for k, t in enumerate(outs):
                        tensors[(layer.name, done[layer.name], k)] = t
                    done[layer.name] += 1
                    pending[layer.name].pop(0)
                    progress = True
        stuck = [n for n, p in pending.items() if p]
        if stuck:
            raise _damaged(self.path, f"{where}: the calls of {stuck} need tensors that no "
                                      "layer makes")
        ins = self._refs(config, "input_layers", tensors, where)
        outs = self._refs(config, "output_layers", tensors, where)
        return Model(inputs=ins, outputs=outs, name=config.get("name"))

    def _node_inputs(self, node, tensors, name):
        if not isinstance(node, list) or not node:
            raise _damaged(self.path, f"layer {name!r} has a malformed inbound node")
        inputs, kwargs = [], {}
        for ref in node:
            if not (isinstance(ref, list) and len(ref) == 4 and isinstance(ref[0], str) and
                    type(ref[1]) is int and type(ref[2]) is int and isinstance(ref[3], dict)):
                raise _damaged(self.path, f"layer {name!r} has a malformed input {ref!r:.80}")
            t = tensors.get(tuple(ref[:3]))
            if t is None:
                return None
            inputs.append(t)
            kwargs.update(_unplain(ref[3]))
        return inputs, kwargs

    def _refs(self, config, key, tensors, where):
        refs = _get(self.path, config, key, list, where)
        single = bool(refs) and isinstance(refs[0], str)
        found = []
        for ref in [refs] if single else refs:
            t = tensors.get(tuple(ref)) if isinstance(ref, list) else None
            if t is None:
                raise _damaged(self.path, f"{where}: {key} names {ref!r:.60}, which no layer "
                                          "makes")
            found.append(t)
        return found[0] if single else found


def deserialize_layer(entry, custom_objects=None):
    """A layer from ``serialize_layer``'s ``{"class_name", "config"}`` (for wrappers' from_config).

    Classes come from tensorkit's registry (plus `custom_objects`) only.
    """
    return _Loader("<layer config>", {}, 2**62, custom_objects).layer(entry)


def load_model(path, safe_mode=True, custom_objects=None, compile=True):
    """Rebuild a model saved by ``model.save(path)``: architecture, weights, optimizer state.

    Nothing in the file is ever run (``safe_mode`` is accepted for Keras compatibility; no
    file holds code). ``custom_objects={"MyLayer": MyLayer}`` names your own layer classes.
    """
    data = _read_file(path)
    zf = _open_zip(path, data, "the file")
    names = zf.namelist()
    if "metadata.json" in names or "model.weights.h5" in names:
        raise ModelFileError(f"{path} is a Keras .keras file, not a tensorkit model file "
                             "(the formats differ). Fix: build the same model in tensorkit "
                             "and train it here, or export it from Keras to TF.js and load "
                             "that folder with tk.models.load_tfjs.")
    if names and all(n.endswith(".npy") for n in names):
        raise ModelFileError(f"{path} holds weights only (written by save_weights). Fix: build "
                             "the model in code, then call model.load_weights(path).")
    zf = _open_zip(path, data, "the file", allowed=MEMBERS)
    for member in ("config.json", "weights.npz"):
        if member not in names:
            raise _damaged(path, f"{member} is missing")
    raw = _read_member(path, zf, "config.json", MAX_CONFIG_BYTES)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise _damaged(path, f"config.json is not valid JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{path}: config.json does not describe a tensorkit model (no "
                             f'"format": "{FORMAT}"). Keras .keras and TF.js model.json '
                             "files are different formats.")
    version = doc.get("format_version")
    if type(version) is not int or version < 1:
        raise _damaged(path, f"format_version is {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{path} was saved by a newer tensorkit (format {version}; this "
                             f"one reads {FORMAT_VERSION}). Fix: upgrade tensorkit.")
    arrays = {m: _read_npz(path, _read_member(path, zf, m, MAX_ARRAY_BYTES), m)
              for m in MEMBERS[1:] if m in names}
    weights = arrays["weights.npz"]
    n_params = sum(a.size for a in weights.values())
    loader = _Loader(path, arrays.get("constants.npz", {}), max(2**20, 4 * n_params),
                     custom_objects)
    try:
        model = loader.layer(doc, "config.json")
    except RecursionError:
        raise _hostile(path, "config.json nests models too deeply") from None
    if not isinstance(model, _model_class()):
        raise _damaged(path, f"config.json describes a {type(model).__name__}, not a model")
    _load_weights_into(path, model, weights, "weights.npz", by_name=True)
    if compile and doc.get("compile_config"):
        _restore_optimizer(path, model, doc["compile_config"], arrays.get("optimizer.npz", {}))
    return model


def model_to_json(model, **json_options):
    """The architecture alone as a JSON string (``model.to_json()``, as Keras'): no weights,
    no optimizer; ``model_from_json`` builds it again with fresh weights."""
    _check_model(model, "to_json")
    constants = {}
    top = serialize_layer(model, constants)
    if constants:
        raise SaveError(f"{model.name} holds constant arrays between its layers (a raw op on "
                        "an array), which JSON does not carry. Fix: model.save(path) keeps "
                        "them, or make the constant a layer's weight.")
    return json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, **top},
                      **json_options)


def model_from_json(json_string, custom_objects=None):
    """A model with fresh weights from ``model.to_json()``'s string. As load_model, nothing in
    it is run: layer classes come from tensorkit's registry (or `custom_objects`) by name."""
    where = "the JSON string"
    if not isinstance(json_string, (str, bytes)) or len(json_string) > MAX_CONFIG_BYTES:
        raise ModelFileError(f"model_from_json takes the string model.to_json() gave, of at "
                             f"most {MAX_CONFIG_BYTES} bytes. Received: "
                             f"{type(json_string).__name__}")
    try:
        doc = json.loads(json_string)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise _damaged(where, f"it is not valid JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{where} does not describe a tensorkit model (no \"format\": "
                             f"\"{FORMAT}\"); Keras' and TF.js' JSON are other formats.")
    try:
        model = _Loader(where, {}, 2**24, custom_objects).layer(doc, "the JSON")
    except RecursionError:
        raise _hostile(where, "it nests models too deeply") from None
    if not isinstance(model, _model_class()):
        raise _damaged(where, f"it describes a {type(model).__name__}, not a model")
    return model


def _restore_optimizer(path, model, compile_config, state):
    """Compile with the saved optimizer, loss and metrics (tensorkit's own classes only) and
    put back the optimizer's state. A loss that was a function of yours was not saved: the
    model then gets its optimizer (state and all) but is left for you to compile."""
    from . import losses, metrics, optimizers
    entry = _get(path, compile_config, "optimizer", dict, "compile_config")
    try:
        opt = optimizers.deserialize(_unplain(entry))
        loss = _spec_unplain(compile_config.get("loss"), losses, losses.Loss, path)
        found = _spec_unplain(compile_config.get("metrics"), metrics, metrics.Metric, path)
        weighted = _spec_unplain(compile_config.get("weighted_metrics"), metrics,
                                 metrics.Metric, path)
        if loss is not None:
            model.compile(optimizer=opt, loss=loss, metrics=found, weighted_metrics=weighted,
                          loss_weights=_unplain(compile_config.get("loss_weights")))
        else:
            model.optimizer = opt
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError) as e:
        raise ModelFileError(f"{path}: cannot compile the model as it was saved ({e}); nothing "
                             "was run. Fix: load_model(path, compile=False), then compile.") \
            from None
    if state:
        if "iterations" not in state or state["iterations"].shape != ():
            raise _damaged(path, "optimizer.npz has no step count")
        keys = sorted(k for k in state if k.startswith("state_"))
        try:
            opt.set_state({"iterations": int(state["iterations"]),
                           "variables": [state[k] for k in keys]}, model.trainable_weights)
        except ValueError as e:
            raise ModelFileError(f"{path}: the saved optimizer state does not fit the model "
                                 f"({e}). Fix: load_model(path, compile=False), then "
                                 "compile.") from None
