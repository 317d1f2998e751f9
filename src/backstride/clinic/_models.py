"""Base model shared by the clinic's pydantic contracts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ClinicModel(BaseModel):
    """Strict model: unknown fields are an error (a typo must never be silently dropped)."""

    model_config = ConfigDict(extra="forbid")
