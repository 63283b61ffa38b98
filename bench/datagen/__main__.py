"""``python bench/datagen ...``: the generator's command line."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datagen import main

sys.exit(main())
