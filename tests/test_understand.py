"""Turning typed or heard text into answers and commands: hedges and negations first."""

from __future__ import annotations

import pytest

from companion.dialogue.protocols import NEXT, YES_NO, Answer, Command, Expect, Miss
from companion.dialogue.understand import interpret

THANKS = Expect("phrase", "thank you", ("thanks", "thank you so much"))

CASES = [
    # keys
    ("y", YES_NO, Answer.YES),
    ("N", YES_NO, Answer.NO),
    ("u", YES_NO, Answer.UNSURE),
    ("r", YES_NO, Command.REPEAT),
    ("s", YES_NO, Command.SKIP),
    ("b", YES_NO, Command.BACK),
    ("p", YES_NO, Command.PAUSE),
    ("h", YES_NO, Command.HELP),
    ("?", YES_NO, Command.HELP),
    ("q", YES_NO, Command.STOP),
    ("+", YES_NO, Command.FASTER),
    ("-", YES_NO, Command.SLOWER),
    (">", YES_NO, Command.LOUDER),
    ("<", YES_NO, Command.SOFTER),
    ("", YES_NO, Miss.SILENCE),
    ("x", YES_NO, Miss.UNCLEAR),
    ("t", THANKS, Answer.PHRASE),
    ("", THANKS, Answer.PHRASE),
    ("", NEXT, Answer.NEXT),
    # yes in many words
    ("yes", YES_NO, Answer.YES),
    ("Yeah.", YES_NO, Answer.YES),
    ("yep", YES_NO, Answer.YES),
    ("sure", YES_NO, Answer.YES),
    ("of course", YES_NO, Answer.YES),
    ("yes I do", YES_NO, Answer.YES),
    # no, and negations that contain a yes word
    ("no", YES_NO, Answer.NO),
    ("nope", YES_NO, Answer.NO),
    ("not really", YES_NO, Answer.NO),
    ("I don't", YES_NO, Answer.NO),
    ("never", YES_NO, Answer.NO),
    ("of course not", YES_NO, Answer.NO),
    ("that's not right", YES_NO, Answer.NO),
    ("no I don\u2019t think so", YES_NO, Answer.NO),
    # hedges are their own answer, never yes
    ("sometimes", YES_NO, Answer.UNSURE),
    ("maybe", YES_NO, Answer.UNSURE),
    ("not sure", YES_NO, Answer.UNSURE),
    ("I'm not sure", YES_NO, Answer.UNSURE),
    ("kind of", YES_NO, Answer.UNSURE),
    ("I don't know", YES_NO, Answer.UNSURE),
    ("yes and no", YES_NO, Answer.UNSURE),
    # commands, only when that is all that was said
    ("repeat", YES_NO, Command.REPEAT),
    ("say that again please", YES_NO, Command.REPEAT),
    ("go back", YES_NO, Command.BACK),
    ("next", YES_NO, Command.SKIP),
    ("hold on", YES_NO, Command.PAUSE),
    ("I'm back", YES_NO, Command.RESUME),
    ("what can I say", YES_NO, Command.HELP),
    ("Stop.", YES_NO, Command.STOP),
    ("slow down", YES_NO, Command.SLOWER),
    ("speed up", YES_NO, Command.FASTER),
    ("speak up", YES_NO, Command.LOUDER),
    ("quieter", YES_NO, Command.SOFTER),
    ("I can't stop worrying", YES_NO, Miss.UNCLEAR),
    ("banana", YES_NO, Miss.UNCLEAR),
    # the step's own phrase
    ("thank you", THANKS, Answer.PHRASE),
    ("Thanks!", THANKS, Answer.PHRASE),
    ("oh thank you so much", THANKS, Answer.PHRASE),
    ("thank you", YES_NO, Miss.UNCLEAR),
    ("no", THANKS, Answer.NO),
    ("ready", NEXT, Answer.NEXT),
    ("okay", NEXT, Answer.NEXT),
]


@pytest.mark.parametrize(
    ("text", "expect", "meaning"), CASES, ids=[f"{c[0]!r}-{c[1].kind}" for c in CASES]
)
def test_interpret(text: str, expect: Expect, meaning: object) -> None:
    assert interpret(text, expect).value == meaning


def test_typed_text_is_kept_for_the_transcript() -> None:
    assert interpret("sometimes", YES_NO).text == "sometimes"
    assert interpret("y", YES_NO).text == "yes"
