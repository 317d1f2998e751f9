"""The clinic in a browser: FastAPI + Jinja2 + htmx 2; htmx, and plotly.js from :mod:`backstride.report`, served
under ``/static/``.

``create_app(database_url=None, blob_dir=None, ...)`` builds the app; ``backstride serve`` runs it and
``backstride demo`` seeds a demo clinic first. The web layer holds no clinical rules: triage, scoring,
norms and the program come from :mod:`backstride.clinic`, storage from :mod:`backstride.store`.
"""

from __future__ import annotations

from backstride.web._app import create_app
from backstride.web._settings import WebSettings

__all__ = ["WebSettings", "create_app"]
