"""POST /v1/surveys/responses: scores (NPS category, mean Likert) are stored with the
answers; the free-text answers become the feedback's text and go through analysis."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

import falcon

from ingest.body import read_model
from ingest.channel_intake import publish_after_commit, store_feedback
from ingest.channel_schemas import LikertAnswer, NpsAnswer, SurveyIn, TextAnswer
from ingest.correlation import announce_accepted
from ingest.feedback_resource import SUBMITTER_ROLES
from ingest.submission import SubmissionResource
from models.channels import SurveyResponse
from models.tables import Feedback, new_id


@dataclass(frozen=True)
class SurveyScores:
    nps: int | None
    nps_category: str | None
    likert_mean: float | None


def nps_category(score: int) -> str:
    """The standard NPS buckets: 9 to 10 promoter, 7 to 8 passive, 0 to 6 detractor."""
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"


def survey_scores(survey: SurveyIn) -> SurveyScores:
    nps = next((answer.value for answer in survey.answers if isinstance(answer, NpsAnswer)), None)
    likert = [answer.value for answer in survey.answers if isinstance(answer, LikertAnswer)]
    return SurveyScores(
        nps=nps,
        nps_category=nps_category(nps) if nps is not None else None,
        likert_mean=round(fmean(likert), 2) if likert else None,
    )


class SurveyResponses(SubmissionResource):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, SUBMITTER_ROLES)
        survey = read_model(req, self._limit, SurveyIn)
        scores = survey_scores(survey)
        texts = [answer.value for answer in survey.answers if isinstance(answer, TextAnswer) and answer.value]
        feedback = Feedback(
            id=new_id(),
            channel="survey",
            text="\n".join(texts) or None,
            language=survey.language,
            department=survey.department,
            patient_ref=survey.patient_ref,
            submitted_at=survey.submitted_at,
            api_key_id=principal.key_id,
        )
        response = SurveyResponse(
            feedback_id=feedback.id,
            survey=survey.survey,
            answers=[answer.model_dump(mode="json") for answer in survey.answers],
            nps=scores.nps,
            nps_category=scores.nps_category,
            likert_mean=scores.likert_mean,
        )
        store_feedback(self._sessions, feedback, response)
        announce_accepted(req, resp, [feedback.id], feedback.channel)
        publish_after_commit(self._publish, self._sessions, [feedback.id])
        resp.status = falcon.HTTP_202
        resp.media = {"id": feedback.id, "status": "received"}
