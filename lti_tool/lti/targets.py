"""Where a resource link's ``custom.target`` (``kind:id``) opens: see ``registry.TARGET_ROUTES``."""

from lti_tool.lti.registry import TARGET_ROUTES

__all__ = ["TARGET_ROUTES"]
