"""Turn what was typed or heard into an answer, a command, or a miss. Pure.

Used by the keyboard listener (single keys and typed lines) and by voice listeners on the text a
recogniser returns. Hedges are their own answer ("sometimes" is not sure, never yes), and
negations win over the words they negate ("not really" is no, "I'm not sure" is not sure).
"""

from __future__ import annotations

import re

from companion.dialogue.protocols import Answer, Command, Expect, Heard, Miss

# Single keys (a key press on a terminal, or a one-character typed line).
KEYS: dict[str, Answer | Command] = {
    "y": Answer.YES,
    "n": Answer.NO,
    "u": Answer.UNSURE,
    "r": Command.REPEAT,
    "s": Command.SKIP,
    "b": Command.BACK,
    "p": Command.PAUSE,
    "h": Command.HELP,
    "?": Command.HELP,
    "q": Command.STOP,
    "+": Command.FASTER,
    "=": Command.FASTER,  # the + key without shift
    "-": Command.SLOWER,
    "_": Command.SLOWER,
    ">": Command.LOUDER,
    "]": Command.LOUDER,
    "<": Command.SOFTER,
    "[": Command.SOFTER,
}
PHRASE_KEYS = frozenset({"t", "\n", "\r", ""})  # t or Enter: "I said it"
NEXT_KEYS = frozenset({"\n", "\r", "", " "})  # Enter or space: "ready, go on"

# Whole-utterance commands. Matched only when the command is all that was said (give or take
# a "please"), so "I can't stop worrying" is not a stop.
COMMANDS: dict[Command, tuple[str, ...]] = {
    Command.REPEAT: (
        "repeat",
        "repeat that",
        "repeat please",
        "say that again",
        "say it again",
        "again",
        "pardon",
        "what",
        "sorry what",
        "come again",
        "one more time",
    ),
    Command.SKIP: ("skip", "skip it", "skip this", "skip this one", "next", "next one", "pass"),
    Command.BACK: ("back", "go back", "previous", "previous one", "last one"),
    Command.PAUSE: ("pause", "wait", "hold on", "hang on", "just a moment", "one moment"),
    Command.RESUME: ("resume", "continue", "go on", "carry on", "i'm back", "unpause"),
    Command.HELP: ("help", "what can i say", "options", "help me", "commands"),
    Command.STOP: ("stop", "quit", "exit", "end", "goodbye", "bye", "stop it", "stop now"),
    Command.SLOWER: ("slower", "slow down", "more slowly", "speak slower", "speak more slowly"),
    Command.FASTER: ("faster", "speed up", "more quickly", "speak faster", "quicker"),
    Command.LOUDER: ("louder", "speak up", "volume up", "turn it up", "speak louder"),
    Command.SOFTER: ("softer", "quieter", "volume down", "turn it down", "speak softer"),
}
_FILLERS = ("please", "now", "ok", "okay", "um", "uh", "er", "erm", "hmm", "well", "oh", "so")

# Answers, tried in this order: hedges, then negations, then yes.
UNSURE_PHRASES = (
    "not sure",
    "unsure",
    "don't know",
    "dont know",
    "do not know",
    "no idea",
    "maybe",
    "sometimes",
    "kind of",
    "kinda",
    "sort of",
    "perhaps",
    "possibly",
    "a little",
    "a bit",
    "somewhat",
    "it depends",
    "depends",
    "partly",
    "not always",
    "now and then",
    "occasionally",
    "hard to say",
    "can't say",
    "cannot say",
    "yes and no",
    "not certain",
    "i guess",
    "might be",
    "could be",
    "in a way",
    "at times",
)
NO_PHRASES = (
    "no",
    "nope",
    "nah",
    "not really",
    "not at all",
    "never",
    "i don't",
    "i do not",
    "dont",
    "not often",
    "not much",
    "not very",
    "absolutely not",
    "certainly not",
    "definitely not",
    "of course not",
    "no way",
    "negative",
    "rarely",
    "hardly",
    "i'm not",
    "i am not",
    "i haven't",
    "i have not",
    "not me",
)
YES_PHRASES = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "yah",
    "sure",
    "of course",
    "i do",
    "definitely",
    "absolutely",
    "certainly",
    "often",
    "always",
    "correct",
    "right",
    "true",
    "i am",
    "i have",
    "indeed",
    "mostly",
    "usually",
    "a lot",
    "very much",
    "that's me",
    "affirmative",
)
NEXT_PHRASES = ("ready", "i'm ready", "done", "i'm done", "okay", "ok", "move on", "go ahead")


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in alternatives) + r")\b")


_UNSURE = _pattern(UNSURE_PHRASES)
_NO = _pattern(NO_PHRASES)
_YES = _pattern(YES_PHRASES)
_NEGATION = re.compile(r"\bnot\b|n't\b")
_COMMAND_OF = {phrase: cmd for cmd, phrases in COMMANDS.items() for phrase in phrases}


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, no punctuation, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(w.strip("'") for w in text.split() if w.strip("'"))


def _strip_fillers(words: list[str]) -> list[str]:
    while words and words[0] in _FILLERS:
        words = words[1:]
    while words and words[-1] in _FILLERS:
        words = words[:-1]
    return words


def command_in(text: str) -> Command | None:
    """The command this utterance is, if it is nothing but a command."""
    words = _strip_fillers(normalise(text).split())
    return _COMMAND_OF.get(" ".join(words))


def answer_in(text: str) -> Answer | None:
    """yes / no / not sure in free text, hedges and negations first."""
    said = normalise(text)
    if _UNSURE.search(said):
        return Answer.UNSURE
    if _NO.search(said):
        return Answer.NO
    if _YES.search(said):
        # "that's not right", "isn't true": a negated yes is a no
        return Answer.NO if _NEGATION.search(said) else Answer.YES
    return None


def _says_phrase(text: str, expect: Expect) -> bool:
    said = f" {normalise(text)} "
    return any(f" {normalise(p)} " in said for p in (expect.phrase, *expect.accept) if p)


def interpret(text: str, expect: Expect) -> Heard:
    """What one typed line, key or recognised utterance means for a step expecting `expect`."""
    raw = text.strip(" \t")
    if raw in ("\n", "\r"):
        raw = ""
    if len(raw) <= 1:
        key = raw.lower()
        if expect.kind == "phrase" and key in PHRASE_KEYS:
            return Heard(Answer.PHRASE, expect.phrase)
        if expect.kind == "next" and key in NEXT_KEYS:
            return Heard(Answer.NEXT, "next")
        if key in KEYS:
            meaning = KEYS[key]
            return Heard(meaning, str(meaning))
        if not raw:
            return Heard(Miss.SILENCE)
        return Heard(Miss.UNCLEAR, raw)
    if expect.kind == "phrase" and _says_phrase(raw, expect):
        return Heard(Answer.PHRASE, raw)
    command = command_in(raw)
    if command is not None:
        return Heard(command, raw)
    if expect.kind == "next" and normalise(raw) in NEXT_PHRASES:
        return Heard(Answer.NEXT, raw)
    answer = answer_in(raw)
    if answer is not None:
        return Heard(answer, raw)
    return Heard(Miss.UNCLEAR, raw)
