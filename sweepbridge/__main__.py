"""`python -m sweepbridge`: the same command line as the `sweepbridge` script."""

import sys

from .cli import main

sys.exit(main())
