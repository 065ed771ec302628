"""Course content: Markdown + YAML front matter parsed into frozen dataclasses.

This layer imports only the standard library, PyYAML, markdown and nh3.
"""
