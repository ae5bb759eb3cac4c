"""Email through SendGrid's v3 Mail Send API with the sendgrid SDK.

SendGrid has no idempotency key and no lookup of sent mail without its paid Email
Activity add-on, so `find_sent` cannot tell: an email whose worker died between
SendGrid's 202 and our record is sent again (at-least-once, as DESIGN.md allows for
critical alerts). Each mail carries its dedupe key as a custom argument, so delivery
events name it. SENDGRID_API_BASE_URL points the SDK at an egress gateway or a local fake.
"""

from __future__ import annotations

from datetime import datetime
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, Header, Mail
from sqlalchemy.orm import Session

from pipelines.clients.messaging import (
    DeliveryRejected,
    DeliveryRetryable,
    DeliveryUncertain,
    OutboundMessage,
)


class SendGridEmailSender:
    name = "sendgrid"

    def __init__(self, api_key: str, from_email: str, base_url: str, timeout: float = 10) -> None:
        self._client = SendGridAPIClient(api_key, host=base_url.rstrip("/"))
        self._client.client.timeout = timeout
        self._from = from_email

    def send(self, session: Session, message: OutboundMessage) -> str:
        mail = Mail(
            from_email=self._from,
            to_emails=message.to,
            subject=message.subject or "CarePulse",
            plain_text_content=message.body,
        )
        mail.custom_arg = CustomArg("carepulse_key", message.dedupe_key)
        if message.unsubscribe_url:  # RFC 8058: mail clients unsubscribe by POST, in one click
            mail.header = Header("List-Unsubscribe", f"<{message.unsubscribe_url}>")
            mail.header = Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        try:
            response = self._client.send(mail)
        except HTTPError as exc:
            status = exc.status_code
            if status == 429 or status >= 500:
                raise DeliveryRetryable(f"SendGrid answered {status}") from None
            raise DeliveryRejected(f"SendGrid refused the message: {status}") from None
        except URLError as exc:  # no connection: nothing reached SendGrid
            raise DeliveryRetryable(f"SendGrid unreachable: {type(exc).__name__}") from None
        except OSError as exc:  # a read timeout or a dropped connection: SendGrid may have it
            raise DeliveryUncertain(f"SendGrid did not answer: {type(exc).__name__}") from None
        return str(response.headers.get("X-Message-Id") or "sendgrid")

    def find_sent(
        self,
        session: Session,
        message: OutboundMessage,
        since: datetime,
        exclude: frozenset[str] = frozenset(),
    ) -> str | None:
        return None
