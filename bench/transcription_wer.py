"""Word error rate of the offline transcriber per flite voice, over spoken feedback sentences.

Needs flite (Debian: `apt-get install flite`). Run: `.venv/bin/python bench/transcription_wer.py`.
Prints the machine, then WER and real-time factor per voice, and the worst sentences.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import tempfile
import time
from pathlib import Path

from pipelines.transcription.audio import decode
from pipelines.transcription.sphinx import PocketSphinxTranscriber

VOICES = ("slt", "rms", "awb")
SENTENCES = [
    "I have chest pain and I cannot breathe, please send a nurse",
    "The nurse was very kind and the room was clean",
    "We waited four hours in the emergency room",
    "My father fell out of bed and nobody came",
    "The food was cold and the portions were small",
    "Thank you to the doctors on ward three",
    "The parking is too expensive for patients",
    "Nobody told us when the surgery would start",
    "My mother is bleeding and she is very weak",
    "The staff at the front desk were rude to me",
    "I could not sleep because of the noise at night",
    "The doctor explained everything clearly",
    "Please clean the bathroom on the second floor",
    "I am in a lot of pain and I need help now",
    "The discharge was quick and well organized",
    "My child has a high fever and is not waking up",
    "The waiting room was crowded and very hot",
    "Everyone was friendly and the care was excellent",
    "I did not get my medication on time",
    "The call button in my room does not work",
    "The x ray department lost my appointment",
    "I want to thank the night nurse for her help",
]


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1]


def main() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    transcriber = PocketSphinxTranscriber()
    print(f"{len(SENTENCES)} sentences, {sum(len(words(s)) for s in SENTENCES)} words per voice")
    with tempfile.TemporaryDirectory() as tmp:
        for voice in VOICES:
            errors = total = 0
            audio_seconds = cpu_seconds = 0.0
            worst: list[tuple[int, str, str]] = []
            for n, sentence in enumerate(SENTENCES):
                wav = Path(tmp) / f"{voice}-{n}.wav"
                subprocess.run(["flite", "-voice", voice, "-t", sentence, "-o", str(wav)], check=True)
                pcm = decode(wav.read_bytes(), max_seconds=60)
                started = time.process_time()
                heard = transcriber.transcribe(pcm).text
                cpu_seconds += time.process_time() - started
                audio_seconds += pcm.seconds
                distance = edit_distance(words(sentence), words(heard))
                errors += distance
                total += len(words(sentence))
                worst.append((distance, sentence, heard))
            worst.sort(reverse=True)
            print(
                f"voice {voice}: WER {errors / total:.1%} ({errors}/{total} words), real-time factor {cpu_seconds / audio_seconds:.2f}"
            )
            for distance, sentence, heard in worst[:2]:
                print(f"    {distance} errors: {sentence!r} -> {heard!r}")


if __name__ == "__main__":
    main()
