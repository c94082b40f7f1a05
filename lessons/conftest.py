"""pytest --nbval over the lessons: compare what Jupyter shows, with the course's sanitize file.

nbval records a cell's ``display_data`` but drops ``update_display_data``, which Jupyter (and
nbconvert, which stored the outputs) applies to the display with the same display_id. A
TrainingMonitor shows a live widget and, when ``fit`` ends, updates that display to its final
plot; without the update nbval would compare the first live frame against the saved plot.
Here the update is applied to the recorded display, as Jupyter does, so training cells are
compared (their final losses in text/plain) instead of being skipped.

nbval also runs cells with ``store_history=False``, so IPython's check for a trailing ``;``
reads a stale cell and ``model.fit(...);`` shows its History where Jupyter shows nothing.
Cells run here with history, as in Jupyter.
"""

import pathlib

SANITIZE = pathlib.Path(__file__).with_name("nbval_sanitize.cfg")


def pytest_configure(config):
    # `pytest --nbval lessons/04_first_model.ipynb` sanitizes like `make test` does.
    if getattr(config.option, "nbval_sanitize_with", "unset") is None:
        config.option.nbval_sanitize_with = str(SANITIZE)


def _apply_display_updates(get_kernel_message):
    """Wrap nbval's message reader: from a cell's first display with a display_id on, its
    output messages wait until the cell is idle, updates are applied to the waiting display,
    and then all are handed over in their order (nbval copies outputs as it reads them)."""

    def get_message(self, timeout=None, stream="iopub"):
        ready = self.__dict__.setdefault("_tk_ready", [])
        if ready:
            return ready.pop(0)
        held = self.__dict__.setdefault("_tk_held", [])
        while True:
            msg = get_kernel_message(self, timeout=timeout, stream=stream)
            kind, content = msg.get("msg_type"), msg.get("content", {})
            display_id = (content.get("transient") or {}).get("display_id")
            if kind == "display_data" and display_id:
                held.append(msg)
            elif kind == "update_display_data":
                for old in held:
                    if (old["content"].get("transient") or {}).get("display_id") == display_id:
                        old["content"]["data"] = content.get("data", {})
                        old["content"]["metadata"] = content.get("metadata", {})
            elif held and kind in ("stream", "display_data", "execute_result", "error"):
                held.append(msg)
            elif held and kind == "status" and content.get("execution_state") == "idle" \
                    and msg["parent_header"] == held[0]["parent_header"]:
                ready.extend(held[1:] + [msg])
                first = held[0]
                held.clear()
                return first
            else:
                return msg

    return get_message


def _with_history(execute_cell_input):
    def execute(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin,
                               stop_on_error=False)

    execute.__wrapped__ = execute_cell_input
    return execute


try:
    from nbval.kernel import RunningKernel
    from nbval.plugin import IPyNbFile
except ImportError:                  # without nbval there are no notebook items to patch
    IPyNbFile = None
if IPyNbFile is not None and not getattr(IPyNbFile, "_tk_patched", False):
    IPyNbFile.get_kernel_message = _apply_display_updates(IPyNbFile.get_kernel_message)
    RunningKernel.execute_cell_input = _with_history(RunningKernel.execute_cell_input)
    IPyNbFile._tk_patched = True
