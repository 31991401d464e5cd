"""The default recogniser: offline, pocketsphinx plus a trained verifier.

pocketsphinx constrained to a grammar calls nearly any sound an answer (measured on real
recordings: 69 % of other words and 26 % of noise clips), and tuning its own scores does not
separate real speakers well. So each utterance is decided in two steps:

1. pocketsphinx decodes it with a small grammar: the one-word answers (yes, yeah, yep, no,
   nope, stop) and common words one sound away from them ("go", "so", "yet", "guess", "top").
   At the same time the verifier (companion.listen.verifier), a small network trained on real
   recordings and synthesised speech, says from the sound alone whether it is yes, no, stop,
   other speech or no speech. A small trained fusion weighs both into one probability each.
2. A sure yes, no or stop is the answer; no speech is "silence". Anything else is decoded
   again with the step's full grammar (its phrases, "not really", "I'm not sure", and every
   command, from the same phrase lists the keyboard interpreter uses), and `interpret` says
   what the words mean. A one-word yes, no or stop is never taken from that second pass: those
   words are exactly the ones the first step is trained to tell from their neighbours.

One pocketsphinx decoder is kept for the whole session: SpeechRecognition's `recognize_sphinx`
loads a 29 MB model on every call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.dialogue import understand
from companion.dialogue.protocols import Answer, Command, Expect, Heard, Miss
from companion.dialogue.understand import interpret
from companion.listen.recognise import SAMPLE_RATE, Recognition

if TYPE_CHECKING:
    from companion.listen.verifier import Verifier

__all__ = ["DEFAULT", "VOCABULARY", "OperatingPoint", "SphinxRecogniser", "grammar_phrases"]

ANSWER_WORDS = {
    "yes": "yes",
    "yeah": "yes",
    "yep": "yes",
    "no": "no",
    "nope": "no",
    "stop": "stop",
}
# Common words one sound away from an answer word: they compete in the first grammar so that a
# "go" has somewhere to go other than "no". Chosen by sound, not from any test recording.
NEAR_WORDS = ("go", "so", "low", "though", "oh", "yet", "less", "guess", "top", "shop", "you")
VOCABULARY = (*ANSWER_WORDS, *NEAR_WORDS, "")  # what the first pass can return; "" is nothing
# Words the second pass may not turn into an answer on their own (see the module docstring).
_FIRST_PASS_ONLY = frozenset({*ANSWER_WORDS, "yup", "nah", "know"})


@dataclass(frozen=True)
class OperatingPoint:
    """How sure the recogniser must be. Higher `accept`: fewer false answers, more "sorry,
    could you say that again?"."""

    accept: float = 0.5  # fused probability for a yes, no or stop
    support: float = 0.2  # verifier probability a one-word synonym ("never", "sure") needs
    noise: float = 0.5  # fused no-speech probability at which the utterance is silence


DEFAULT = OperatingPoint()
_CLASS_OF: dict[Answer | Command, str] = {Answer.YES: "yes", Answer.NO: "no", Command.STOP: "stop"}


def grammar_phrases(expect: Expect) -> list[str]:
    """Everything a step's grammar can return: its answers and every command."""
    if expect.kind == "phrase":
        answers: Iterable[str] = (expect.phrase, *expect.accept)
    elif expect.kind == "next":
        answers = understand.NEXT_PHRASES
    else:
        answers = (*understand.YES_PHRASES, *understand.NO_PHRASES, *understand.UNSURE_PHRASES)
    commands = (p for phrases in understand.COMMANDS.values() for p in phrases)
    seen: dict[str, None] = {}
    for phrase in (*answers, *commands):
        words = understand.normalise(phrase)
        if words:
            seen.setdefault(words, None)
    return list(seen)


class SphinxRecogniser:
    name = "pocketsphinx"
    offline = True

    def __init__(self, point: OperatingPoint = DEFAULT, verifier: Verifier | None = None) -> None:
        from pocketsphinx import Decoder

        from companion.listen.verifier import shipped

        self.point = point
        self._verifier = verifier or shipped()
        self._decoder = Decoder(lm=None, logfn="/dev/null", samprate=SAMPLE_RATE)
        self._searches: dict[object, tuple[str, frozenset[str]]] = {}
        self._active = ""  # Decoder.current_search() crashes when none is active yet

    def _in_dictionary(self, phrase: str) -> bool:
        return all(self._decoder.lookup_word(w) is not None for w in phrase.split())

    def _search(self, key: object, phrases: Iterable[str]) -> tuple[str, frozenset[str]]:
        found = self._searches.get(key)
        if found is None:
            name = f"search{len(self._searches)}"
            usable = [p for p in phrases if p and self._in_dictionary(p)]
            jsgf = f"#JSGF V1.0;\ngrammar {name};\npublic <said> = {' | '.join(usable)};\n"
            self._decoder.add_jsgf_string(name, jsgf)
            found = self._searches[key] = (name, frozenset(usable))
        return found

    def _decode(self, pcm: bytes, search: tuple[str, frozenset[str]]) -> str:
        name, phrases = search
        if self._active != name:
            self._decoder.activate_search(name)
            self._active = name
        self._decoder.start_utt()
        try:
            self._decoder.process_raw(pcm, full_utt=True)
        finally:
            self._decoder.end_utt()
        hyp = self._decoder.hyp()
        text = re.sub(r"\(\d+\)", "", hyp.hypstr).strip() if hyp is not None else ""
        return text if text in phrases else ""  # a partial path is not a phrase

    def first_word(self, pcm: bytes) -> str:
        """The first pass: one of VOCABULARY."""
        return self._decode(pcm, self._search("first", VOCABULARY))

    def words(self, pcm: bytes, expect: Expect) -> str:
        """The second pass: a whole phrase of the step's grammar, or ""."""
        return self._decode(pcm, self._search(expect, grammar_phrases(expect)))

    def recognise(self, pcm: bytes, expect: Expect) -> Recognition:
        from companion.listen.features import features

        started = time.perf_counter()
        if len(pcm) < 0.1 * SAMPLE_RATE * 2:  # under a tenth of a second: nothing to hear
            return Recognition(Heard(Miss.SILENCE), "", None, 0.0)
        sound = self._verifier.probabilities_of(features(pcm))
        word = self.first_word(pcm)
        fused = self._verifier.fuse(sound, word)
        best = max(fused, key=fused.__getitem__)

        def done(heard: Heard, text: str, confidence: float) -> Recognition:
            ms = (time.perf_counter() - started) * 1000
            return Recognition(heard, text, round(min(1.0, max(0.0, confidence)), 3), ms)

        point = self.point
        if best == "noise" and fused["noise"] >= point.noise:
            return done(Heard(Miss.SILENCE), "", fused["noise"])
        sure = best in ("yes", "no", "stop") and fused[best] >= point.accept
        if sure and (best == "stop" or expect.kind == "yes_no"):
            text = word if ANSWER_WORDS.get(word) == best else best
            return done(interpret(text, expect), text, fused[best])
        text = self.words(pcm, expect)
        heard = interpret(text, expect) if text else Heard(Miss.UNCLEAR)
        meaning = _CLASS_OF.get(heard.value) if isinstance(heard.value, Answer | Command) else None
        if meaning is not None and len(text.split()) == 1:
            verifier_says = dict(zip(self._verifier.classes, sound, strict=True))
            if text in _FIRST_PASS_ONLY or verifier_says[meaning] < point.support:
                return done(Heard(Miss.UNCLEAR, text), text, fused["other"])
        if heard.value is Miss.UNCLEAR:
            return done(heard, text, fused["other"])
        return done(heard, text, 1.0 - fused["noise"])
