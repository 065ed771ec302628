"""What the deep linking picker offers: see ``registry.DEEP_LINK_PROVIDERS``."""

from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, DeepLinkItem

__all__ = ["DEEP_LINK_PROVIDERS", "DeepLinkItem"]
