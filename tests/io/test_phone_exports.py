"""Exports of phone apps as real users send them: phyphox in another language than English, with its separators
and decimal commas, as its Excel export, and alone as one CSV. Each reads as the English export does, or is
refused saying what to do."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, io

HEADERS = {
    "en": ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz"), "Absolute acceleration (m/s^2)"],
    "de": ["Zeit (s)", *(f"Beschleunigung {a} (m/s^2)" for a in "xyz"), "Absolute Beschleunigung (m/s^2)"],
    "fr": ["Temps (s)", *(f"Accélération {a} (m/s^2)" for a in "xyz"), "Accélération absolue (m/s^2)"],
}
META = {
    "Metadata Time": [["event", "experiment time", "system time", "system time text"],
                      ["START", 0.0, 1760000000.0, "2025-10-09 10:00:00.000 UTC+02:00"]],
    "Metadata Device": [["property", "value"], ["deviceModel", "Pixel 7"]],
}  # fmt: skip


def _views(w: Any, header: list[str]) -> dict[str, list[list[Any]]]:
    values = np.column_stack([w.acc, np.linalg.norm(w.acc, axis=1)])
    return {"Raw Data": [header, *[[t, *v] for t, v in zip(w.t, values, strict=True)]], **META}


def _phyphox_zip(path: Path, views: dict[str, list[list[Any]]], sep: str, decimal: str) -> Path:
    """phyphox's CSV export with its separator options: comma, tab, or semicolon with a decimal comma."""
    meta = {"Metadata Time": "meta/time.csv", "Metadata Device": "meta/device.csv"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for view, rows in views.items():
            lines = (
                sep.join(
                    f'"{v}"' if isinstance(v, str) else f"{float(v):.9E}".replace(".", decimal) for v in row
                )
                for row in rows
            )
            archive.writestr(meta.get(view, f"{view}.csv"), "\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("language", ["de", "fr"])
@pytest.mark.parametrize("layout", ["comma", "tab", "semicolon", "excel", "lone csv"])
def test_phyphox_exports_in_german_and_french_read_as_the_english_one(
    tmp_path: Path, synth: Any, language: str, layout: str
) -> None:
    from benchmarks.apps import write_xlsx

    w = synth.walk(20)
    english = io.read(_phyphox_zip(tmp_path / "en.zip", _views(w, HEADERS["en"]), ",", "."))
    views = _views(w, HEADERS[language])
    if layout == "excel":
        path = write_xlsx(tmp_path / f"{language}.xlsx", views)
    elif layout == "lone csv":
        path = tmp_path / "Raw Data.csv"
        rows = views["Raw Data"]
        path.write_text(
            "\n".join(
                ";".join(f'"{v}"' if isinstance(v, str) else f"{float(v):.9E}".replace(".", ",") for v in row)
                for row in rows
            )
            + "\n",
            encoding="utf-8",
        )
    else:
        sep, decimal = {"comma": (",", "."), "tab": ("\t", "."), "semicolon": (";", ",")}[layout]
        path = _phyphox_zip(tmp_path / f"{language}.zip", views, sep, decimal)
    recording = io.read(path)
    assert recording.metadata["format"] == "phyphox"
    np.testing.assert_allclose(recording.acc_mps2, english.acc_mps2, atol=1e-9)
    np.testing.assert_allclose(recording.time_s, english.time_s)


@pytest.mark.parametrize(
    "header",
    [
        ["Zeit (s)", *(f"Lineare Beschleunigung {a} (m/s^2)" for a in "xyz")],
        ["Temps (s)", *(f"Accélération linéaire {a} (m/s^2)" for a in "xyz")],
    ],
)
def test_phyphox_acceleration_without_g_in_german_and_french_is_named(
    tmp_path: Path, synth: Any, header: list[str]
) -> None:
    w = synth.walk(20)
    linear = w.acc - [synth.G, 0, 0]
    views = {"Raw Data": [header, *[[t, *v] for t, v in zip(w.t, linear, strict=True)]], **META}
    path = _phyphox_zip(tmp_path / "phyphox.zip", views, ",", ".")
    with pytest.raises(InputError, match=r"^phyphox\.zip is a phyphox export of 'Acceleration without g'"):
        io.read(path)


SENSORLOGGER_METADATA = (
    "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,device id,"
    "sensors,sampleRateMs,standardisation,platform version\n"
)


@pytest.mark.parametrize(
    ("platform", "standardised"), [("android", "false"), ("ios", "false"), ("ios", "true")]
)
@pytest.mark.parametrize("zipped", [False, True])
def test_a_sensorlogger_export_of_the_uncalibrated_accelerometer_alone_is_read(
    tmp_path: Path, synth: Any, platform: str, standardised: str, zipped: bool
) -> None:
    # AccelerometerUncalibrated.csv is the raw accelerometer, gravity included (awesome-sensor-logger's UNITS.md):
    # in m/s² on Android, and on iOS in g with Core Motion's sign unless "Standardise Units & Frames" was on; it
    # was refused as an export without the accelerometer
    w = synth.walk(20)
    folder = tmp_path / "2025-10-09_08-53-20"
    folder.mkdir()
    raw = w.acc
    if platform == "ios" and standardised == "false":
        raw = -w.acc / synth.G
    synth.write_sensorlogger_csv(folder / "AccelerometerUncalibrated.csv", w.t, raw)
    synth.write_sensorlogger_csv(folder / "GyroscopeUncalibrated.csv", w.t, np.radians(w.gyr))
    (folder / "Metadata.csv").write_text(
        SENSORLOGGER_METADATA
        + f"3,phone,1760000000000,2025-10-09_08-53-20,Europe/Berlin,{platform},1.64,abc,"
        f"AccelerometerUncalibrated|GyroscopeUncalibrated,10|10,{standardised},18\n",
        encoding="utf-8",
    )
    path = folder
    if zipped:
        path = synth.zip_folder(folder, tmp_path / "sensorlogger.zip")
    recording = io.read(path)
    assert recording.metadata["format"] == "sensorlogger"
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert any("AccelerometerUncalibrated" in note for note in recording.notes)


def test_physics_toolbox_s_old_ios_file_without_a_header_says_which_to_add(
    tmp_path: Path, synth: Any
) -> None:
    # Physics Toolbox Sensor Suite's older iOS export: no header, semicolons, the time as minutes:seconds, g-force
    # and its total; the refusal suggested "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z" (seven names, commas)
    w = synth.walk(20)
    g = w.acc / synth.G
    rows = [
        f"{int((720 + t) // 60) % 60:02d}:{(720 + t) % 60:06.3f};{a:.4f};{b:.4f};{c:.4f};{np.linalg.norm([a, b, c]):.4f}"
        for t, (a, b, c) in zip(w.t, g, strict=True)
    ]
    path = tmp_path / "physics toolbox.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        io.read(path)
    said = str(caught.value)
    assert "the first line is data, 5 values separated by semicolons" in said
    suggested = said.split("such as ")[1].split(" ")[0]
    assert suggested == "time_s;acc_x;acc_y;acc_z;other5"
    path.write_text(suggested + "\n" + "\n".join(rows) + "\n", encoding="utf-8")  # as the refusal says
    np.testing.assert_allclose(io.read(path).acc_mps2, w.acc, atol=1e-3)
