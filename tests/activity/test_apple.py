"""Apple Health exports: the real sample exports' values, ZIPs, bad input, overlapping sources, big files."""

from __future__ import annotations

import csv
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backstride import InputError, UnsupportedFormatError
from backstride.activity import ActivityData, read_activity, read_apple_health

MI_PER_HR = 0.44704  # m/s
INCH = 0.0254  # m
MILE = 1609.344  # m
PST = timezone(timedelta(hours=-8))


@pytest.fixture(scope="module")
def apple(shared_data: Path) -> Path:
    return shared_data / "devices" / "apple_health"


def _values(data: ActivityData, kind: str) -> list[float]:
    return [r.value for r in data.records if r.kind == kind]


def _export(lines: list[str]) -> str:
    body = "\n".join(f" {line}" for line in lines)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n{body}\n</HealthData>\n'


def _record(kind: str, value: float | str, unit: str, start: str, source: str = "Ann's iPhone") -> str:
    return (
        f'<Record type="HKQuantityTypeIdentifier{kind}" sourceName="{source}" unit="{unit}" '
        f'startDate="{start}" endDate="{start}" value="{value}"/>'
    )


def test_tdda_step_counts_and_distances_match_the_reference_extraction(apple: Path) -> None:
    data = read_activity(apple / "tdda_export6s3sample.xml")
    assert data.source_format == "apple_health"
    steps = [r for r in data.records if r.kind == "steps"]
    assert [r.value for r in steps] == [329, 283, 426, 61, 10, 200, 390, 320, 216, 282]
    assert sum(r.value for r in steps) == 2517
    assert steps[0].start == datetime(2014, 9, 13, 10, 27, 54, tzinfo=timezone(timedelta(hours=1)))
    assert steps[0].end == datetime(2014, 9, 13, 10, 27, 59, tzinfo=timezone(timedelta(hours=1)))
    assert steps[-1].start.isoformat() == "2014-09-13T11:33:24+01:00"
    assert sum(_values(data, "distance")) == pytest.approx(19.43)  # 0.01943 km
    # every record as the project's own reference extraction lists it (dates, source, value; km -> m)
    for kind, factor in (("StepCount", 1.0), ("DistanceWalkingRunning", 1000.0)):
        with (apple / f"tdda_expected_{kind}.csv").open(encoding="utf-8") as handle:
            expected = list(csv.DictReader(handle))
        mine = [r for r in data.records if r.kind == ("steps" if kind == "StepCount" else "distance")]
        assert len(mine) == len(expected)
        for record, row in zip(mine, expected, strict=True):
            assert record.start == datetime.fromisoformat(row["startDate"])
            assert record.end == datetime.fromisoformat(row["endDate"])
            assert record.source == row["sourceName"]
            assert record.value == pytest.approx(float(row["value"]) * factor)
    by_day = {d.date: d for d in data.days}
    assert by_day[date(2014, 9, 13)].steps == 2517
    assert by_day[date(2014, 9, 20)].distance_m == pytest.approx(19.43)
    assert data.sessions == ()  # the one workout is HKWorkoutActivityTypeOther
    assert any("other than walking or hiking" in n for n in data.notes)


def test_opendroid_walking_metrics_in_si_units(apple: Path) -> None:
    data = read_activity(apple / "opendroid_hk_sampleexport-2.xml")
    assert _values(data, "steps") == [143, 66, 223]
    assert _values(data, "walking_speed") == pytest.approx([2.21457 * MI_PER_HR, 2.52774 * MI_PER_HR])
    assert _values(data, "step_length") == pytest.approx(
        [v * INCH for v in (17.3228, 29.1339, 20.8661, 29.5276)]
    )
    assert _values(data, "walking_asymmetry") == pytest.approx([7.0, 33.0])
    assert _values(data, "double_support") == pytest.approx([29.4, 28.9, 32.7])
    assert _values(data, "distance") == pytest.approx([0.00205053 * MILE, 0.00233014 * MILE])
    assert len(data.records) == 16  # the odd record type "c" (and BodyMass, VO2Max...) ignored
    assert all(r.value != pytest.approx(68.0391) for r in data.records)
    speed = next(r for r in data.records if r.kind == "walking_speed")
    assert speed.start == datetime(2021, 1, 2, 11, 0, 4, tzinfo=PST)
    assert speed.source == "DonorTwo's iPhone"


