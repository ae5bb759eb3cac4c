"""Offline English transcription with PocketSphinx; its model ships in the wheel.

PocketSphinx gives no calibrated posterior for a whole utterance, so confidence is the
share of the non-silent decoded frames that fall in real words rather than fillers
(noise, breath, um): noise decodes as fillers or nothing and scores low. Audio with
under MIN_VOICED_SECONDS above the energy floor is not decoded at all: the decoder
hallucinates words in silence.
"""

from __future__ import annotations

import threading

import numpy as np
from pocketsphinx import Decoder

from pipelines.transcription.audio import SAMPLE_RATE, Pcm
from pipelines.transcription.result import Transcript

_SILENCE = {"<s>", "</s>", "<sil>"}
FRAME = SAMPLE_RATE // 100  # 10 ms
ENERGY_FLOOR = 300.0  # RMS of 16-bit samples, about -40 dBFS
MIN_VOICED_SECONDS = 0.3


def voiced_seconds(audio: Pcm) -> float:
    samples = np.frombuffer(audio.samples, dtype="<i2")
    frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1)) if len(frames) else np.zeros(0)
    return float((rms > ENERGY_FLOOR).sum()) / 100


def _is_filler(word: str) -> bool:
    return word.startswith("[") or word.startswith("+")


class PocketSphinxTranscriber:
    name = "pocketsphinx"

    def __init__(self) -> None:
        self._decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        self._lock = threading.Lock()  # one decoder, one utterance at a time

    def transcribe(self, audio: Pcm) -> Transcript:
        if voiced_seconds(audio) < MIN_VOICED_SECONDS:
            return Transcript(text="", confidence=0.0, language="en")
        with self._lock:
            self._decoder.start_utt()
            self._decoder.process_raw(audio.samples, full_utt=True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
            segments = [(s.word, s.end_frame - s.start_frame + 1) for s in self._decoder.seg()]
        text = hypothesis.hypstr.strip() if hypothesis else ""
        voiced = [(word, frames) for word, frames in segments if word not in _SILENCE]
        total = sum(frames for _, frames in voiced)
        spoken = sum(frames for word, frames in voiced if not _is_filler(word))
        confidence = spoken / total if text and total else 0.0
        return Transcript(text=text, confidence=round(confidence, 3), language="en")
