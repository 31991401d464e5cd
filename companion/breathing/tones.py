"""Soft tones for breathing cues, generated here (standard library only). Pure.

Each phase has its own: a gentle rising glide for breathing in, a short higher lift for the
second inhale of a cyclic sigh, a low steady tone for holding, a falling glide for breathing out.
Raised-cosine fades at both ends, so no tone clicks.
"""

from __future__ import annotations

import array
import functools
import math
from dataclasses import dataclass

RATE = 22050
AMPLITUDE = 0.22  # of full scale: soft
FADE_SECONDS = 0.04


@dataclass(frozen=True)
class ToneShape:
    start_hz: float
    end_hz: float
    seconds: float


SHAPES: dict[str, ToneShape] = {
    "in": ToneShape(392.0, 523.3, 0.6),  # G4 rising to C5
    "top": ToneShape(523.3, 659.3, 0.3),  # C5 rising to E5
    "hold": ToneShape(329.6, 329.6, 0.35),  # E4, steady
    "out": ToneShape(523.3, 392.0, 0.7),  # C5 falling to G4
}


@functools.cache
def tone_pcm(kind: str, rate: int = RATE) -> bytes:
    """16-bit mono PCM of the tone for a phase kind (made once: cues must not wait for it)."""
    shape = SHAPES[kind]
    n = round(shape.seconds * rate)
    fade = max(1, round(FADE_SECONDS * rate))
    samples = array.array("h", bytes(2 * n))
    phase = 0.0
    for i in range(n):
        progress = i / max(1, n - 1)
        hz = shape.start_hz + (shape.end_hz - shape.start_hz) * progress
        phase += 2 * math.pi * hz / rate
        gain = 1.0
        if i < fade:
            gain = 0.5 - 0.5 * math.cos(math.pi * i / fade)
        elif i >= n - fade:
            gain = 0.5 - 0.5 * math.cos(math.pi * (n - 1 - i) / fade)
        samples[i] = round(32767 * AMPLITUDE * gain * math.sin(phase))
    return samples.tobytes()
