"""The templates planning renders: those staff saved, else the built-in ones, each checked
(provider named, how to stop, length budget, no clinical detail) before it is stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.reminders import MessageTemplate
from models.tables import utcnow
from pipelines.reminders.wording import DEFAULT_TEMPLATES, Template, template_problems


class TemplateBook:
    """Every template in force, read once per planning run."""

    def __init__(self, session: Session) -> None:
        self._templates = dict(DEFAULT_TEMPLATES)
        for row in session.scalars(select(MessageTemplate)):
            self._templates[(row.kind, row.channel, row.language)] = Template(
                row.kind, row.channel, row.language, row.body, row.subject
            )

    def get(self, kind: str, channel: str, language: str) -> Template:
        """The template in the patient's language, English where none exists."""
        return self._templates.get((kind, channel, language)) or self._templates[(kind, channel, "en")]

    def all(self) -> list[Template]:
        return [self._templates[key] for key in sorted(self._templates)]


def save_template(
    session: Session, template: Template, actor: str, provider: str, max_segments: int
) -> list[str]:
    """Store the template if it passes every check; otherwise store nothing and say why."""
    problems = template_problems(template, provider=provider, max_segments=max_segments)
    if problems:
        return problems
    key = (template.kind, template.channel, template.language)
    row = session.get(MessageTemplate, key)
    if row is None:
        row = MessageTemplate(kind=template.kind, channel=template.channel, language=template.language)
        session.add(row)
    row.subject, row.body, row.updated_by, row.updated_at = template.subject, template.body, actor, utcnow()
    session.flush()
    return []
