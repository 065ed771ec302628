"""lti_tool."""
