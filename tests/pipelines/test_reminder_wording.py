"""Reminder and survey wording: SMS segment counting, date formatting per language, the default
templates, and every reason a template is refused when it is saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from pipelines.reminders.gsm import is_gsm7, sms_segments
from pipelines.reminders.wording import (
    CHANNELS,
    DEFAULT_TEMPLATES,
    KINDS,
    LANGUAGES,
    Template,
    local_date_time,
    render,
    template_problems,
)

PROVIDER = "St Mary's Hospital"
SATURDAY_IN_AUGUST = datetime(2026, 8, 29, 14, 30)
LONG_LINK = "https://survey.example/s/" + "a" * 15  # 40 characters, the default budget


def sms(body: str, language: str = "en", kind: str = "appointment") -> Template:
    return Template(kind, "sms", language, body)


def appointment_sms(language: str = "en") -> Template:
    return DEFAULT_TEMPLATES[("appointment", "sms", language)]


# --- GSM-7 and segments -------------------------------------------------------------------------


def test_gsm7_basic_set_has_some_accents_but_not_others() -> None:
    assert is_gsm7("éèùìòÇØøÅåÄÖÑÜäöñüàÉÆæß¿¡§ £$¥@_ {}[]~\\|^€\f\n")
    for char in "êôâîûçáíóú\u2019😀":  # \u2019: the typographic apostrophe
        assert not is_gsm7(f"abc{char}"), char


def test_gsm7_single_segment_holds_160_septets() -> None:
    assert sms_segments("") == 1
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3


def test_extension_characters_count_two_septets() -> None:
    assert sms_segments("€" * 80) == 1
    assert sms_segments("a" * 159 + "€") == 2


def test_an_escape_pair_never_splits_across_segments() -> None:
    # 152 septets then an escape pair: the pair cannot take septets 153 and 154 of the first part,
    # so it moves whole to the second part.
    assert sms_segments("a" * 152 + "{" + "a" * 152) == 3
    assert sms_segments("a" * 151 + "{" + "a" * 153) == 2


def test_one_non_gsm_character_makes_the_message_ucs2() -> None:
    assert sms_segments("ê" * 70) == 1
    assert sms_segments("ê" * 71) == 2
    assert sms_segments("a" * 69 + "ç") == 1
    assert sms_segments("a" * 70 + "ç") == 2
    assert sms_segments("ç" * 134) == 2
    assert sms_segments("ç" * 135) == 3


def test_an_emoji_counts_two_utf16_units_and_stays_whole() -> None:
    assert sms_segments("😀" * 35) == 1
    assert sms_segments("a" * 69 + "😀") == 2
    # 66 units then a surrogate pair: it moves whole to the second part.
    assert sms_segments("a" * 66 + "😀" + "a" * 66) == 3
    assert sms_segments("a" * 65 + "😀" + "a" * 67) == 2


# --- dates and times ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "language", "expected"),
    [
        (datetime(2027, 3, 9, 14, 30), "en", ("Tue 9 Mar", "2:30 PM")),
        (datetime(2027, 3, 9, 14, 30), "fr", ("mar. 9 mars", "14h30")),
        (datetime(2027, 3, 9, 14, 30), "es", ("mar 9 mar", "14:30")),
        (SATURDAY_IN_AUGUST, "en", ("Sat 29 Aug", "2:30 PM")),
        (SATURDAY_IN_AUGUST, "fr", ("sam. 29 aout", "14h30")),
        (SATURDAY_IN_AUGUST, "es", ("sab 29 ago", "14:30")),
        (datetime(2026, 2, 4, 0, 5), "en", ("Wed 4 Feb", "12:05 AM")),
        (datetime(2026, 2, 4, 12, 0), "en", ("Wed 4 Feb", "12:00 PM")),
        (datetime(2026, 2, 4, 9, 5), "fr", ("mer. 4 févr.", "9h05")),
        (datetime(2026, 2, 4, 9, 5), "es", ("mié 4 feb", "9:05")),
        (datetime(2026, 12, 25, 23, 59), "fr", ("ven. 25 déc.", "23h59")),
    ],
)
def test_local_date_time_per_language(when: datetime, language: str, expected: tuple[str, str]) -> None:
    assert local_date_time(when, language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_and_time_is_gsm7(language: str) -> None:
    for month in range(1, 13):
        for day in range(1, 8):  # every weekday in every month
            date, time = local_date_time(datetime(2026, month, day, 13 + day, 45), language)
            assert is_gsm7(date + time), (date, time)


def test_an_unknown_language_has_no_date_format() -> None:
    with pytest.raises(ValueError, match="de"):
        local_date_time(SATURDAY_IN_AUGUST, "de")


# --- default templates --------------------------------------------------------------------------


def test_there_is_a_default_for_every_kind_channel_and_language() -> None:
    assert set(DEFAULT_TEMPLATES) == {(k, c, lang) for k in KINDS for c in CHANNELS for lang in LANGUAGES}
    for (kind, channel, language), template in DEFAULT_TEMPLATES.items():
        assert (template.kind, template.channel, template.language) == (kind, channel, language)


@pytest.mark.parametrize("key", sorted(DEFAULT_TEMPLATES))
def test_every_default_template_passes_its_check(key: tuple[str, str, str]) -> None:
    assert template_problems(DEFAULT_TEMPLATES[key], provider=PROVIDER) == []


@pytest.mark.parametrize(
    "when", [datetime(2027, 3, 9, 9, 0), SATURDAY_IN_AUGUST, datetime(2026, 9, 30, 10, 59)]
)
@pytest.mark.parametrize("key", sorted(key for key in DEFAULT_TEMPLATES if key[1] == "sms"))
def test_default_sms_renders_gsm7_in_one_segment(key: tuple[str, str, str], when: datetime) -> None:
    subject, body = render(
        DEFAULT_TEMPLATES[key], provider=PROVIDER, when=when, link=LONG_LINK, unsubscribe_url=None
    )
    assert subject is None
    assert body.startswith(PROVIDER)
    assert "STOP" in body
    assert is_gsm7(body), body
    assert sms_segments(body) == 1, body
    if key[0] == "appointment":
        date, time = local_date_time(when, key[2])
        assert f"{date} " in body and time in body
        assert " C " in body and " R " in body  # the reply parser's letters, in every language
    else:
        assert LONG_LINK in body


def test_appointment_email_fills_subject_and_body() -> None:
    subject, body = render(
        DEFAULT_TEMPLATES[("appointment", "email", "fr")],
        provider=PROVIDER,
        when=SATURDAY_IN_AUGUST,
        link=LONG_LINK,
        unsubscribe_url="https://carepulse.example/u/123",
    )
    assert subject == f"Votre rendez-vous à {PROVIDER} le sam. 29 aout"
    assert "le sam. 29 aout à 14h30" in body
    assert body.rstrip().endswith("https://carepulse.example/u/123")


def test_survey_invitation_needs_no_date() -> None:
    subject, body = render(
        DEFAULT_TEMPLATES[("survey_invite", "email", "es")],
        provider=PROVIDER,
        when=None,
        link=LONG_LINK,
        unsubscribe_url="https://carepulse.example/u/123",
    )
    assert subject == f"¿Qué tal su visita a {PROVIDER}?"
    assert LONG_LINK in body and "https://carepulse.example/u/123" in body


def test_date_placeholders_render_empty_without_a_date() -> None:
    _, body = render(sms("{provider} {date}|{time}"), provider="P", when=None, link="", unsubscribe_url=None)
    assert body == "P |"


def test_an_email_is_not_rendered_without_its_unsubscribe_link() -> None:
    with pytest.raises(ValueError, match="unsubscribe_url"):
        render(
            DEFAULT_TEMPLATES[("appointment", "email", "en")],
            provider=PROVIDER,
            when=SATURDAY_IN_AUGUST,
            link="",
            unsubscribe_url=None,
        )


# --- problems -----------------------------------------------------------------------------------


def only_problem(template: Template, **options: int) -> str:
    problems = template_problems(template, provider=PROVIDER, **options)
    assert len(problems) == 1, problems
    return problems[0]


def test_sms_without_stop_instruction() -> None:
    problem = only_problem(sms("{provider}: see you on {date} at {time}."))
    assert "STOP" in problem


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("fr", "{provider} : RDV le {date} à {time}. ARRÊT pour ne plus recevoir."),
        ("fr", "{provider} : RDV le {date} à {time}. Arret pour ne plus recevoir."),
        ("es", "{provider}: cita el {date} a las {time}. BAJA para no recibir mas."),
        ("es", "{provider}: cita el {date} a las {time}. STOP para no recibir mas."),
    ],
)
def test_local_stop_words_count_in_their_language(language: str, body: str) -> None:
    # Two segments: Ê is not GSM-7, which is a length matter, not a missing instruction.
    assert template_problems(sms(body, language), provider=PROVIDER, max_segments=2) == []


def test_baja_is_not_a_stop_instruction_in_english() -> None:
    assert "STOP" in only_problem(sms("{provider}: see you on {date}. Reply BAJA to opt out."))


def test_stop_must_be_a_whole_word() -> None:
    assert "STOP" in only_problem(sms("{provider}: see you on {date}. Nonstop care."))


def test_sms_without_provider() -> None:
    problem = only_problem(sms("Reminder: appointment on {date} at {time}. Reply STOP to opt out."))
    assert "{provider}" in problem


def test_sms_may_name_the_provider_literally() -> None:
    body = f"{PROVIDER}: appointment on {{date}} at {{time}}. Reply STOP to opt out."
    assert template_problems(sms(body), provider=PROVIDER) == []
    assert template_problems(sms(body), provider="Other Hospital") != []


def test_sms_too_long_in_gsm7() -> None:
    body = (
        "{provider}: appointment on {date} at {time}. "
        + "Please arrive early. " * 5
        + "Reply STOP to opt out."
    )
    problem = only_problem(sms(body))
    assert "2 segments" in problem and "GSM-7" in problem
    # A budget of two segments lets it through.
    assert template_problems(sms(body), provider=PROVIDER, max_segments=2) == []


def test_length_is_checked_with_the_longest_date_time_and_link() -> None:
    # Fits with a short link, not with the 40 characters a link may take.
    body = "{provider}: survey {link} " + "x" * 70 + " Reply STOP to opt out."
    template = sms(body, kind="survey_invite")
    assert template_problems(template, provider=PROVIDER, max_link_length=20) == []
    assert "40-character link" in only_problem(template)
    # The longest French date ("lun. 28 janv.") and time ("10h59") are assumed, not a short one.
    date_body = "{provider} : RDV le {date} à {time}. " + "x" * 85 + " STOP pour ne plus recevoir."
    rendered = render(
        sms(date_body, "fr"),
        provider=PROVIDER,
        when=datetime(2026, 5, 4, 9, 0),
        link="",
        unsubscribe_url=None,
    )[1]
    assert sms_segments(rendered) == 1
    assert "2 segments" in only_problem(sms(date_body, "fr"))


def test_one_non_gsm_character_pushes_a_fitting_sms_past_70() -> None:
    body = "{provider}: rappel de votre rendez-vous le {date}. Répondez C. STOP pour ne plus recevoir."
    assert template_problems(sms(body, "fr"), provider=PROVIDER) == []
    problem = only_problem(sms(body.replace("rappel", "rappel prêt"), "fr"))
    assert "UCS-2" in problem and "'ê'" in problem and "70" in problem and "2 segments" in problem


def test_a_provider_name_outside_gsm7_makes_the_sms_ucs2() -> None:
    problems = template_problems(appointment_sms("fr"), provider="Hôpital Saint-Louis")
    assert len(problems) == 1 and "UCS-2" in problems[0] and "'ô'" in problems[0]


@pytest.mark.parametrize(
    ("language", "body", "word"),
    [
        ("fr", "{provider} : vos résultats sont prêts le {date}. STOP pour ne plus recevoir.", "résultats"),
        ("fr", "{provider} : RDV en chirurgie le {date}. STOP pour ne plus recevoir.", "chirurgie"),
        ("fr", "{provider} : RDV de Psychiatrie le {date}. STOP pour ne plus recevoir.", "Psychiatrie"),
        ("es", "{provider}: su cita de psiquiatría el {date}. STOP para no recibir mas.", "psiquiatría"),
        ("es", "{provider}: su cita de PSIQUIATRIA el {date}. STOP para no recibir mas.", "PSIQUIATRIA"),
        ("es", "{provider}: su diagnóstico el {date}. STOP para no recibir mas.", "diagnóstico"),
        ("es", "{provider}: cita de salud  mental el {date}. STOP para no recibir mas.", "salud  mental"),
        ("en", "{provider}: your test results on {date}. Reply STOP to opt out.", "test results"),
    ],
)
def test_clinical_words_are_refused_accent_folded(language: str, body: str, word: str) -> None:
    problems = template_problems(sms(body, language), provider=PROVIDER, max_segments=3)
    clinical = [problem for problem in problems if "Clinical" in problem]
    assert len(clinical) == 1 and word in clinical[0], problems


def test_clinical_words_match_whole_words_only() -> None:
    body = "{provider}: forward this to whoever receives it on {date}. Reply STOP to opt out."
    assert template_problems(sms(body), provider=PROVIDER) == []


def test_unknown_placeholder_is_refused() -> None:
    problems = template_problems(
        sms("{provider}: your {diagnosis} on {date}. Reply STOP to opt out."), provider=PROVIDER
    )
    assert any("unknown placeholder {diagnosis}" in problem for problem in problems), problems


@pytest.mark.parametrize("body", ["{provider}: {} Reply STOP.", "{provider}: {date.year} Reply STOP."])
def test_only_bare_known_placeholders(body: str) -> None:
    assert "unknown placeholder" in only_problem(sms(body))


def test_placeholders_take_no_format() -> None:
    assert "format" in only_problem(sms("{provider}: {date:>200} Reply STOP."))


def test_malformed_braces_are_refused() -> None:
    problems = template_problems(sms("{provider}: {date Reply STOP."), provider=PROVIDER)
    assert any("malformed" in problem for problem in problems), problems
    assert template_problems(sms("{provider}: {{literal}} Reply STOP."), provider=PROVIDER) == []


def test_email_without_unsubscribe_link() -> None:
    template = DEFAULT_TEMPLATES[("appointment", "email", "en")]
    problem = only_problem(replace(template, body=template.body.replace("{unsubscribe_url}", "")))
    assert "{unsubscribe_url}" in problem


def test_email_needs_provider_and_subject() -> None:
    template = Template("appointment", "email", "en", "See you on {date}. Unsubscribe: {unsubscribe_url}")
    problems = template_problems(template, provider=PROVIDER)
    assert len(problems) == 2
    assert any("{provider}" in problem for problem in problems)
    assert any("subject" in problem for problem in problems)


def test_survey_invitation_needs_its_link() -> None:
    assert "{link}" in only_problem(
        sms("{provider}: thank you for your visit. Reply STOP to opt out.", kind="survey_invite")
    )


def test_unknown_kind_channel_and_language() -> None:
    problems = template_problems(Template("newsletter", "fax", "de", "{provider} STOP"), provider=PROVIDER)
    assert len(problems) == 3
    assert any("newsletter" in p for p in problems)
    assert any("fax" in p for p in problems)
    assert any("'de'" in p for p in problems)


def test_an_sms_has_no_subject() -> None:
    assert "subject" in only_problem(replace(appointment_sms(), subject="Reminder"))


def test_an_sms_opts_out_by_reply_not_by_link() -> None:
    # The sender passes no unsubscribe link for an SMS: a template asking for one could not be sent.
    assert "{unsubscribe_url}" in only_problem(
        sms("{provider}: {date}. Reply STOP or visit {unsubscribe_url}")
    )
