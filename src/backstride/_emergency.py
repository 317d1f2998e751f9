"""The emergency number backstride says when a clinic has not set its own, and the variable a clinic sets it with.

One place for both, so that the screen, the weekly review, the web app and every command name the same number.
The default, 911, is North America's; a clinic elsewhere sets its own (112 across the European Union, 999 in
the United Kingdom, 000 in Australia) with ``BACKSTRIDE_EMERGENCY_NUMBER`` or a command's ``--emergency-number``.
This module imports nothing, so the command line reads it without loading the clinic's models.
"""

from __future__ import annotations

DEFAULT_EMERGENCY_NUMBER = "911"
"""The number to call in an emergency when the clinic has not given one."""

ENV_EMERGENCY_NUMBER = "BACKSTRIDE_EMERGENCY_NUMBER"
"""The environment variable that gives the clinic's number to the web app and the commands."""
