"""LTI roles to the tool's roles: trainee, trainer, admin."""

from __future__ import annotations

from lti_tool.models.core import ROLE_ADMIN, ROLE_TRAINEE, ROLE_TRAINER

TRAINER_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Mentor"}


def short_name(uri: str) -> str:
    """``http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor`` -> ``Instructor``."""
    name = uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return name.split("/")[0]


def map_roles(roles: list[str]) -> str:
    """Administrator -> admin; Instructor, TeachingAssistant, ContentDeveloper -> trainer; else trainee."""
    names = set()
    for role in roles:
        if not isinstance(role, str):
            continue
        names.add(short_name(role))
        if "membership/Instructor#TeachingAssistant" in role:
            names.add("TeachingAssistant")
    if "Administrator" in names or "SysAdmin" in names:
        return ROLE_ADMIN
    if names & TRAINER_ROLES:
        return ROLE_TRAINER
    return ROLE_TRAINEE
