"""POST /v1/twilio/sms: signed or refused, opt-out keywords recorded, other text becomes feedback."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import redis
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import InboundMessage, OptOut
from models.contacts import Keyring
from models.settings import load_settings
from models.tables import Feedback
from pipelines.optout import OptOutRegistry
from tests.channels.conftest import count, post_signed
from tests.support.broker import queued_task_names

PHONE = "+15550101234"


def sms(body: str, sid: str = "SM" + "a" * 32, phone: str = PHONE) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "1" * 32,
        "From": phone,
        "To": "+15550009999",
        "Body": body,
    }


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}],
    ids=["missing", "forged"],
)
def test_unsigned_or_forged_webhook_is_refused_and_stores_nothing(
    client: testing.TestClient, sessions: sessionmaker[Session], headers: dict[str, str]
) -> None:
    response = client.simulate_post(
        "/v1/twilio/sms",
        body="MessageSid=SM1&From=%2B15550101234&Body=my+chest+hurts",
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    assert response.status_code == 403
    assert response.json["title"] == "Bad signature"
    assert count(sessions, Feedback) == 0 and count(sessions, InboundMessage) == 0


def test_signature_over_other_params_or_token_is_refused(client: testing.TestClient, sessions) -> None:  # type: ignore[no-untyped-def]
    assert post_signed(client, "/v1/twilio/sms", sms("hello"), token="another-token").status_code == 403
    assert count(sessions, Feedback) == 0


def test_signed_sms_becomes_feedback_and_answers_twiml(
    client: testing.TestClient, sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    response = post_signed(client, "/v1/twilio/sms", sms("The nurse on ward 3 was very kind"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Response" and "Thank you" in root.findtext("Message")
    with sessions() as session:
        item = session.scalars(select(Feedback)).one()
        message = session.scalars(select(InboundMessage)).one()
    assert item.channel == "sms" and item.text == "The nurse on ward 3 was very kind"
    assert message.feedback_id == item.id
    assert PHONE not in (message.phone_encrypted or "")
    keys = Keyring.from_settings(load_settings())
    assert keys.cipher.decrypt(message.phone_encrypted) == PHONE
    assert message.phone_hash == OptOutRegistry(keys).hash(PHONE)
    assert queued_task_names(redis_client, "llm") == ["feedback.analyze"]

    again = post_signed(client, "/v1/twilio/sms", sms("The nurse on ward 3 was very kind"))
    assert again.status_code == 200 and count(sessions, Feedback) == 1  # Twilio retried the webhook


def test_thanks_in_the_patients_language(client: testing.TestClient) -> None:
    response = post_signed(client, "/v1/twilio/sms", sms("La comida estaba fría y nadie vino"))
    assert "Gracias" in ET.fromstring(response.text).findtext("Message")


def test_stop_start_and_help_are_recorded_not_stored_as_feedback(
    client: testing.TestClient, sessions: sessionmaker[Session]
) -> None:
    registry = OptOutRegistry(Keyring.from_settings(load_settings()))

    stop = post_signed(client, "/v1/twilio/sms", sms(" stop ", sid="SM" + "1" * 32))
    assert stop.status_code == 200 and ET.fromstring(stop.text).find("Message") is None
    with sessions() as session:
        assert registry.is_opted_out(session, "+1 (555) 010-1234")
        assert session.scalars(select(OptOut)).one().phone_hash != PHONE

    help_reply = post_signed(client, "/v1/twilio/sms", sms("HELP", sid="SM" + "2" * 32))
    assert "STOP" in ET.fromstring(help_reply.text).findtext("Message")
    with sessions() as session:
        assert registry.is_opted_out(session, PHONE)

    post_signed(client, "/v1/twilio/sms", sms("START", sid="SM" + "3" * 32))
    with sessions() as session:
        assert not registry.is_opted_out(session, PHONE)
    assert count(sessions, Feedback) == 0
