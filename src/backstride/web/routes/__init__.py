"""The web app's routes, one small module per concern."""

from __future__ import annotations

from fastapi import FastAPI


def register_routes(app: FastAPI) -> None:
    from backstride.web.routes import (
        _activity,
        _audit,
        _auth,
        _clinician,
        _patient,
        _questionnaires,
        _recordings,
        _staff,
    )

    for module in (_auth, _patient, _questionnaires, _recordings, _activity, _clinician, _staff, _audit):
        app.include_router(module.router)
