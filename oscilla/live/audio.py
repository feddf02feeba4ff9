"""Audio-reactive input: sound analysed into external channels (docs/guide/midi-audio.md#audio).

Channels, each in 0..1:

- ``audio.level``: the RMS level of the last window in dBFS, mapped linearly from -60 dB (0) to 0 dB (1);
- ``audio.band.<k>``, k = 0..7: the power of eight log-spaced frequency bands from 40 Hz to 16 kHz
  (band k covers [40·400^(k/8), 40·400^((k+1)/8)) Hz), in dB relative to a full-scale sine in the
  band, mapped from -60 dB (0) to 0 dB (1), then smoothed (attack 10 ms, release 250 ms);
- ``audio.beat``: an onset gate, 1 in the frames within 50 ms after an onset, else 0. An onset is a
  window whose energy exceeds 1.5 times the mean energy of the last second and -50 dBFS, at least
  100 ms after the previous onset (the "simple sound energy" detector of F. Patin, "Beat Detection
  Algorithms", 2003).

The analysis (:class:`AudioAnalyzer`) is a pure function of the samples it is given and the time
between calls, so the same file analysed at the same frame times gives the same channels:
``oscilla render --audio song.wav`` (:class:`AudioTrack`) analyses the window ending at each
frame's model time, and an exported video is in sync and deterministic. Live input
(:class:`LiveAudio`, sounddevice: the ``live`` extra and the system's PortAudio library) runs the
analysis on its own thread and only queues channel values for the player, never touching the GPU.
Files are decoded with PyAV (any format FFmpeg reads: WAV, FLAC, MP3, OGG, ...).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: analysis sample rate (Hz): files are resampled to it, live input is opened at it
SAMPLE_RATE = 48_000
#: samples per analysis window (a Hann window; 42.7 ms at 48 kHz)
FFT_SIZE = 2048
#: log-spaced bands from BAND_LO to BAND_HI Hz
BANDS, BAND_LO, BAND_HI = 8, 40.0, 16_000.0
#: the dB range mapped to 0..1 (level and bands)
DB_FLOOR = -60.0
#: band smoothing time constants (s): rising, falling
ATTACK_S, RELEASE_S = 0.010, 0.250
#: onset detector: energy ratio to the last second's mean, floor (dBFS), refractory time and gate length (s)
BEAT_RATIO, BEAT_FLOOR_DB, BEAT_REFRACTORY_S, BEAT_HOLD_S, BEAT_HISTORY_S = 1.5, -50.0, 0.100, 0.050, 1.0


def channel_names() -> list[str]:
    """The channels the analysis writes, in order: level, band 0..7, beat."""
    return ["audio.level", *(f"audio.band.{k}" for k in range(BANDS)), "audio.beat"]


def band_edges(sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The BANDS + 1 band edges in Hz (log-spaced from BAND_LO to min(BAND_HI, Nyquist))."""
    hi = min(BAND_HI, sample_rate / 2.0)
    return BAND_LO * (hi / BAND_LO) ** (np.arange(BANDS + 1) / BANDS)


def _unit_db(db: float) -> float:
    return min(1.0, max(0.0, (db - DB_FLOOR) / -DB_FLOOR))


@dataclass
class AudioFeatures:
    """One analysis: ``level`` and ``beat`` (floats in 0..1) and ``bands`` ((BANDS,) float64 in 0..1)."""

    level: float
    bands: np.ndarray
    beat: float

    def channels(self) -> dict[str, float]:
        """``{channel name: value}`` for :func:`channel_names`."""
        out = {"audio.level": self.level, "audio.beat": self.beat}
        out.update({f"audio.band.{k}": float(v) for k, v in enumerate(self.bands)})
        return out


