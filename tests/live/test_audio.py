"""Audio analysis (oscilla/live/audio.py) on synthetic signals: a sine lands in the band its
frequency belongs to (band edges 40·400^(k/8) Hz, written here), silence gives 0, an impulse train
triggers onsets at its rate, and a track analysed twice gives identical channels."""

import math
import wave

import numpy as np
import pytest

from oscilla.live.audio import AudioAnalyzer, AudioTrack, channel_names, decode_audio

SR = 48_000


def _run(analyzer, signal, fps=60.0, seconds=2.0):
    """Feed the windows ending at each frame time; returns the features of every frame."""
    out = []
    for k in range(int(seconds * fps)):
        end = int(round((k + 1) / fps * SR))
        out.append(analyzer.process(signal[max(0, end - 2048) : end], 1.0 / fps))
    return out


def _band_of(freq):
    edges = 40.0 * 400.0 ** (np.arange(9) / 8)
    return int(np.searchsorted(edges, freq, side="right") - 1)


@pytest.mark.parametrize("freq", [100.0, 440.0, 1000.0, 5000.0])
def test_a_sine_lands_in_its_band(freq):
    t = np.arange(3 * SR) / SR
    amp = 0.5
    feats = _run(AudioAnalyzer(SR), amp * np.sin(2 * math.pi * freq * t))[-1]
    k = _band_of(freq)
    assert int(np.argmax(feats.bands)) == k
    # the band holds the sine's power: 20 log10(0.5) = -6.02 dB -> (60 - 6.02) / 60 within 0.03
    assert feats.bands[k] == pytest.approx((60 + 20 * math.log10(amp)) / 60, abs=0.03)
    others = np.delete(feats.bands, [k - 1, k, k + 1] if 0 < k < 7 else [k])
    assert (others < 0.3).all(), feats.bands  # far bands: only window leakage, > 35 dB down
    assert feats.level == pytest.approx((60 + 20 * math.log10(amp)) / 60, abs=0.01)


def test_silence_is_zero():
    for f in _run(AudioAnalyzer(SR), np.zeros(2 * SR)):
        assert f.level == 0 and f.beat == 0 and not f.bands.any()


def test_an_impulse_train_triggers_beats_at_its_rate():
    rate_hz, seconds, fps = 4.0, 4.0, 60.0
    signal = np.zeros(int(seconds * SR))
    signal[:: int(SR / rate_hz)] = 0.9
    signal += 0.001 * np.random.default_rng(1).standard_normal(signal.size)  # a noise floor
    beats = np.array([f.beat for f in _run(AudioAnalyzer(SR), signal, fps, seconds)])
    onsets = np.flatnonzero(np.diff(np.concatenate([[0.0], beats])) > 0)
    assert abs(len(onsets) - rate_hz * seconds) <= 1
    gaps = np.diff(onsets) / fps
    assert np.allclose(gaps, 1 / rate_hz, atol=1.5 / fps)


def test_track_is_deterministic_and_forward_only():
    t = np.arange(2 * SR) / SR
    samples = (0.3 * np.sin(2 * math.pi * 220 * t) * (t % 0.5 < 0.1)).astype(np.float32)
    times = [k * 1000 / 30 for k in range(60)]
    a = [AudioTrack(samples).channels(x) for x in times[:1]]
    track1, track2 = AudioTrack(samples), AudioTrack(samples)
    a = [track1.channels(x) for x in times]
    b = [track2.channels(x) for x in times]
    assert a == b
    assert set(a[0]) == set(channel_names())
    with pytest.raises(ValueError, match="backwards"):
        track1.channels(10.0)


def test_decode_a_wav_file(tmp_path):
    pytest.importorskip("av")
    t = np.arange(SR // 2) / SR
    pcm = (0.25 * np.sin(2 * math.pi * 300 * t) * 32767).astype("<i2")
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as w:  # the stdlib writes the test file; PyAV reads it
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    got = decode_audio(path)
    assert abs(got.size - pcm.size) <= 64
    n = min(got.size, pcm.size) - 100
    np.testing.assert_allclose(got[100:n], pcm[100:n] / 32768.0, atol=2e-3)


def test_decode_errors(tmp_path):
    pytest.importorskip("av")
    with pytest.raises(OSError):
        decode_audio(tmp_path / "missing.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    with pytest.raises(OSError):
        decode_audio(bad)
