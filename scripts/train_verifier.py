"""Train the answer verifier shipped in companion/listen/data/verifier.npz.

The verifier is a small convolutional network over log-mel features (companion.listen.features)
that says which of five kinds of sound one utterance is: yes, no, stop, other speech, or no
speech at all. The recogniser (companion.listen.sphinx) asks it before it trusts pocketsphinx:
pocketsphinx, constrained to a grammar, calls nearly any sound an answer.

Training data, all of it rebuilt by this script:
- the development half of a real recorded corpus of single words (Speech Commands v0.02, CC BY
  4.0), laid out as ../shared/corpus/speech_commands/{yes,no,stop,other,silence}/ with files.csv;
- speech synthesised with espeak-ng: the answer phrases of companion.dialogue.understand and a
  list of ordinary English words, in several voices, variants, rates and pitches;
- augmentation: noise from the corpus's own noise clips at 0-30 dB SNR, gain, speed, and shifts.

It needs PyTorch for training only (`pip install torch`); the package runs the trained weights
with numpy. Run:

    python scripts/train_verifier.py [--corpus DIR] [--folds 4] [--members 3] [--jobs 2]

--folds K first trains K times with speakers held out (grouped by speaker, so no speaker is both
learnt and tested) and prints what the held-out speakers got; then it trains on everything and
writes the weights. --members M does all of that M times with other seeds (other augmented
copies, other starting weights), and the shipped verifier averages the M networks. --jobs J
trains J networks at once (one core each). Seeds are fixed, so a rerun gives the same figures
on the same machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import subprocess
import sys
import time
import wave
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from companion.dialogue import understand  # noqa: E402
from companion.dialogue.protocols import Command  # noqa: E402
from companion.listen import features as feat  # noqa: E402
from companion.listen.verifier import CLASSES  # noqa: E402

Array = np.ndarray[Any, Any]
RATE = feat.SAMPLE_RATE

# Ordinary words and phrases that are not answers: what the verifier must call "other". Common
# English words (numbers and directions among them) and words that sound near the answers;
# written by hand, not taken from the corpus's word list.
OTHER_WORDS = """
go so low show though toe row know-how yet yell yes-man less mess guess dress test chess
top shop stock step stuff stuck snow slow stone stove store start star up down left right
on off in out over under one two three four five six seven eight nine ten zero hello hi hey
water coffee window table morning evening today tomorrow music nose now new knee gnaw note
nod noise yellow yesterday yoga young yard east west just yet yeah-right best rest nest
west chest desk yak yawn nest sock shock top-up this that there then them these those what
when where which who why how apple orange purple green blue red black white brown
""".split()  # noqa: SIM905
# Words one sound away from an answer ("go" and "no", "yet" and "yes"): synthesised more often
# so that the network learns the sound that tells them apart.
NEAR_ANSWERS = frozenset(
    """