class AudioAnalyzer:
    """Level, band powers and onsets of successive windows of mono audio (the module docstring).

    Args:
        sample_rate: Hz of the samples given to :meth:`process`.
        fft_size: samples per window.
    """

    def __init__(self, sample_rate: int = SAMPLE_RATE, fft_size: int = FFT_SIZE):
        self.sample_rate = int(sample_rate)
        self.fft_size = int(fft_size)
        self._window = np.hanning(self.fft_size)
        freqs = np.fft.rfftfreq(self.fft_size, 1.0 / self.sample_rate)
        edges = band_edges(self.sample_rate)
        self._band_of = np.searchsorted(edges, freqs, side="right") - 1  # -1 / BANDS: outside
        # a full-scale sine's power summed over its Hann main lobe: (N/4)^2 * 1.5 (the window's
        # equivalent noise bandwidth, 1.5 bins): the 0 dB reference of a band
        self._ref_power = (self.fft_size / 4.0) ** 2 * 1.5
        self.reset()

    def reset(self) -> None:
        """Forget the smoothing and onset history (the next window starts fresh)."""
        self._bands = np.zeros(BANDS)
        self._energies: deque[tuple[float, float]] = deque()  # (time s, energy)
        self._t = 0.0
        self._last_onset = -math.inf

    def process(self, window: np.ndarray, dt_s: float) -> AudioFeatures:
        """Analyse the latest ``fft_size`` samples (mono, float, full scale ±1; shorter input is
        zero-padded at the start) ``dt_s`` seconds after the previous call.

        Raises:
            ValueError: ``window`` is not one-dimensional, or ``dt_s`` is negative or not finite.
        """
        x = np.asarray(window, dtype=np.float64)
        if x.ndim != 1:
            raise ValueError(f"audio window must be 1-D (mono), got shape {x.shape}")
        if not (math.isfinite(dt_s) and dt_s >= 0):
            raise ValueError(f"dt_s must be a finite number >= 0, got {dt_s!r}")
        x = np.nan_to_num(x[-self.fft_size :], nan=0.0, posinf=0.0, neginf=0.0)
        if x.size < self.fft_size:
            x = np.concatenate([np.zeros(self.fft_size - x.size), x])
        self._t += dt_s
        energy = float(np.mean(x * x))
        level = _unit_db(10.0 * math.log10(energy + 1e-20) + 3.0103)  # RMS of a full-scale sine = 0 dB
        power = np.abs(np.fft.rfft(x * self._window)) ** 2
        inside = (self._band_of >= 0) & (self._band_of < BANDS)
        sums = np.bincount(self._band_of[inside], weights=power[inside], minlength=BANDS)[:BANDS]
        target = np.array([_unit_db(10.0 * math.log10(p / self._ref_power + 1e-20)) for p in sums])
        tau = np.where(target > self._bands, ATTACK_S, RELEASE_S)
        self._bands += (target - self._bands) * (1.0 - np.exp(-dt_s / tau))
        beat = self._beat(energy)
        return AudioFeatures(level, self._bands.copy(), beat)

    def _beat(self, energy: float) -> float:
        history = self._energies
        while history and self._t - history[0][0] > BEAT_HISTORY_S:
            history.popleft()
        mean = sum(e for _, e in history) / len(history) if history else 0.0
        history.append((self._t, energy))
        loud = 10.0 * math.log10(energy + 1e-20) + 3.0103 > BEAT_FLOOR_DB
        if loud and energy > BEAT_RATIO * mean and self._t - self._last_onset >= BEAT_REFRACTORY_S:
            self._last_onset = self._t
        return 1.0 if self._t - self._last_onset < BEAT_HOLD_S else 0.0


