"""The answer verifier: a small trained network that says what kind of sound one utterance is.

Five classes: yes, no, stop, other speech, and noise (no speech at all). pocketsphinx decides
the words; the verifier decides whether to believe it (companion.listen.sphinx). Its weights are
in data/verifier.npz, made by scripts/train_verifier.py, and run here with numpy alone: four
convolutions over time with the mel bands as channels (batch norm folded in), max pooling,
global average pooling, one dense layer. The file may hold several such networks (keys
``m0_conv0_w``, ``m1_conv0_w``...), trained apart; their probabilities are averaged.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

CLASSES = ("yes", "no", "stop", "other", "noise")
Array = np.ndarray[Any, Any]


def _conv3(x: Array, w: Array, b: Array) -> Array:
    """x (C, T), w (O, C, 3) -> (O, T): a 3-tap convolution over time, zero padding 1, ReLU."""
    channels, length = x.shape
    padded = np.pad(x, ((0, 0), (1, 1)))
    columns = np.stack([padded[:, k : k + length] for k in range(3)], axis=1)
    out = w.reshape(len(w), channels * 3) @ columns.reshape(channels * 3, length) + b[:, None]
    return np.asarray(np.maximum(out, 0.0))


def _pool2(x: Array) -> Array:
    channels, length = x.shape
    half = length // 2
    return np.asarray(x[:, : half * 2].reshape(channels, half, 2).max(axis=2))


def fusion_inputs(sound: Array, word: str, vocabulary: tuple[str, ...]) -> Array:
    """The fusion's input: the verifier's log-probabilities and which word pocketsphinx's first
    pass heard (one-hot over its vocabulary)."""
    heard = np.zeros(len(vocabulary), np.float32)
    heard[vocabulary.index(word) if word in vocabulary else vocabulary.index("")] = 1.0
    return np.concatenate([np.log(np.clip(sound, 1e-4, 1.0)), heard]).astype(np.float32)


class _Network:
    """One trained network: its convolutions and its dense layer."""

    def __init__(self, weights: dict[str, Array], prefix: str) -> None:
        self.convs = []
        index = 0
        while f"{prefix}conv{index}_w" in weights:
            self.convs.append(
                (weights[f"{prefix}conv{index}_w"], weights[f"{prefix}conv{index}_b"])
            )
            index += 1
        if not self.convs or f"{prefix}dense_w" not in weights:
            raise ValueError(f"no network {prefix or 'weights'} in the verifier's weights")
        self.dense = (weights[f"{prefix}dense_w"], weights[f"{prefix}dense_b"])

    def probabilities_of(self, x: Array) -> Array:
        for i, (w, b) in enumerate(self.convs):
            x = _conv3(x, w, b)
            if i < len(self.convs) - 1:
                x = _pool2(x)
        pooled = x.mean(axis=1)
        logits = self.dense[0] @ pooled + self.dense[1]
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()  # type: ignore[no-any-return]


def member_prefixes(weights: dict[str, Array]) -> list[str]:
    """The networks in a weights file: "m0_", "m1_"... or the one unprefixed network."""
    prefixes: list[str] = []
    while f"m{len(prefixes)}_conv0_w" in weights:
        prefixes.append(f"m{len(prefixes)}_")
    return prefixes or [""]


class Verifier:
    classes = CLASSES

    def __init__(self, weights: dict[str, Array]) -> None:
        self.weights = weights
        self.fusion = (weights["fuse_w"], weights["fuse_b"]) if "fuse_w" in weights else None
        self.networks = [_Network(weights, prefix) for prefix in member_prefixes(weights)]

    def probabilities_of(self, features: Array) -> Array:
        """Class probabilities (in CLASSES order) for one (frames, mels) feature map: the mean
        of the networks' probabilities."""
        x = np.ascontiguousarray(features.T, dtype=np.float32)  # (mels, frames)
        probs = [network.probabilities_of(x) for network in self.networks]
        return probs[0] if len(probs) == 1 else np.mean(probs, axis=0)

    def fuse(self, sound: Array, word: str) -> dict[str, float]:
        """One probability per class from the sound and the word pocketsphinx heard (a small
        logistic regression trained on held-out predictions; see scripts/train_verifier.py)."""
        if self.fusion is None:
            return dict(zip(CLASSES, (float(p) for p in sound), strict=True))
        from companion.listen.sphinx import VOCABULARY

        logits = self.fusion[0] @ fusion_inputs(sound, word, VOCABULARY) + self.fusion[1]
        exp = np.exp(logits - logits.max())
        return dict(zip(CLASSES, (float(p) for p in exp / exp.sum()), strict=True))

    @staticmethod
    def decide_probs(probs: Array, threshold: float = 0.5) -> str:
        """The class on its own: the most likely one if it reaches `threshold`, else other."""
        best = int(np.argmax(probs))
        if CLASSES[best] in ("yes", "no", "stop") and probs[best] < threshold:
            return "other"
        return CLASSES[best]


@lru_cache(maxsize=1)
def shipped() -> Verifier:
    """The verifier trained by scripts/train_verifier.py and shipped in the package."""
    path = resources.files("companion.listen") / "data" / "verifier.npz"
    with path.open("rb") as handle, np.load(handle) as data:
        return Verifier({name: data[name] for name in data.files})
