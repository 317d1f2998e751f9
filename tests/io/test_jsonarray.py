"""The streamed decoding of long JSON arrays (``backstride.io._jsonarray``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backstride import InputError
from backstride.io import _jsonarray


@pytest.mark.parametrize("block_chars", [300, 1000, 1 << 20])
def test_json_elements_decoded_in_batches_are_those_of_the_whole_array(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_chars: int
) -> None:
    """Runs of readings are decoded in one call up to the last '}, {' of the text held; one inside a text value
    cuts an element in two there, which must not parse, and the elements are then decoded one by one past that
    point: whatever the block size, exactly the elements json.loads gives."""
    import json

    monkeypatch.setattr(_jsonarray, "BLOCK_CHARS", block_chars)
    elements: list[object] = []
    for i in range(600):
        element: dict[str, object] = {"sensor": "Gravity", "time": str(10**18 + i), "x": f"{i / 7:.5f}"}
        if i % 97 == 5:
            element["note"] = 'a "quoted" }, text }, {"sensor": "Gravity"}'
        if i % 131 == 7:
            element["nested"] = {"inner": {"deeper": [1, {"k": "},"}]}, "after": 2}
        elements.append(element)
    elements += [[1, 2], "text", 3.5, None, {"sensor": "Metadata", "device name": "x },"}]
    # the last element with a '}, {' of its own: the last text held is decoded one element at a time
    bad_end = [*elements, {"sensor": "Metadata", "device name": 'x }, {"y": 1}'}]
    for layout in ({"indent": 2}, {"separators": (",", ":")}, {"indent": None}):
        for case in (elements, bad_end):
            path = tmp_path / "elements.json"
            path.write_text(json.dumps(case, **layout), encoding="utf-8")  # type: ignore[arg-type]
            batches = list(_jsonarray.batches(path))
            assert [e for batch in batches for e in batch] == case
            if case is elements or block_chars < 1 << 20:
                assert len(batches) < len(case)  # runs were decoded together


@pytest.mark.parametrize("block_chars", [300, 1000, 1 << 20])
def test_json_runs_of_sensors_not_read_are_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_chars: int
) -> None:
    """A run of objects whose sensor is skipped is passed over without being decoded, wherever it lies (first,
    between two read, last) and whatever its spacing: every object of the sensors read comes out, in order,
    and of the others only those decoded with a run read before the skipping could start; a file that ends
    inside a skipped run is still cut."""
    import json

    monkeypatch.setattr(_jsonarray, "BLOCK_CHARS", block_chars)

    def run(sensor: str, n: int, **extra: object) -> list[dict[str, object]]:
        return [{"sensor": sensor, "time": str(10**18 + i), "x": f"{i / 7:.5f}", **extra} for i in range(n)]

    elements = (
        run("Location", 120, speed="0", latitude="0.0")
        + run("Accelerometer", 200)
        + run("Magnetometer", 300, note="a } and a { in a text, and [ ]")
        + run("Gravity", 150)
        + run("Orientation", 250, qw="0.7")
        + [{"sensor": "Metadata", "platform": "ios"}]
        + run("Barometer", 40, pressure="1013.2")
    )
    skipped = {"Location", "Magnetometer", "Orientation", "Barometer"}
    read = [e for e in elements if e["sensor"] not in skipped]
    for layout in ({"indent": 2}, {"separators": (",", ":")}, {"indent": None}):
        text = json.dumps(elements, **layout)  # type: ignore[arg-type]
        path = tmp_path / "export.json"
        path.write_text(text, encoding="utf-8")
        out = [e for batch in _jsonarray.batches(path, skip=skipped.__contains__) for e in batch]
        assert [e for e in out if isinstance(e, dict) and e["sensor"] not in skipped] == read
        assert not any(e["sensor"] == "Location" for e in out)  # a skipped run to begin with
        if block_chars < 1 << 20:  # else a block holds the whole file: the rest is decoded in one run
            assert len(out) - len(read) < 860 // 4  # of the 860 objects of the sensors skipped
        cut = tmp_path / "cut.json"
        cut.write_text(text[: text.rindex('"pressure"')], encoding="utf-8")
        with pytest.raises(InputError, match=r"cut\.json is not valid JSON .*the file ends inside the list"):
            list(_jsonarray.batches(cut, skip=skipped.__contains__))
        # no skipping: every object, as json.loads gives them
        assert [e for batch in _jsonarray.batches(path) for e in batch] == elements


def test_runs_are_told_by_the_member_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setattr(_jsonarray, "BLOCK_CHARS", 300)
    elements = [{"type": "noise", "v": i} for i in range(100)] + [{"type": "step", "v": i} for i in range(5)]
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(elements), encoding="utf-8")
    out = [e for batch in _jsonarray.batches(path, skip={"noise"}.__contains__, key="type") for e in batch]
    assert out == elements[100:]  # the run skipped from its start is never decoded
    # told by "sensor" (the default), none of these is skipped
    assert [e for b in _jsonarray.batches(path, skip={"noise"}.__contains__) for e in b] == elements