def test_opendroid_days_and_walks(apple: Path) -> None:
    data = read_activity(apple / "opendroid_hk_sampleexport-2.xml")
    by_day = {d.date: d for d in data.days}
    assert by_day[date(2014, 9, 19)].steps == 432
    assert by_day[date(2020, 9, 16)].walking_asymmetry_pct == pytest.approx(20.0)  # median of 7 and 33
    assert by_day[date(2020, 9, 16)].double_support_pct == pytest.approx(29.4)  # median of 29.4, 28.9, 32.7
    assert by_day[date(2020, 9, 18)].step_length_m == pytest.approx((20.8661 + 29.1339) / 2 * INCH)
    assert by_day[date(2021, 1, 2)].walking_speed_mps == pytest.approx((2.21457 + 2.52774) / 2 * MI_PER_HR)
    assert by_day[date(2021, 1, 2)].steps is None
    # four walking workouts; the cross-training one is left out
    assert [s.sport for s in data.sessions] == ["walking"] * 4
    watch = next(s for s in data.sessions if s.start.date() == date(2018, 2, 1))
    assert watch.duration_s == pytest.approx(38.35598726669947 * 60)
    assert watch.distance_m == pytest.approx(2.169559267617529 * MILE)
    assert watch.speed_mps == pytest.approx(2.169559267617529 * MILE / watch.duration_s)
    assert by_day[date(2018, 2, 1)].walks == 1
    assert by_day[date(2018, 2, 1)].walking_speed_mps == pytest.approx(watch.speed_mps)
    logged = [s for s in data.sessions if s.device == "Lose It!"]
    assert [s.distance_m for s in logged] == [None, None]  # totalDistance="0": logged by hand, not measured


def test_zip_reads_like_the_xml(apple: Path, tmp_path: Path) -> None:
    xml = apple / "opendroid_hk_sampleexport-2.xml"
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("apple_health_export/export_cda.xml", "<?xml version='1.0'?><ClinicalDocument/>")
        z.write(xml, "apple_health_export/export.xml")
    from_zip, from_xml = read_activity(archive).to_dict(), read_activity(xml).to_dict()
    assert from_zip.pop("source") == "export.zip"
    from_xml.pop("source")
    assert from_zip == from_xml


def test_localised_export_name_in_a_zip(apple: Path, tmp_path: Path) -> None:
    archive = tmp_path / "Export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("apple_health_export/export_cda.xml", "<?xml version='1.0'?><ClinicalDocument/>")
        z.write(apple / "tdda_export6s3sample.xml", "apple_health_export/Exportieren.xml")
    assert sum(_values(read_activity(archive), "steps")) == 2517


def test_unzipped_export_folder(apple: Path, tmp_path: Path) -> None:
    folder = tmp_path / "apple_health_export"
    folder.mkdir()
    (folder / "export.xml").write_bytes((apple / "tdda_export6s3sample.xml").read_bytes())
    assert read_activity(tmp_path).days[0].steps == 2517


def test_zip_without_an_export(tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(UnsupportedFormatError, match=r"photos\.zip is a ZIP archive without an Apple Health"):
        read_activity(archive)


def test_truncated_zip(apple: Path, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(apple / "opendroid_hk_sampleexport-2.xml", "apple_health_export/export.xml")
    archive.write_bytes(archive.read_bytes()[:3000])
    with pytest.raises(InputError, match=r"^export\.zip is a damaged or incomplete ZIP archive"):
        read_activity(archive)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        (8, 1, "is encrypted"),  # the flags
        (10, 99, "compression method is not supported"),  # the method: an unknown one, bzip2, LZMA
        (10, 12, "Invalid data stream"),
        (10, 14, ""),  # lzma's LZMAError, or a bad CRC, as the data happen to be
    ],
)
def test_a_zip_whose_directory_says_encrypted_or_an_unknown_method_is_one_error(
    apple: Path, tmp_path: Path, field: int, value: int, said: str
) -> None:
    """One changed byte in the archive's directory (or a password set, or AES): zipfile raises RuntimeError
    or NotImplementedError for the member, and bz2's OSError or lzma's LZMAError on deflated data said to be
    theirs, which ended in tracebacks."""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(apple / "opendroid_hk_sampleexport-2.xml", "apple_health_export/export.xml")
    data = bytearray(archive.read_bytes())
    entry = data.rindex(b"PK\x01\x02") + field  # the member's central directory entry
    data[entry] = value
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match=rf"^export\.zip is a damaged or incomplete ZIP archive \(.*{said}"):
        read_activity(archive)


