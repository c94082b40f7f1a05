"""Weight constraints against cases recorded from real Keras 3
(scripts/reference/keras_constraints.py): each constraint on given weights, and short fits
(SGD, Adam, RMSprop) where the optimizer projects the constrained weights after every step
— the final weights and the layers' saved constraint configs match Keras'."""

import numpy as np
import pytest
from reference import load_cases, params

import tensorkit as tk

CASES = load_cases("keras_constraints")


@pytest.mark.parametrize("spec,arrays", params(CASES, "apply"))
def test_constraint_matches_keras(spec, arrays):
    constraint = getattr(tk.constraints, spec["cls"])(**spec["config"])
    out = constraint(arrays["w"])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, arrays["out"], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("spec,arrays", params(CASES, "fit"))
def test_fit_projects_like_keras(spec, arrays):
    tk.clear_session()
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    model = tk.Sequential([tk.Input(tuple(spec["input_shape"]),
                                    dtype=str(arrays["x"].dtype)), layer])
    count = sum(1 for k in arrays if k.startswith("init"))
    model.set_weights([arrays[f"init{i}"] for i in range(count)])
    cls, config = spec["optimizer"]
    model.compile(optimizer=getattr(tk.optimizers, cls)(**config), loss=spec["loss"])
    model.fit(arrays["x"], arrays["y"], batch_size=8, epochs=2, shuffle=False, verbose=0)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"final{i}"], rtol=1e-4, atol=2e-5,
                                   err_msg=f"weight {i}")
    saved = {k: v for k, v in layer.get_config().items()
             if k.endswith("_constraint") and v is not None}
    assert saved == spec["constraints"]
