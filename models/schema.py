"""Every table module, imported in one place so Alembic and tests see the whole schema.

Add a line here when a new module of tables appears.
"""

import models.channels
import models.dead_letters
import models.llm
import models.oncall
import models.reminders
import models.urgency_models  # noqa: F401
from models import tables  # noqa: F401
from models.tables import Base

metadata = Base.metadata
