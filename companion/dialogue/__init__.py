"""The dialogue: pure Python. It imports no engine, no audio library and not click.

It speaks through a Speaker, hears through a Listener and keeps time with a Clock
(see `protocols.py`); `session.py` runs steps, `understand.py` turns text into answers and
commands, `summary.py` writes the summary.
"""
