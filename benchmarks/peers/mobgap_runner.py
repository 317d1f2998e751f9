"""Runner for ``eval_gait.py`` that analyses a recording with mobgap's Mobilise-D pipeline (a benchmark peer).

Called as ``mobgap_runner.py FILE META_JSON`` with the Python of the separate ``.venv-bench`` environment
(mobgap is never a dependency of backstride). Prints ``{"walking_bouts": [...], "initial_contacts": [...]}``
in the form ``/work/shared/tools/eval_gait.py`` reads.

Data conventions of mobgap 1.2.0 (``mobgap.data.GaitDatasetFromData``): a data frame per sensor with the
columns ``acc_x`` (vertical, up), ``acc_y`` (medio-lateral), ``acc_z`` (antero-posterior) in m/s² and
``gyr_x/y/z`` in deg/s, the sampling rate, participant metadata (``height_m``, ``sensor_height_m``,
``cohort``) and recording metadata (``measurement_condition``). The file is passed as recorded: mobgap
assumes the sensor is worn in that fixed orientation and does not look for the body frame itself.

Environment: ``MOBGAP_PIPELINE`` = ``impaired`` (default, the figures of the issue) or ``healthy``;
``MOBGAP_CONDITION`` = ``laboratory`` (default) or ``free_living``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

COLUMNS = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]


def _num(value: Any) -> float | None:
    """A finite float, or ``None`` for a missing value (NaN) so the output stays valid JSON."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out and abs(out) != float("inf") else None


def analyse(file: Path, meta: dict[str, Any], pipeline_name: str = "impaired") -> dict[str, Any]:
    """Run mobgap's Mobilise-D pipeline on one CSV file and return bouts and contacts in seconds."""
    import pandas as pd

    with warnings.catch_warnings():  # sklearn warns about the version its bundled models were pickled with
        warnings.simplefilter("ignore")
        from mobgap.data import GaitDatasetFromData
        from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired

    fs = float(meta.get("sampling_rate_hz", 100.0))
    frame = pd.read_csv(file, usecols=COLUMNS)[COLUMNS]
    participant = {
        "height_m": float(meta["height_m"]),
        "sensor_height_m": float(meta.get("sensor_height_m") or 0.53 * float(meta["height_m"])),
        "cohort": meta.get("cohort") or "MS",
    }
    recording = {"measurement_condition": meta.get("measurement_condition", "laboratory")}
    dataset = GaitDatasetFromData(
        {("rec",): {"LowerBack": frame}},
        fs,
        {("rec",): participant},
        {("rec",): recording},
    )
    pipeline = MobilisedPipelineImpaired() if pipeline_name == "impaired" else MobilisedPipelineHealthy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = pipeline.safe_run(dataset[0])
    bouts = []
    wbs = pipeline.per_wb_parameters_
    for _, row in wbs.iterrows():
        bouts.append(
            {
                "start_s": float(row["start"]) / fs,
                "end_s": float(row["end"]) / fs,
                "n_strides": _num(row.get("n_strides")),
                "cadence_spm": _num(row.get("cadence_spm")),
                "stride_length_m": _num(row.get("stride_length_m")),
                "walking_speed_mps": _num(row.get("walking_speed_mps")),
            }
        )
    ics = pipeline.raw_ic_list_  # every contact found inside the detected gait sequences, in samples
    feet = ics["lr_label"].to_numpy() if "lr_label" in ics.columns else ["?"] * len(ics)
    contacts = [
        {"time_s": float(ic) / fs, "foot": str(lr)} for ic, lr in zip(ics["ic"].to_numpy(), feet, strict=True)
    ]
    return {"walking_bouts": bouts, "initial_contacts": contacts}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: mobgap_runner.py FILE META_JSON", file=sys.stderr)
        return 2
    file, meta_path = Path(argv[0]), Path(argv[1])
    meta = json.loads(meta_path.read_text())
    import os

    out = analyse(file, meta, os.environ.get("MOBGAP_PIPELINE", "impaired"))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
