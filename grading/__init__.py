"""Pure scoring: answers + definitions + timestamps -> scores and reports.

Imports only ``course``; the clock is always passed in, never read.
"""
