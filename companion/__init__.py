"""companion: an offline, hands-free voice companion for reflection and breathing breaks."""

import os

__version__ = "0.1.0"

# The program's numpy work is small: one short clip at a time. OpenBLAS's helper threads only
# cost time there, most of all on a busy machine (measured with both cores busy: the verifier
# took 13.4 ms a clip with them, 0.9 ms without; recognition p50 110 ms against 43 ms). It must be
# said before numpy is first imported; a value the person set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
