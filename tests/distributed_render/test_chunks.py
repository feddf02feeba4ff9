"""Splitting a frame range into chunks: contiguous, in order, covering every frame once."""

import pytest

from oscilla.distributed.chunks import FrameChunk, default_chunk_frames, split_frames


def test_chunks_cover_every_frame_once_in_order():
    chunks = split_frames(10, 4)
    assert chunks == [FrameChunk(0, 0, 4), FrameChunk(1, 4, 8), FrameChunk(2, 8, 10)]
    assert [k for c in chunks for k in range(c.start, c.stop)] == list(range(10))
    assert [c.frames for c in chunks] == [4, 4, 2]


def test_one_chunk_when_the_chunk_is_longer_than_the_range():
    assert split_frames(3, 100) == [FrameChunk(0, 0, 3)]


@pytest.mark.parametrize("n, size", [(0, 4), (5, 0)])
def test_empty_ranges_and_empty_chunks_are_refused(n, size):
    with pytest.raises(ValueError):
        split_frames(n, size)


def test_default_chunks_are_about_four_per_worker():
    assert default_chunk_frames(600, 2) == 75
    assert default_chunk_frames(3, 8) == 1