def decode_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The audio of a file as mono float32 samples at ``sample_rate`` Hz (PyAV).

    Raises:
        ImportError: PyAV is missing (``pip install 'oscilla[live]'``).
        OSError: the file cannot be read or has no audio stream.
    """
    try:
        import av
    except ImportError as e:
        raise ImportError("reading audio files needs PyAV: pip install 'oscilla[live]'") from e
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as e:
        raise OSError(f"cannot read audio from {path}: {e}") from e
    try:
        if not container.streams.audio:
            raise OSError(f"{path} has no audio stream")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):  # flush
            chunks.append(out.to_ndarray().reshape(-1))
    except av.error.FFmpegError as e:
        raise OSError(f"cannot decode the audio of {path}: {e}") from e
    finally:
        container.close()
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


class AudioTrack:
    """A decoded sound analysed in model time, for offline renders (``oscilla render --audio``).

    :meth:`channels` at model time t (ms) analyses the window of samples ending at t and returns the
    channel values; call it with non-decreasing times (as frames are stepped). Past the end of the
    sound the input is silence.

    Args:
        samples: mono float samples at ``sample_rate`` Hz (:func:`decode_audio`).
    """

    def __init__(self, samples: np.ndarray, sample_rate: int = SAMPLE_RATE):
        self.samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.sample_rate = int(sample_rate)
        self.analyzer = AudioAnalyzer(self.sample_rate)
        self._last_t: float | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> AudioTrack:
        """Decode ``path`` (:func:`decode_audio`) into a track."""
        return cls(decode_audio(path), SAMPLE_RATE)

    @property
    def duration_ms(self) -> float:
        """Length of the sound in ms."""
        return 1000.0 * self.samples.size / self.sample_rate

    def channels(self, t_ms: float) -> dict[str, float]:
        """The channel values of the frame at model time ``t_ms``.

        Raises:
            ValueError: ``t_ms`` is earlier than the previous call's (model time only moves forward).
        """
        if self._last_t is not None and t_ms < self._last_t:
            raise ValueError(f"audio track stepped backwards: {t_ms} ms after {self._last_t} ms")
        dt = 0.0 if self._last_t is None else (t_ms - self._last_t) / 1000.0
        self._last_t = t_ms
        end = int(round(t_ms * self.sample_rate / 1000.0))
        start = max(0, end - self.analyzer.fft_size)
        return self.analyzer.process(self.samples[start : max(start, min(end, self.samples.size))], dt).channels()


class LiveAudio:
    """Live input (sounddevice) analysed on a thread ~60 times a second; values go to ``queue``.

    Args:
        queue: where (channel, value) pairs are appended (the player drains it before each frame).
        device: a sounddevice input device name or index (None: the system default).

    Raises:
        ImportError: sounddevice is missing (``pip install 'oscilla[live]'``) or the system has no
            PortAudio library (``apt-get install libportaudio2``).
        OSError: the device cannot be opened.
    """

    def __init__(self, queue: deque[tuple[str, float]], device: str | int | None = None):
        try:
            import sounddevice as sd
        except ImportError as e:
            raise ImportError("live audio needs sounddevice: pip install 'oscilla[live]'") from e
        except OSError as e:  # "PortAudio library not found"
            raise ImportError(f"live audio needs the PortAudio library ({e}): apt-get install libportaudio2") from e
        self._queue = queue
        self._ring = np.zeros(FFT_SIZE, np.float32)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.analyzer = AudioAnalyzer(SAMPLE_RATE)
        try:
            self._stream: Any = sd.InputStream(
                device=device, channels=1, samplerate=SAMPLE_RATE, dtype="float32", callback=self._on_audio
            )
            self._stream.start()
        except Exception as e:  # sounddevice.PortAudioError
            raise OSError(f"cannot open audio input {device!r}: {e}") from e
        self._thread = threading.Thread(target=self._analyse, name="oscilla-audio", daemon=True)
        self._thread.start()

    def _on_audio(self, indata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:  # PortAudio's thread
        x = indata[:, 0]
        with self._lock:
            if x.size >= self._ring.size:
                self._ring[:] = x[-self._ring.size :]
            else:
                self._ring = np.roll(self._ring, -x.size)
                self._ring[-x.size :] = x

    def _analyse(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(1.0 / 60.0):
            now = time.monotonic()
            with self._lock:
                window = self._ring.copy()
            self._queue.extend(self.analyzer.process(window, now - last).channels().items())
            last = now

    def close(self) -> None:
        """Stop the stream and the analysis thread (idempotent)."""
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()
