"""Movella DOT (formerly Xsens DOT) exports: the app's lines above the names, the sensor's 32-bit microsecond
clock, and either the raw acceleration and angular rate or, in its sensor-fusion modes, the free acceleration
in the earth's frame with the orientation. The engine on them is scored in ``benchmarks/test_apps.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backstride import InputError, gait, io
from backstride.io._csvlayout import is_preamble

PREAMBLE = [
    "sep=,",
    "DeviceTag:,D4:22:CD:00:36:80",
    "FirmwareVersion:,3.0.0",
    "AppVersion:,2023.6.0",
    "SyncStatus:,Synced",
    "OutputRate:,100Hz",
    "FilterProfile:,General",
    "Measurement Mode:,Custom Mode 4",
    "StartTime: ,2025-07-11_20:06:00_086 WEST",
    "© Movella Technologies B. V. 2005-2025",
    "",
]
CUSTOM_MODE_4 = (
    "PacketCounter,SampleTimeFine,Quat_W,Quat_X,Quat_Y,Quat_Z,dq_W,dq_X,dq_Y,dq_Z,dv[1],dv[2],dv[3],"
    "Acc_X,Acc_Y,Acc_Z,Gyr_X,Gyr_Y,Gyr_Z,Mag_X,Mag_Y,Mag_Z,Status"
)


def test_the_apps_lines_above_the_names_are_skipped() -> None:
    assert all(is_preamble(line) for line in PREAMBLE)
    assert not is_preamble(CUSTOM_MODE_4)
    assert not is_preamble(
        "PacketCounter,SampleTimeFine,Euler_X,Euler_Y,Euler_Z,FreeAcc_X,FreeAcc_Y,FreeAcc_Z"
    )
    assert not is_preamble("1,2268972329,-96.604095,-14.144427,43.073235,-0.022103,-0.080439,0.119097,0")


@pytest.mark.parametrize("trailing", ["", ","], ids=["plain", "rows-end-with-a-comma"])
def test_a_custom_mode_export_with_raw_acceleration_reads_as_the_walk(
    tmp_path: Path, shared_data: Path, trailing: str
) -> None:
    """A real 10 m walk written in the custom mode that logs everything: the raw acceleration and angular rate
    are read (not the orientation's columns), timed by the microsecond clock across its wrap, and give the
    walk's own contacts."""
    source = io.read(shared_data / "lowback-10m" / "1-1" / "imu.csv")
    n = source.n_samples
    fine = (2**32 - 4_000_000 + np.arange(n) * 10_000) % 2**32  # wraps 4 s in
    other = "1.0,0.0,0.0,0.0," * 2 + "0.0,0.0,0.0"  # orientation and its increments, unused
    rows = [
        f"{i % 65536},{f},{other},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},{w[0]:.6f},{w[1]:.6f},{w[2]:.6f},0.1,0.2,0.3,0"
        + trailing
        for i, (f, a, w) in enumerate(
            zip(fine.tolist(), source.acc_mps2.tolist(), source.gyr_dps.tolist(), strict=True)
        )
    ]
    path = tmp_path / "D4-22-CD-00-36-80_20250711_200600.csv"
    path.write_text("\n".join([*PREAMBLE, CUSTOM_MODE_4, *rows]) + "\n", encoding="utf-8")
    back = io.read(path)
    assert back.sampling_rate_hz == 100.0 and back.duration_s == pytest.approx(source.duration_s, abs=0.011)
    np.testing.assert_allclose(back.acc_mps2, source.acc_mps2, atol=1e-6)
    np.testing.assert_allclose(back.gyr_dps, source.gyr_dps, atol=1e-6)
    assert not any("rebuilt" in note for note in back.notes)
    assert back.metadata["device"] == "Movella DOT, tag D4:22:CD:00:36:80, firmware 3.0.0"
    streamed = list(io.iter_chunks(path, chunk_s=10.0))
    assert streamed[0].metadata["device"] == back.metadata["device"]
    expected = [c.time_s for c in gait.analyze(source, height_m=1.75).initial_contacts]
    assert [c.time_s for c in gait.analyze(back, height_m=1.75).initial_contacts] == expected


def test_free_acceleration_without_the_orientation_is_refused_with_what_to_record(tmp_path: Path) -> None:
    path = tmp_path / "dot.csv"
    rows = [f"{i},{1000 + i * 16667},0.1,0.2,0.3,0" for i in range(900)]
    path.write_text(
        "\n".join([*PREAMBLE, "PacketCounter,SampleTimeFine,FreeAcc_X,FreeAcc_Y,FreeAcc_Z,Status", *rows])
    )
    with pytest.raises(
        InputError, match=r"holds free acceleration .* without the sensor's orientation"
    ) as caught:
        io.read(path)
    assert "Euler angles or quaternion" in str(caught.value)


@pytest.mark.parametrize(
    ("columns", "orientation"),
    [("Euler_X,Euler_Y,Euler_Z", "10.0,-5.0,30.0"), ("Quat_W,Quat_X,Quat_Y,Quat_Z", "1.0,0.0,0.0,0.0")],
)
def test_an_orientation_damaged_into_infinity_is_a_missing_sample(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], columns: str, orientation: str
) -> None:
    """An angle or quaternion cell of 'inf' (or 1e400) makes that row's rebuilt acceleration missing, filled
    as any short gap, and prints no numpy warning ('invalid value encountered in cos') on stderr."""
    t = np.arange(900) / 60.0
    rows = [
        f"{i},{1000 + i * 16667},{orientation},{0.3 * np.sin(11 * s):.6f},0.2,0.3,0" for i, s in enumerate(t)
    ]
    rows[400] = rows[400].replace(orientation.split(",")[0], "inf", 1)
    path = tmp_path / "dot.csv"
    header = f"PacketCounter,SampleTimeFine,{columns},FreeAcc_X,FreeAcc_Y,FreeAcc_Z,Status"
    path.write_text("\n".join([*PREAMBLE, header, *rows]) + "\n")
    recording = io.read(path)
    assert np.isfinite(recording.acc_mps2).all()
    assert any("filled by linear interpolation" in note for note in recording.notes)
    assert capfd.readouterr().err == ""
