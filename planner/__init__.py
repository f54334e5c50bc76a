"""Kinito's engine and application core: Problem in, Plan out (no web framework below here)."""

import os
from pathlib import Path

__version__ = "0.1.0"

ROOT = str(Path(__file__).resolve().parent.parent)


def child_env() -> dict[str, str]:
    """The environment for ``python -m <module>`` children (the solver's worker, the map's,
    the web app's planning jobs): this very checkout first on the path."""
    path = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}
