"""The spoken summary of a reflection: a pure function of the questions and the answers.

At most 60 words. It names the themes answered yes or not sure, says plainly that it is a
reflection and not a diagnosis, and offers one small next step from the healing steps. Where a
when-to-seek-help question was answered yes, the next step is a doctor or therapist, and the
helpline for the person's region follows.

To fit the limit, parts are dropped in this order: the opening thanks, then themes beyond the
first (folded into "and 3 more"), then the leaning line. The first theme, the reflection line,
the next step and the helpline always stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from companion.content.model import Healing, Question, SummaryPhrases
from companion.dialogue.protocols import Answer

MAX_WORDS = 60
THERAPIST_STEP = "therapist"


@dataclass(frozen=True)
class SummaryInputs:
    questions: Sequence[Question]
    phrases: SummaryPhrases
    healing: Healing
    helpline: str  # the text for the person's region


def words(text: str) -> int:
    return len(text.split())


def join(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c": how a list is said aloud."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _themes_sentence(
    p: SummaryPhrases, yes: Sequence[str], unsure: Sequence[str], budget: int
) -> str:
    """The longest naming of themes that fits the word budget; at least one theme is named."""
    total = len(yes) + len(unsure)
    best = ""
    for shown in range(1, total + 1):
        y, u = list(yes[:shown]), list(unsure[: max(0, shown - len(yes))])
        rest = total - shown
        if rest:
            more = p.and_more.format(count=rest)
            if u:
                u.append(more)
            else:
                y.append(more)
        if y and u:
            sentence = p.said_yes_and_unsure.format(yes=join(y), unsure=join(u))
        elif y:
            sentence = p.said_yes.format(themes=join(y))
        else:
            sentence = p.said_unsure.format(themes=join(u))
        if best and words(sentence) > budget:
            break
        best = sentence
    return best


def _lean(p: SummaryPhrases, questions: Sequence[Question], answers: Mapping[str, Answer]) -> str:
    independent = sum(
        1 for q in questions if q.lean == "independent" and answers.get(q.id) == Answer.YES
    )
    dependent = sum(
        1 for q in questions if q.lean == "dependent" and answers.get(q.id) == Answer.YES
    )
    if independent and dependent and abs(independent - dependent) <= 1:
        return p.lean_both
    if independent > dependent:
        return p.lean_independent
    if dependent > independent:
        return p.lean_dependent
    return ""


def _next_step(inputs: SummaryInputs, answers: Mapping[str, Answer]) -> str:
    """A small step from the healing step the first yes (else not sure) answer points at."""
    pointed = [q.step for q in inputs.questions if q.step and answers.get(q.id) == Answer.YES]
    pointed += [q.step for q in inputs.questions if q.step and answers.get(q.id) == Answer.UNSURE]
    step_id = pointed[0] if pointed else inputs.healing.default_step
    step = next(s for s in inputs.healing.steps if s.id == step_id)
    # Deterministic, yet it varies with the answers: the same answers, the same suggestion.
    turn = sum(1 for a in answers.values() if a == Answer.YES) + 2 * sum(
        1 for a in answers.values() if a == Answer.UNSURE
    )
    suggestion = step.suggestions[turn % len(step.suggestions)].rstrip(".")
    return inputs.phrases.next_step.format(suggestion=suggestion)


def compose(inputs: SummaryInputs, answers: Mapping[str, Answer]) -> str:
    p = inputs.phrases
    asked = [q for q in inputs.questions if not q.seek_help]
    help_qs = [q for q in inputs.questions if q.seek_help]
    yes = [q.theme for q in asked if answers.get(q.id) == Answer.YES]
    unsure = [q.theme for q in asked if answers.get(q.id) == Answer.UNSURE]
    answered_any = any(answers.get(q.id) in (Answer.YES, Answer.NO, Answer.UNSURE) for q in asked)

    if any(answers.get(q.id) == Answer.YES for q in help_qs):
        ending = [p.seek_help_yes, inputs.helpline]
    elif any(answers.get(q.id) == Answer.UNSURE for q in help_qs):
        ending = [p.seek_help_unsure]
    else:
        ending = [_next_step(inputs, answers)]
    lean = _lean(p, asked, answers)
    fixed = [p.not_diagnosis, *ending]
    budget = MAX_WORDS - sum(words(s) for s in fixed)

    middle: list[str] = []
    if yes or unsure:
        shortest = _themes_sentence(p, yes, unsure, 0)  # one theme named, the rest counted
        if lean and words(lean) + words(shortest) <= budget:
            middle.append(lean)
            budget -= words(lean)
        middle.insert(0, _themes_sentence(p, yes, unsure, budget))
    elif answered_any and words(p.all_no) <= budget:
        middle.append(p.all_no)
    budget -= sum(words(s) for s in middle)

    opening = [p.opening] if words(p.opening) <= budget else []
    return " ".join([*opening, *middle, *fixed])
