"""POST /v1/feedback/audio: a multipart upload of `audio` and `metadata`.

The audio is decoded here once, to refuse what the transcribe stage could not use
(unknown format, too long) while the uploader is still there to hear why.
"""

from __future__ import annotations

from collections.abc import Callable

import falcon
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.body import parse_json
from ingest.channel_intake import publish_after_commit, store_feedback
from ingest.channel_schemas import AudioMetadata
from ingest.correlation import announce_accepted
from ingest.errors import FieldErrors, error_list
from ingest.feedback_resource import SUBMITTER_ROLES
from models.channels import AudioClip
from models.tables import Feedback, new_id
from pipelines.transcription.audio import AudioRejected, decode

METADATA_LIMIT = 64 * 1024
AUDIO_TYPES = frozenset(
    {
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "audio/webm",
        "video/webm",
        "audio/ogg",
        "audio/opus",
        "audio/mpeg",
        "audio/mp3",
    }
)


def _too_large(limit: int) -> falcon.HTTPContentTooLarge:
    return falcon.HTTPContentTooLarge(
        title="Body too large", description=f"The upload must be at most {limit} bytes."
    )


class AudioUpload:
    def __init__(
        self,
        auth: Authenticator,
        sessions: sessionmaker[Session],
        publish_audio: Callable[[list[str]], None],
        max_bytes: int,
        max_seconds: int,
    ) -> None:
        self._auth = auth
        self._sessions = sessions
        self._publish_audio = publish_audio
        self._max_bytes = max_bytes
        self._max_seconds = max_seconds

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, SUBMITTER_ROLES)
        media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
        if media_type != "multipart/form-data":
            raise falcon.HTTPUnsupportedMediaType(
                title="Unsupported content type",
                description="Send multipart/form-data with `audio` and `metadata`.",
            )
        if req.content_length is not None and req.content_length > self._max_bytes + METADATA_LIMIT:
            raise _too_large(self._max_bytes)
        audio, audio_type, metadata = self._read_parts(req)
        try:
            duration = decode(audio, self._max_seconds).seconds
        except AudioRejected as exc:
            raise FieldErrors([{"field": "audio", "message": str(exc)}]) from None
        feedback = Feedback(id=new_id(), api_key_id=principal.key_id, **metadata.model_dump())
        clip = AudioClip(
            feedback_id=feedback.id, data=audio, content_type=audio_type, duration_seconds=round(duration, 2)
        )
        store_feedback(self._sessions, feedback, clip)
        announce_accepted(req, resp, [feedback.id], feedback.channel)
        publish_after_commit(self._publish_audio, self._sessions, [feedback.id])
        resp.status = falcon.HTTP_202
        resp.media = {"id": feedback.id, "status": "received"}
        resp.location = f"/v1/feedback/{feedback.id}"

    def _read_parts(self, req: falcon.Request) -> tuple[bytes, str, AudioMetadata]:
        audio: bytes | None = None
        audio_type = ""
        raw_metadata: bytes | None = None
        for part in req.get_media():
            if part.name == "audio":
                audio_type = (part.content_type or "").split(";", 1)[0].strip().lower()
                audio = part.stream.read(self._max_bytes + 1)
                if len(audio) > self._max_bytes:
                    raise _too_large(self._max_bytes)
            elif part.name == "metadata":
                raw_metadata = part.stream.read(METADATA_LIMIT + 1)
                if len(raw_metadata) > METADATA_LIMIT:
                    raise _too_large(METADATA_LIMIT)
        errors = []
        if not audio:
            errors.append({"field": "audio", "message": "required: the recording as a file part"})
        elif audio_type not in AUDIO_TYPES:
            raise falcon.HTTPUnsupportedMediaType(
                title="Unsupported audio type", description="Send wav, webm/opus, ogg or mp3 audio."
            )
        if raw_metadata is None:
            errors.append({"field": "metadata", "message": "required: feedback fields as JSON"})
        if errors:
            raise FieldErrors(errors)
        return audio, audio_type, _metadata(raw_metadata)


def _metadata(raw: bytes) -> AudioMetadata:
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise FieldErrors([{"field": "metadata", "message": "must be a JSON object"}])
    try:
        return AudioMetadata.model_validate(body)
    except ValidationError as exc:
        raise FieldErrors(error_list(exc, "metadata")) from None
