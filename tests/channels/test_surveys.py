"""POST /v1/surveys/responses: scores stored, free text analyzed."""

from __future__ import annotations

import pytest
import redis
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.channel_schemas import SurveyIn
from ingest.survey_resource import survey_scores
from models.channels import SurveyResponse
from models.tables import Feedback
from tests.channels.conftest import auth, count
from tests.support.broker import queued_task_names

SURVEY = {
    "survey": "discharge-2026",
    "department": "maternity",
    "answers": [
        {"question": "How likely are you to recommend us?", "type": "nps", "value": 6},
        {"question": "Staff were kind", "type": "likert", "value": 4},
        {"question": "Rooms were clean", "type": "likert", "value": 3},
        {"question": "Which meal did you prefer?", "type": "choice", "value": "dinner"},
        {"question": "Anything else?", "type": "text", "value": "The night nurse never answered the bell"},
    ],
}


def test_survey_response_stores_scores_and_analyzes_text(
    client: testing.TestClient, kiosk_key: str, sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    response = client.simulate_post("/v1/surveys/responses", json=SURVEY, headers=auth(kiosk_key))

    assert response.status_code == 202
    with sessions() as session:
        item = session.get(Feedback, response.json["id"])
        stored = session.scalars(select(SurveyResponse)).one()
    assert item.channel == "survey" and item.department == "maternity"
    assert item.text == "The night nurse never answered the bell"
    assert (stored.nps, stored.nps_category, stored.likert_mean) == (6, "detractor", 3.5)
    assert stored.survey == "discharge-2026" and len(stored.answers) == 5
    assert queued_task_names(redis_client, "llm") == ["feedback.analyze"]


@pytest.mark.parametrize(
    ("score", "category"), [(0, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter")]
)
def test_nps_categories(score: int, category: str) -> None:
    survey = SurveyIn.model_validate(
        {"survey": "s", "answers": [{"question": "q", "type": "nps", "value": score}]}
    )
    assert survey_scores(survey).nps_category == category


def test_invalid_answers_name_their_field(client: testing.TestClient, kiosk_key: str, sessions) -> None:  # type: ignore[no-untyped-def]
    body = {"survey": "s", "answers": [{"question": "q", "type": "nps", "value": 11}]}
    response = client.simulate_post("/v1/surveys/responses", json=body, headers=auth(kiosk_key))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "answers.0.nps.value"
    assert count(sessions, Feedback) == 0
