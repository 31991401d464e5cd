"""Mixing cues onto one timeline, block by block, without holding the whole track in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def mixed_blocks(
    placed: Sequence[tuple[int, bytes]], total: int, block: int
) -> Iterator[tuple[int, bytes]]:
    """(first sample, bytes) blocks of `total` samples of silence with each (start, pcm) laid in
    at its sample. Sounds are laid, not summed: a later one overwrites where they meet."""
    order = sorted(placed, key=lambda item: item[0])
    for first in range(0, total, block):
        size = min(block, total - first)
        chunk = bytearray(2 * size)
        for start, pcm in order:
            if start >= first + size:
                break
            end = start + len(pcm) // 2
            if end <= first:
                continue
            lo, hi = max(start, first), min(end, first + size)
            chunk[2 * (lo - first) : 2 * (hi - first)] = pcm[2 * (lo - start) : 2 * (hi - start)]
        yield first, bytes(chunk)
