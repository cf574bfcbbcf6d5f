"""`python -m tfcourse`: the `tfcourse` command, for callers that hold a Python interpreter, not a PATH."""

import sys

from tfcourse.cli import main

sys.exit(main())
