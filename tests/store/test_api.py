"""``backstride.store.__all__`` is the documented API: every name exists and is documented."""

from __future__ import annotations

from pathlib import Path

import backstride.store as store

DOC = Path(__file__).resolve().parents[2] / "docs" / "store.md"


def test_all_names_exist_and_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in store.__all__ if not hasattr(store, name)]
    assert missing == []
    undocumented = [name for name in store.__all__ if name not in text]
    assert undocumented == []


def test_migrations_ship_inside_the_package() -> None:
    pkg = Path(store.__file__).parent
    assert (pkg / "alembic.ini").is_file()
    assert (pkg / "migrations" / "env.py").is_file()
    assert list((pkg / "migrations" / "versions").glob("0001_*.py"))
