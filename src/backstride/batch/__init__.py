"""Batch analysis of many recordings on Dask, with results in Parquet (``backstride batch``).

The same :func:`backstride.gait.analyze_stream` runs per file on a local cluster or on an existing
``dask.distributed`` scheduler; see ``docs/batch.md`` for the tables and how to scale out.
"""

from __future__ import annotations

from backstride.batch._cluster import dask_client
from backstride.batch._discover import InputFile, discover
from backstride.batch._runner import (
    DEFAULT_CHUNK_S,
    BatchRunner,
    BatchSummary,
    Failure,
    run_batch,
)
from backstride.batch._schema import BOUTS, DAYS, FAILURES, RECORDINGS, SCHEMA_VERSION, SCHEMAS
from backstride.batch._store import ResultsNotSaved, write_table_atomic

__all__ = [
    "BOUTS",
    "DAYS",
    "DEFAULT_CHUNK_S",
    "FAILURES",
    "RECORDINGS",
    "SCHEMAS",
    "SCHEMA_VERSION",
    "BatchRunner",
    "BatchSummary",
    "Failure",
    "InputFile",
    "ResultsNotSaved",
    "dask_client",
    "discover",
    "run_batch",
    "write_table_atomic",
]
