"""Laying sounds onto a timeline block by block (pure)."""

from __future__ import annotations

import pytest

from companion.voice.mix import mixed_blocks


def samples(*values: int) -> bytes:
    return b"".join(v.to_bytes(2, "little", signed=True) for v in values)


@pytest.mark.parametrize("block", [1, 2, 3, 4, 100], ids=lambda b: f"block{b}")
def test_sounds_land_on_their_samples_whatever_the_block(block: int) -> None:
    placed = [(1, samples(5, 6, 7)), (6, samples(9)), (8, samples(1, 2, 3))]  # the last overhangs
    track = b"".join(chunk for _, chunk in mixed_blocks(placed, 9, block))
    assert track == samples(0, 5, 6, 7, 0, 0, 9, 0, 1)


def test_blocks_say_where_they_start() -> None:
    assert [first for first, _ in mixed_blocks([], 10, 4)] == [0, 4, 8]
