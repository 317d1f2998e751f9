"""What the command line loads to start: commands that never open a database (``analyze``, ``--help``) do not load
SQLAlchemy or the web app, whose import alone costs ~0.15 s of every run (the 2-hour benchmark is whole-process)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import backstride.io

PROBE = (
    "import sys\n"
    "from backstride.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'fastapi', 'starlette'})\n"
    "print('LOADED', ' '.join(heavy), file=sys.stderr)\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["audit", "--help"],
        ["analyze", str(backstride.io.sample_path()), "--json"],
    ],
    ids=["help", "audit-help", "analyze"],
)
def test_commands_that_open_no_database_load_neither_sqlalchemy_nor_the_web_app(args: list[str]) -> None:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    (line,) = [x for x in run.stderr.splitlines() if x.startswith("LOADED")]
    assert line == "LOADED ", run.stderr[-2000:]
