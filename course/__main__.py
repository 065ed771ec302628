"""Run the content check: ``python -m course check``."""

import sys

from course.cli import main

sys.exit(main())
