"""All models, imported here so Alembic and ``db.create_all`` see every table."""

import lti_tool.certification.models  # noqa: F401  (the certification's tables)
from lti_tool.models.authoring import AuthoredContent, AuthoredImage, AuthoredVersion  # noqa: F401
from lti_tool.models.core import AuditEvent, Context, Enrollment, LaunchSession, ResourceLink, User
from lti_tool.models.dossier import ChecklistEntry, DossierAccess, DossierUpload  # noqa: F401
from lti_tool.models.exam import (  # noqa: F401
    ExamAnswer,
    ExamAttempt,
    ExamEvent,
    ExamReopen,
    ExamReset,
    ExamSettings,
)
from lti_tool.models.grades import AccessToken, LineItemCache, ScoreOutbox  # noqa: F401
from lti_tool.models.learning import CaseChoice, CasePlay, CheckAnswer, ModuleProgress  # noqa: F401
from lti_tool.models.lti import (
    Deployment,
    JwksCache,
    OidcState,
    Registration,
    RegistrationInvite,
    ToolKey,
    UsedNonce,
)

__all__ = [
    "AuditEvent",
    "Context",
    "Deployment",
    "Enrollment",
    "JwksCache",
    "LaunchSession",
    "OidcState",
    "Registration",
    "RegistrationInvite",
    "ResourceLink",
    "ToolKey",
    "UsedNonce",
    "User",
]