go so low though oh toe yet yell less guess chess top shop step stock snow show know-how
""".split()  # noqa: SIM905
)
OTHER_PHRASES = (
    "good morning",
    "thank you",
    "i think so too",
    "let me see",
    "turn on the light",
    "where are my keys",
    "how are you",
    "what time is it",
    "it is raining",
    "open the door",
)


# The answers the network learns as yes and no: the plain ones. Answers that begin like a hedge
# ("i'm not" and "i'm not sure", "i am" and "i am not") are left to the word decoder, so that
# the network never learns that "i'm not ..." means no.
YES_SOUNDS = """
yes|yeah|yep|yup|sure|of course|i do|yes i do|yeah i do|yes please|definitely|absolutely|certainly
|always|often|yeah sure|yes definitely|yes always
"""
NO_SOUNDS = """
no|nope|nah|not really|not at all|never|i don't|no i don't|no not really|no never|rarely|no way
|no thanks|definitely not|absolutely not
"""


def family_phrases() -> dict[str, list[str]]:
    """Each class's phrases for synthesis. Hedges and commands are "other", and are said often:
    the network must not take "i'm not sure" for no or "say that again" for yes."""
    hedges = [*understand.UNSURE_PHRASES, "i'm not sure", "i am not sure", "i really don't know"]
    for command, phrases in understand.COMMANDS.items():
        if command is not Command.STOP:
            hedges.extend(phrases)
    return {
        "yes": [p.strip() for p in YES_SOUNDS.split("|")],
        "no": [p.strip() for p in NO_SOUNDS.split("|")],
        "stop": list(understand.COMMANDS[Command.STOP]),
        "hedge": hedges,
        "other": [*(w.replace("-", " ") for w in OTHER_WORDS), *OTHER_PHRASES],
    }


VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-x-gbclan"]
VARIANTS = ["", "+m1", "+m3", "+m7", "+f1", "+f2", "+f4", "+klatt2", "+croak", "+whisper"]


def synth(text: str, voice: str, rate: int, pitch: int) -> Array:
    out = subprocess.run(
        ["espeak-ng", "--stdout", "-v", voice, "-s", str(rate), "-p", str(pitch), text],
        capture_output=True,
        check=True,
    ).stdout
    with wave.open(io.BytesIO(out)) as w:
        source_rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)
    data /= 32768.0
    return resample(data, source_rate / RATE)


def resample(signal: Array, factor: float) -> Array:
    """Linear resampling: the output has len/factor samples."""
    count = max(1, int(len(signal) / factor))
    resampled = np.interp(np.arange(count) * factor, np.arange(len(signal)), signal)
    return np.asarray(resampled, dtype=np.float32)


def synthetic_set(seed: int) -> list[tuple[Array, str]]:
    rng = random.Random(seed)
    jobs = []
    for label, phrases in family_phrases().items():
        usual = {"yes": 20, "no": 20, "stop": 24, "hedge": 14, "other": 5}[label]
        for phrase in phrases:
            for _ in range(30 if phrase in NEAR_ANSWERS else usual):
                voice = rng.choice(VOICES) + rng.choice(VARIANTS)
                kind = "other" if label == "hedge" else label
                jobs.append((phrase, voice, rng.randint(110, 280), rng.randint(25, 80), kind))
    with ThreadPoolExecutor(max_workers=4) as pool:
        signals = list(pool.map(lambda j: synth(*j[:4]), jobs))
    return [(s, j[4]) for s, j in zip(signals, jobs, strict=True)]


def read_corpus(folder: Path) -> tuple[list[tuple[Array, str, str]], list[bytes]]:
    """Each clip as (samples, class, speaker), and the same clips as 16-bit PCM for pocketsphinx."""
    labels = {"yes": "yes", "no": "no", "stop": "stop", "other": "other", "silence": "noise"}
    out = []
    pcms = []
    with open(folder / "files.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            with wave.open(str(folder / row["file"])) as w:
                assert w.getframerate() == RATE and w.getnchannels() == 1
                pcm = bytes(w.readframes(w.getnframes()))
            out.append((feat.samples(pcm), labels[row["label"]], row["speaker"]))
            pcms.append(pcm)
    return out, pcms


def augment(signal: Array, label: str, noises: list[Array], rng: np.random.Generator) -> Array:
    if label != "noise" and rng.random() < 0.6:  # speed: tempo, pitch and formants
        signal = resample(signal, float(rng.uniform(0.88, 1.12)))
    lead, trail = rng.integers(0, 4000, size=2)
    signal = np.concatenate([np.zeros(lead, np.float32), signal, np.zeros(trail, np.float32)])
    peak = float(np.abs(signal).max()) or 1.0
    signal = signal / peak * float(rng.uniform(0.05, 0.9))
    if noises and (label == "noise" or rng.random() < 0.7):
        noise = noises[int(rng.integers(len(noises)))]
        start = int(rng.integers(0, max(1, len(noise) - len(signal))))
        piece = np.resize(noise[start : start + len(signal)], len(signal))
        if label == "noise":
            signal = piece * float(rng.uniform(0.05, 3.0))
        else:
            snr = float(rng.uniform(0, 30))
            power = float(np.mean(signal**2)) + 1e-9
            piece_power = float(np.mean(piece**2)) + 1e-9
            signal = signal + piece * np.sqrt(power / piece_power / 10 ** (snr / 10))
    signal = signal + rng.normal(0, 10 ** float(rng.uniform(-4.5, -3)), len(signal))
    return np.clip(signal, -1, 1).astype(np.float32)


def synthetic_noise(rng: np.random.Generator) -> Array:
    white = rng.normal(0, 1, RATE).astype(np.float32)
    kind = rng.integers(3)
    if kind == 1:  # brown-ish
        white = np.cumsum(white)
        white -= np.convolve(white, np.ones(200) / 200, mode="same")
    elif kind == 2:  # hum
        t = np.arange(RATE) / RATE
        white = np.sin(2 * np.pi * float(rng.choice([50, 60, 100, 120])) * t) + 0.1 * white
    level = 10 ** float(rng.uniform(-3.5, -0.5))
    return np.asarray(white / (np.abs(white).max() + 1e-9) * level, dtype=np.float32)


def build(
    examples: list[tuple[Array, str]], noises: list[Array], copies: int, seed: int
) -> tuple[Array, Array]:
    print(f"  features of {len(examples)} x {copies}", flush=True)
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for signal, label in examples:
        for _ in range(copies):
            xs.append(feat.features_from_samples(augment(signal, label, noises, rng)))
            ys.append(CLASSES.index(label))
    for _ in range(len(examples) // 10):
        xs.append(feat.features_from_samples(synthetic_noise(rng)))
        ys.append(CLASSES.index("noise"))
    return np.stack(xs), np.array(ys)


def train(x: Array, y: Array, epochs: int, seed: int) -> dict[str, Array]:
    import torch
    from torch import nn

    torch.manual_seed(seed)
    torch.set_num_threads(1)  # measured: 5x faster than 2 here

    def block(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Conv1d(cin, cout, 3, padding=1), nn.BatchNorm1d(cout), nn.ReLU()]

    model = nn.Sequential(
        *block(feat.MELS, 64),
        nn.MaxPool1d(2),
        *block(64, 64),
        nn.MaxPool1d(2),
        *block(64, 96),
        nn.MaxPool1d(2),
        *block(96, 96),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(96, len(CLASSES)),
    )
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float32)
    weights = torch.tensor(counts.sum() / (len(CLASSES) * np.maximum(counts, 1)))
    loss_fn = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    steps = epochs * ((len(x) + 63) // 64)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps)
    tx, ty = torch.tensor(x.transpose(0, 2, 1).copy()), torch.tensor(y)
    for epoch in range(epochs):
        if epoch % 5 == 0:
            print(f"  epoch {epoch}/{epochs} ({len(tx)} examples)", flush=True)
        model.train()
        order = torch.randperm(len(tx))
        for i in range(0, len(tx), 64):
            batch = order[i : i + 64]
            inputs = tx[batch]
            # SpecAugment-style masks: a band of frequencies and a stretch of time
            f0 = int(torch.randint(0, feat.MELS - 6, ()))
            t0 = int(torch.randint(0, feat.FRAMES - 12, ()))
            inputs = inputs.clone()
            inputs[:, f0 : f0 + int(torch.randint(0, 6, ())), :] = 0
            inputs[:, :, t0 : t0 + int(torch.randint(0, 12, ()))] = 0
            optimiser.zero_grad()
            loss = loss_fn(model(inputs), ty[batch])
            loss.backward()
            optimiser.step()
            schedule.step()
    model.eval()
    return export(model)


def export(model: Any) -> dict[str, Array]:
    """Fold each batch norm into the convolution before it; plain numpy arrays out."""
    out: dict[str, Array] = {}
    layers = list(model)
    index = 0
    for i, layer in enumerate(layers):
        if type(layer).__name__ == "Conv1d":
            bn = layers[i + 1]
            scale = (bn.weight / (bn.running_var + bn.eps).sqrt()).detach().numpy()
            w = layer.weight.detach().numpy() * scale[:, None, None]
            b = (layer.bias.detach().numpy() - bn.running_mean.detach().numpy()) * scale
            b = b + bn.bias.detach().numpy()
            out[f"conv{index}_w"], out[f"conv{index}_b"] = (
                w.astype(np.float32),
                b.astype(np.float32),
            )
            index += 1
        elif type(layer).__name__ == "Linear":
            out["dense_w"] = layer.weight.detach().numpy().astype(np.float32)
            out["dense_b"] = layer.bias.detach().numpy().astype(np.float32)
    return out


def fit_fusion(x: Array, y: Array, seed: int = 0, steps: int = 3000) -> tuple[Array, Array]:
    """Multinomial logistic regression, L2, answers weighted up (missing a real yes costs more
    than asking again), by full-batch gradient descent with Adam. Numpy only."""
    weight = np.array([2.0, 2.0, 1.0, 1.0, 1.0], np.float32)[y]
    onehot = np.eye(len(CLASSES), dtype=np.float32)[y]
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.01, (len(CLASSES), x.shape[1])).astype(np.float32)
    b = np.zeros(len(CLASSES), np.float32)
    moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    for step in range(1, steps + 1):
        logits = x @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * weight[:, None] / weight.sum()
        grads = (error.T @ x + 1e-3 * w, error.sum(axis=0))
        for i, (param, grad) in enumerate(zip((w, b), grads, strict=True)):
            m, v = moments[2 * i], moments[2 * i + 1]
            m[:] = 0.9 * m + 0.1 * grad
            v[:] = 0.999 * v + 0.001 * grad**2
            param -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w, b


def fusion_stage(
    real: list[tuple[Array, str, str]],
    pcms: list[bytes],
    oof: Array,
    weights: dict[str, Array],
    folds: int,
) -> dict[str, Array]:
    """Learn how much to trust the verifier's sound against pocketsphinx's first-pass word, on
    the held-out-speaker predictions of the verifier, and report it with speakers held out."""
    from companion.listen.sphinx import VOCABULARY, SphinxRecogniser
    from companion.listen.verifier import Verifier, fusion_inputs

    recogniser = SphinxRecogniser(verifier=Verifier(weights))
    words = [recogniser.first_word(pcm) for pcm in pcms]
    x = np.stack([fusion_inputs(o, w, VOCABULARY) for o, w in zip(oof, words, strict=True)])
    y = np.array([CLASSES.index(lab) for _, lab, _ in real])
    speakers = sorted({s for _, _, s in real})
    random.Random(11).shuffle(speakers)
    fold_of = {s: i % folds for i, s in enumerate(speakers)}
    held_probs = np.zeros((len(real), len(CLASSES)), np.float32)
    for fold in range(folds):
        learn = np.array([fold_of[s] != fold for _, _, s in real])
        w, b = fit_fusion(x[learn], y[learn])
        logits = x[~learn] @ w.T + b
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        held_probs[~learn] = e / e.sum(axis=1, keepdims=True)
    print(f"fused, speakers held out: {report(held_probs, [lab for _, lab, _ in real])}")
    w, b = fit_fusion(x, y)
    return {**weights, "fuse_w": w, "fuse_b": b}


def report(probs: Array, labels: list[str]) -> str:
    from companion.listen.verifier import Verifier

    decided = [Verifier.decide_probs(p) for p in probs]
    tally = Counter(zip(labels, decided, strict=True))
    total = Counter(labels)
    yes_no = (tally["yes", "yes"] + tally["no", "no"]) / (total["yes"] + total["no"])
    other = (tally["other", "yes"] + tally["other", "no"]) / max(1, total["other"])
    noise = sum(v for (lab, d), v in tally.items() if lab == "noise" and d != "noise")
    answered = sum(tally["noise", d] for d in ("yes", "no", "stop"))
    stop = tally["stop", "stop"] / max(1, total["stop"])
    # Noise the first step calls "other" goes on to the word decoder, which may still find an
    # answer in it or (mostly) not: so both figures.
    return (
        f"yes/no right {yes_no:.1%}  other as yes/no {other:.1%}  "
        f"noise answered {answered / max(1, total['noise']):.1%} "
        f"(not called noise {noise / max(1, total['noise']):.1%})  stop heard {stop:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared/corpus/speech_commands"
    )
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--copies", type=int, default=6, help="augmented copies per real clip")
    parser.add_argument("--out", type=Path, default=ROOT / "companion/listen/data/verifier.npz")
    parser.add_argument(
        "--oof",
        type=Path,
        default=Path("verifier-heldout.npz"),
        help="held-out predictions (kept between stages)",
    )
    parser.add_argument("--stage", choices=("all", "network", "fusion"), default="all")
    parser.add_argument("--members", type=int, default=3, help="networks averaged (an ensemble)")
    parser.add_argument("--jobs", type=int, default=2, help="networks trained at once")
    args = parser.parse_args()
    started = time.perf_counter()
    real, pcms = read_corpus(args.corpus)
    if args.stage in ("all", "network"):
        network_stage(args, real)
    with np.load(args.oof) as held, np.load(args.out) as trained:
        oof = held["probs"]
        weights = {k: trained[k] for k in trained.files if not k.startswith("fuse_")}
    weights = fusion_stage(real, pcms, oof, weights, max(2, args.folds))
    np.savez_compressed(args.out, **weights)  # type: ignore[arg-type]
    size = args.out.stat().st_size // 1024
    print(f"wrote {args.out} ({size} KB) in {time.perf_counter() - started:.0f} s")


# What the worker processes share, set before they fork: the real and synthesised clips, each
# speaker's fold, and the arguments.
_SHARED: dict[str, Any] = {}


def network_stage(args: argparse.Namespace, real: list[tuple[Array, str, str]]) -> None:
    """Train `members` networks per fold with speakers held out, then on everything.

    Member 0 uses the seeds of the single network shipped before members existed; member m adds
    1000 * m to every seed, so its augmented copies and its initial weights differ.
    """
    import multiprocessing

    synthetic = synthetic_set(seed=1)
    print(f"{len(real)} real clips, {len(synthetic)} synthesised, {args.members} members")
    speakers = sorted({s for _, _, s in real})
    random.Random(7).shuffle(speakers)
    fold_of = {s: i % args.folds for i, s in enumerate(speakers)}
    _SHARED.update(real=real, synthetic=synthetic, fold_of=fold_of, args=args)
    jobs = [(fold, m) for m in range(args.members) for fold in range(args.folds)]
    jobs += [(-1, m) for m in range(args.members)]  # -1: every speaker, for the shipped file
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(_train_job, jobs, chunksize=1)
    oof = np.zeros((args.members, len(real), len(CLASSES)), np.float32)
    weights: dict[str, Array] = {}
    labels = [lab for _, lab, _ in real]
    for (fold, m), (held, probs, trained) in zip(jobs, results, strict=True):
        if fold >= 0:
            oof[m, held] = probs
        else:
            weights.update({f"m{m}_{k}": v for k, v in trained.items()})
    for m in range(args.members):
        print(f"network {m} alone, speakers held out: {report(oof[m], labels)}")
    mean = oof.mean(axis=0)
    print(f"{args.members} networks, speakers held out: {report(mean, labels)}", flush=True)
    np.savez(args.oof, probs=mean, members=oof)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **weights)  # type: ignore[arg-type]


def _train_job(job: tuple[int, int]) -> tuple[list[int], Array, dict[str, Array]]:
    """One network: fold `fold` held out (or none, for -1), member `m`'s seeds."""
    from companion.listen.verifier import Verifier

    fold, m = job
    real, synthetic = _SHARED["real"], _SHARED["synthetic"]
    fold_of, args = _SHARED["fold_of"], _SHARED["args"]
    offset = 1000 * m
    every = fold < 0
    learn = [(s, lab) for s, lab, spk in real if every or fold_of[spk] != fold]
    noises = [s for s, lab in learn if lab == "noise"]
    seed = 99 if every else fold
    x, y = build(learn, noises, args.copies, seed=seed + offset)
    sx, sy = build(synthetic, noises, 1, seed=100 + seed + offset)
    trained = train(np.concatenate([x, sx]), np.concatenate([y, sy]), args.epochs, seed + offset)
    if every:
        return [], np.zeros((0, len(CLASSES)), np.float32), trained
    model = Verifier(trained)
    held = [i for i, (_, _, spk) in enumerate(real) if fold_of[spk] == fold]
    probs = np.stack([model.probabilities_of(feat.features_from_samples(real[i][0])) for i in held])
    print(f"fold {fold} network {m}: {report(probs, [real[i][1] for i in held])}", flush=True)
    return held, probs, {}


if __name__ == "__main__":
    main()
