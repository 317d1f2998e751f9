"""``python -m backstride``: the same command line as the ``backstride`` script."""

import sys

from backstride.cli import main

sys.exit(main())
