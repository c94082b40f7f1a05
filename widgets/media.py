"""Camera and Microphone: a webcam photo as a (1, H, W, 3) tensor, N seconds of sound as a
(1, samples) tensor with its sample rate (and optionally a (1, frames, bins) spectrogram).

The browser captures through getUserMedia and sends the raw numbers to Python. Python
never waits for the browser: a denied permission or a missing device shows a message in
the widget, and reading ``.photo`` / ``.audio`` before a capture raises CaptureError.
"""

import numpy
import traitlets as t

from ._base import HERE, Widget

__all__ = ["Camera", "CaptureError", "Microphone", "spectrogram"]


class CaptureError(RuntimeError):
    """Nothing captured yet, or the browser refused the camera/microphone (says which)."""


def spectrogram(samples, frame=256, hop=128):
    """Magnitudes of a Hann-windowed STFT: (samples,) -> (frames, frame // 2 + 1)."""
    samples = numpy.asarray(samples, dtype=numpy.float32)
    if samples.size < frame:
        samples = numpy.pad(samples, (0, frame - samples.size))
    count = 1 + (samples.size - frame) // hop
    idx = numpy.arange(frame)[None, :] + hop * numpy.arange(count)[:, None]
    frames = samples[idx] * numpy.hanning(frame).astype(numpy.float32)   # (frames, frame)
    return numpy.abs(numpy.fft.rfft(frames, axis=1)).astype(numpy.float32)


class _Media(Widget):
    _esm = HERE / "media.js"

    kind = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)        # what the browser said, in plain words
    status = t.Unicode("").tag(sync=True)       # the captured tensor's shape, from Python
    captures = t.Int(0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._on_msg)

    def _on_msg(self, widget, content, buffers):
        if content.get("error"):
            self.error = content["error"]
        elif buffers:
            self.error = ""
            self._receive(content, bytes(buffers[0]))
            self.captures += 1

    def _missing(self, what):
        if self.error:
            return CaptureError(f"The browser could not capture: {self.error}")
        return CaptureError(f"No {what} yet: click the button in the widget above, then run "
                            "this cell again.")

    def to_html(self):
        return f"<p>{self.to_text()}</p>"


class Camera(_Media):
    """``cam = Camera(width=64, height=48)``; click Capture; ``cam.photo`` is (1, 48, 64, 3)."""

    width = t.Int(64).tag(sync=True)
    height = t.Int(64).tag(sync=True)

    def __init__(self, width=64, height=64, **kwargs):
        super().__init__(kind="camera", width=width, height=height, **kwargs)
        self._photo = None

    def _receive(self, content, data):
        import tensorkit as tk

        h, w = int(content["height"]), int(content["width"])
        rgba = numpy.frombuffer(data, dtype=numpy.uint8).reshape(h, w, 4)
        pixels = rgba[None, :, :, :3].astype(numpy.float32) / 255.0     # (1, H, W, 3)
        self._photo = tk.tensor(pixels, dims=("batch", "height", "width", "channels"))
        self.status = f"photo {tuple(self._photo.shape)}"

    @property
    def photo(self):
        """The last photo as a float32 tensor (1, H, W, 3) in [0, 1]."""
        if self._photo is None:
            raise self._missing("photo")
        return self._photo

    def to_text(self):
        state = self.status or (f"error: {self.error}" if self.error else "no photo yet")
        return f"Camera {self.width}x{self.height}: {state}"


class Microphone(_Media):
    """``mic = Microphone(seconds=1)``; click Record; ``mic.audio`` is (1, samples)."""

    seconds = t.Float(1.0).tag(sync=True)

    def __init__(self, seconds=1.0, with_spectrogram=False, **kwargs):
        super().__init__(kind="microphone", seconds=seconds, **kwargs)
        self.with_spectrogram = with_spectrogram
        self._audio, self.rate, self._spec = None, None, None

    def _receive(self, content, data):
        import tensorkit as tk

        samples = numpy.frombuffer(data, dtype=numpy.float32).copy()
        self.rate = int(content["rate"])
        self._audio = tk.tensor(samples[None, :], dims=("batch", "time"))   # (1, samples)
        self.status = f"audio {tuple(self._audio.shape)} at {self.rate} Hz"
        if self.with_spectrogram:
            spec = spectrogram(samples)[None]                                 # (1, frames, bins)
            self._spec = tk.tensor(spec, dims=("batch", "time", "frequency"))
            self.status += f", spectrogram {tuple(self._spec.shape)}"

    @property
    def audio(self):
        """The last recording as a float32 tensor (1, samples); its rate is ``.rate``."""
        if self._audio is None:
            raise self._missing("recording")
        return self._audio

    @property
    def spectrogram(self):
        """(1, frames, bins) magnitudes of the last recording (with_spectrogram=True)."""
        if self._audio is None:
            raise self._missing("recording")
        if self._spec is None:
            self._spec = __import__("tensorkit").tensor(spectrogram(self._audio.numpy()[0])[None])
        return self._spec

    def to_text(self):
        state = self.status or (f"error: {self.error}" if self.error else "no recording yet")
        return f"Microphone {self.seconds:g} s: {state}"
