"""Log-mel features of one utterance, in numpy: the verifier's input. Shared by the trained
model's inference (companion.listen.verifier) and its training script (scripts/train_verifier.py),
so both see exactly the same numbers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from companion.listen.recognise import SAMPLE_RATE as SAMPLE_RATE

WINDOW = 400  # 25 ms
HOP = 160  # 10 ms
FFT = 512
MELS = 40
FRAMES = 100  # 1.0 s of features; longer speech is centred on its loudest second
SECONDS = (FRAMES - 1) * HOP / SAMPLE_RATE + WINDOW / SAMPLE_RATE

Array = np.ndarray[Any, Any]


@lru_cache(maxsize=1)
def _mel_matrix() -> Array:
    def mel(f: Array) -> Array:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m: Array) -> Array:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(np.array(60.0)), mel(np.array(7600.0)), MELS + 2))
    bins = np.fft.rfftfreq(FFT, 1.0 / SAMPLE_RATE)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    return np.asarray(np.maximum(0.0, np.minimum(rising, falling)), dtype=np.float32)


@lru_cache(maxsize=1)
def _window() -> Array:
    return np.hanning(WINDOW).astype(np.float32)


def samples(pcm: bytes) -> Array:
    """16-bit PCM as float32 in -1..1."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def log_mel(signal: Array) -> Array:
    """(frames, MELS) log-mel energies of a float signal at 16 kHz."""
    if len(signal) < WINDOW:
        signal = np.pad(signal, (0, WINDOW - len(signal)))
    count = 1 + (len(signal) - WINDOW) // HOP
    index = np.arange(WINDOW)[None, :] + HOP * np.arange(count)[:, None]
    frames = signal[index] * _window()
    power = np.abs(np.fft.rfft(frames, FFT)) ** 2
    return np.asarray(np.log(power.astype(np.float32) @ _mel_matrix().T + 1e-6))


def clip(features: Array) -> Array:
    """Exactly FRAMES frames: the loudest stretch of longer input, padded with its quietest frame
    level when shorter."""
    count = len(features)
    if count >= FRAMES:
        energy = features.mean(axis=1)
        window = np.convolve(energy, np.ones(FRAMES), mode="valid")
        start = int(np.argmax(window))
        return features[start : start + FRAMES]
    floor = np.percentile(features, 10, axis=0) if count else np.full(MELS, np.log(1e-6))
    before = (FRAMES - count) // 2
    after = FRAMES - count - before
    return np.concatenate([np.tile(floor, (before, 1)), features, np.tile(floor, (after, 1))])


def features(pcm: bytes) -> Array:
    """The verifier's input for one utterance of 16-bit PCM."""
    return features_from_samples(samples(pcm))


def features_from_samples(signal: Array) -> Array:
    """(FRAMES, MELS) float32 log-mel energies with each band's mean over the second removed,
    so the colour of the microphone and the room matters less."""
    mel = clip(log_mel(signal))
    return np.asarray(mel - mel.mean(axis=0, keepdims=True), dtype=np.float32)
