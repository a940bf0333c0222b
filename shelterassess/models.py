"""Imports every model module so the metadata is complete (Alembic, create_all)."""
from shelterassess.assessments import models as assessments  # noqa: F401
from shelterassess.auth import models as auth  # noqa: F401
from shelterassess.cases import models as cases  # noqa: F401
from shelterassess.facilities import models as facilities  # noqa: F401
from shelterassess.peer import models as peer  # noqa: F401
from shelterassess.rounds import models as rounds  # noqa: F401
from shelterassess.scoresheets import models as scoresheets  # noqa: F401
from shelterassess.followups import models as followups  # noqa: F401
from shelterassess.plans import models as plans  # noqa: F401
from shelterassess.funding import models as funding  # noqa: F401
from shelterassess.toolkit import models as toolkit  # noqa: F401
from shelterassess.audit import models as audit  # noqa: F401
from shelterassess.api import models as api  # noqa: F401
from shelterassess.paper import models as paper  # noqa: F401
from shelterassess.comparisons import models as comparisons  # noqa: F401
