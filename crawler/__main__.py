"""`python -m crawler` is the `newsarchive` command."""
from __future__ import annotations

import sys

from crawler.cli import main

sys.exit(main())
