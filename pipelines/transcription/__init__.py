"""Speech to text for voice and uploaded audio: decoding, the transcribers, the stage."""