def test_truncated_xml_names_the_line(apple: Path, tmp_path: Path) -> None:
    text = (apple / "opendroid_hk_sampleexport-2.xml").read_bytes()
    cut = tmp_path / "export.xml"
    cut.write_bytes(text[: len(text) * 2 // 3])
    with pytest.raises(InputError, match=r"^export\.xml is not well-formed XML at line \d+, column \d+"):
        read_activity(cut)


def test_unknown_unit_is_skipped_with_one_note(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        _export(
            [
                _record("WalkingSpeed", 4.0, "ft/s", "2021-01-02 11:00:04 -0800"),
                _record("WalkingSpeed", 4.2, "ft/s", "2021-01-02 11:05:04 -0800"),
                _record("WalkingSpeed", 4.5, "km/hr", "2021-01-02 11:10:04 -0800"),
            ]
        ),
        encoding="utf-8",
    )
    data = read_activity(path)
    assert _values(data, "walking_speed") == pytest.approx([1.25])
    unit_notes = [n for n in data.notes if "unit not understood" in n]
    assert unit_notes == [
        "2 record(s) skipped: unit not understood (WalkingSpeed in 'ft/s' ×2); values are never guessed"
    ]


def test_overlapping_sources_take_the_one_with_most_steps(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    lines = [
        _record("StepCount", 600, "count", "2021-03-01 09:00:00 +0100", "Ann's iPhone"),
        _record("StepCount", 400, "count", "2021-03-01 17:00:00 +0100", "Ann's iPhone"),
        _record("StepCount", 1200, "count", "2021-03-01 09:00:00 +0100", "Ann's Apple Watch"),
        _record("StepCount", 500, "count", "2021-03-02 09:00:00 +0100", "Ann's iPhone"),
    ]
    path.write_text(_export(lines), encoding="utf-8")
    data = read_activity(path)
    assert [(d.date, d.steps) for d in data.days] == [(date(2021, 3, 1), 1200), (date(2021, 3, 2), 500)]
    assert any(n.startswith("on 1 day(s) more than one source counted steps") for n in data.notes)


def test_days_are_the_wearers_local_days(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        _export([_record("StepCount", 250, "count", "2021-01-02 23:30:00 -0800")]), encoding="utf-8"
    )
    assert [d.date for d in read_activity(path).days] == [date(2021, 1, 2)]  # 07:30 UTC on the 3rd


def test_records_inside_a_correlation_are_not_counted_twice(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    inner = _record("StepCount", 100, "count", "2021-01-02 10:00:00 -0800")
    lines = [inner, f'<Correlation type="X" sourceName="a" startDate="x" endDate="x">{inner}</Correlation>']
    path.write_text(_export(lines), encoding="utf-8")
    assert read_activity(path).days[0].steps == 100


def test_hike_with_workout_statistics(tmp_path: Path) -> None:
    """iOS 16+ exports give a workout's distance (and steps) as WorkoutStatistics children."""
    hike = (
        '<Workout workoutActivityType="HKWorkoutActivityTypeHiking" duration="90" durationUnit="min" '
        'sourceName="Ann\'s Apple Watch" startDate="2023-06-03 09:00:00 +0200" '
        'endDate="2023-06-03 10:30:00 +0200">'
        '<WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" sum="400" unit="Cal"/>'
        '<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="5.4" unit="km"/>'
        '<WorkoutStatistics type="HKQuantityTypeIdentifierStepCount" sum="7200" unit="count"/>'
        "</Workout>"
    )
    path = tmp_path / "export.xml"
    path.write_text(_export([hike]), encoding="utf-8")
    data = read_activity(path)
    (session,) = data.sessions
    assert (session.sport, session.steps, session.device) == ("hiking", 7200, "Ann's Apple Watch")
    assert session.distance_m == pytest.approx(5400.0)
    assert session.speed_mps == pytest.approx(1.0)
    assert session.step_length_m == pytest.approx(0.75)
    assert session.cadence_spm == pytest.approx(80.0)
    (day,) = data.days
    assert day.walks == 1
    assert [day.walking_speed_mps, day.step_length_m] == pytest.approx([1.0, 0.75])
    assert day.steps is None  # steps per day come from StepCount records, not from workouts


def test_not_an_export(tmp_path: Path) -> None:
    empty = tmp_path / "export.xml"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"^export\.xml is empty$"):
        read_activity(empty)
    other = tmp_path / "feed.xml"
    other.write_text("<?xml version='1.0'?><rss><channel/></rss>", encoding="utf-8")
    with pytest.raises(
        UnsupportedFormatError, match=r"feed\.xml is an XML file but not an Apple Health export"
    ):
        read_activity(other)
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    with pytest.raises(UnsupportedFormatError, match=r"photo\.jpg is neither an Apple Health export"):
        read_activity(picture)
    with pytest.raises(InputError, match=r"nope\.xml does not exist"):
        read_activity(tmp_path / "nope.xml")


def _write_big_export(path: Path, n_records: int) -> None:
    start = datetime(2023, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=2)))
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="de_DE">\n')
        for i in range(n_records):
            t = (start + timedelta(seconds=20 * i)).strftime("%Y-%m-%d %H:%M:%S %z")
            if i % 2:
                out.write(f" {_record('WalkingSpeed', 4.5, 'km/hr', t)}\n")
            else:
                out.write(f" {_record('StepCount', 30, 'count', t)}\n")
        out.write("</HealthData>\n")


@pytest.mark.slow
def test_a_big_export_is_read_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    _write_big_export(path, 200_000)
    tracemalloc.start()
    try:
        data = read_apple_health(path, keep_records=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data.records == ()
    assert sum(d.steps or 0 for d in data.days) == 100_000 * 30
    assert [d.walking_speed_mps for d in data.days] == pytest.approx([1.25] * len(data.days))
    # the file is ~36 MB; the parse keeps one element at a time, the speeds 8 bytes each (peak ~1 MB)
    assert peak < 8_000_000, f"peak {peak / 1e6:.1f} MB"


def test_records_and_workouts_no_walk_can_have_are_left_out_and_counted(tmp_path: Path) -> None:
    """Found by fuzzing the clinic's import: NaN and infinite steps failed where the day's steps were rounded,
    1e308 steps as the database's integer, and a record of the year 9999 was kept, after which the progress
    page failed for good (its plot's axis a day past the last date Python knows)."""
    good = _record("StepCount", 1200, "count", "2021-03-01 09:00:00 +0100")
    bad = [
        _record("StepCount", value, "count", "2021-03-01 10:00:00 +0100")
        for value in ("NaN", "inf", "1e308", "-5", 2_000_000_000)
    ]
    bad += [
        _record("StepCount", 100, "count", "9999-12-31 23:59:59 +0000"),
        _record("StepCount", 100, "count", "0001-01-01 00:00:00 +0000"),
        _record("WalkingSpeed", 400, "m/s", "2021-03-01 11:00:00 +0100"),
        '<Record type="HKQuantityTypeIdentifierStepCount" sourceName="x" unit="count" '
        'startDate="2021-03-01 12:00:00 +0100" endDate="2021-03-01 11:00:00 +0100" value="10"/>',
        '<Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="NaN" durationUnit="min" '
        'startDate="2021-03-01 13:00:00 +0100" endDate="2021-03-01 13:30:00 +0100"/>',
    ]
    path = tmp_path / "export.xml"
    path.write_text(_export([good, *bad]), encoding="utf-8")
    data = read_activity(path)
    assert [(d.date, d.steps) for d in data.days] == [(date(2021, 3, 1), 1200)]
    assert data.sessions == ()
    assert any(
        note.startswith(f"{len(bad)} record(s) or workout(s) skipped: a value no walk has")
        for note in data.notes
    )
