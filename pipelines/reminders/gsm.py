"""GSM 03.38 character set and SMS segment counting, so a template's cost is known when it is saved.

Carriers bill and split by segment: 160 GSM-7 septets fit one SMS, 153 each once a message is
concatenated (the rest carries the joining header). A single character outside the set switches the
whole message to UCS-2, where a segment holds only 70 UTF-16 code units, or 67 when concatenated.
"""

from __future__ import annotations

# The basic set, in table order (the escape code 0x1B is left out: it only introduces the extension).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as the escape code followed by a second septet: two septets each.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    """Whether the text can be sent in the 7-bit alphabet (basic set or extension table)."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _widths(text: str) -> list[int]:
    """What each character costs: septets in GSM-7, UTF-16 code units in UCS-2."""
    if is_gsm7(text):
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def sms_units(text: str) -> int:
    """The length the segment limits count: septets for GSM-7, UTF-16 code units for UCS-2."""
    return sum(_widths(text))


def sms_segments(text: str) -> int:
    """How many SMS segments the text is sent as (an empty text still costs one)."""
    single, part = (GSM7_SINGLE, GSM7_PART) if is_gsm7(text) else (UCS2_SINGLE, UCS2_PART)
    widths = _widths(text)
    if sum(widths) <= single:
        return 1
    # An escape pair or a surrogate pair is never split: it moves whole to the next segment.
    segments, used = 1, 0
    for width in widths:
        if used + width > part:
            segments, used = segments + 1, 0
        used += width
    return segments
