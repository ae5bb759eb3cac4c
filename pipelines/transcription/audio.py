"""Decoding uploaded and recorded audio (wav, webm/opus, ogg, mp3) to 16 kHz mono PCM.

PyAV's wheel ships FFmpeg's decoders, so nobody installs a codec by hand.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av

SAMPLE_RATE = 16_000
BYTES_PER_SECOND = SAMPLE_RATE * 2  # signed 16-bit mono


class AudioRejected(ValueError):
    """The bytes are not audio we can decode, or the audio is too long."""


@dataclass(frozen=True)
class Pcm:
    samples: bytes  # signed 16-bit little-endian mono at SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / BYTES_PER_SECOND


def decode(data: bytes, max_seconds: float) -> Pcm:
    """Decode the first audio stream, refusing anything longer than `max_seconds`."""
    limit = int(max_seconds * BYTES_PER_SECOND)
    chunks: list[bytes] = []
    size = 0
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioRejected("the file has no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().tobytes()
                    size += len(chunk)
                    if size > limit:
                        raise AudioRejected(f"the audio is longer than {max_seconds:.0f} seconds")
                    chunks.append(chunk)
            chunks.extend(out.to_ndarray().tobytes() for out in resampler.resample(None))
    except av.error.FFmpegError as exc:
        raise AudioRejected(f"the audio could not be decoded ({type(exc).__name__})") from None
    if size == 0:
        raise AudioRejected("the audio is empty")
    return Pcm(b"".join(chunks))
