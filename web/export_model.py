"""Export a shipped pretrained model into web/model/ for the page (run by `make web`).

    .venv/bin/python web/export_model.py [digits_cnn | digits_mlp] [--out web/model]

The model.json carries the class labels and how the page should turn a webcam photo into
the model's input (grey, inverted, contrast stretched: the training digits are bright ink on
black, 8x8), as the export's metadata. To put a model of your own on the page:
``tk.export.to_tfjs(model, "web/model", metadata={"labels": [...]})``.
"""

import argparse
import os

import tensorkit as tk

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.join(HERE, "model")
DIGITS = {"invert": True, "stretch": True, "channels": 1, "image_shape": [8, 8, 1]}


def export(name="digits_cnn", out=MODEL_DIR):
    entry = next((e for e in tk.pretrained.list() if e["name"] == name), None)
    if entry is None or not name.startswith("digits"):
        raise SystemExit(f"the page takes camera images: choose digits_cnn or digits_mlp, "
                         f"not {name!r}")
    model = tk.pretrained.load(name)
    tk.export.to_tfjs(model, out, metadata={"labels": entry["classes"], "preprocess": DIGITS,
                                            "source": f"tk.pretrained.load({name!r})"})
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="digits_cnn")
    parser.add_argument("--out", default=MODEL_DIR)
    args = parser.parse_args()
    print(f"Exported tk.pretrained {args.name!r} to {export(args.name, args.out)}")
