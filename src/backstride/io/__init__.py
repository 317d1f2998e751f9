"""Readers of lower-back recordings: every format becomes one canonical :class:`~backstride.Recording`.

>>> from backstride import io
>>> recording = io.read(io.sample_path())          # format, units and time base detected
>>> recording.sampling_rate_hz, recording.notes     # doctest: +SKIP

Formats: CSV, phyphox (also its Excel workbook) and Sensor Logger exports, and wearable loggers' own files
(Axivity ``.cwa``, ActiGraph ``.gt3x`` and ActiLife's CSV export of it, GENEActiv ``.bin``; each also
gzip-compressed, as UK Biobank's ``.cwa.gz``), detected by content (:data:`FORMATS`). What a caller knows of a file (format, units, a CSV's columns, the rate of a table without
a time column) is given as keyword arguments, or once for many files as a checked :class:`ReadOptions`
(``read(path, **options.given())``).

Readers only read and convert units (acceleration to m/s² with gravity, angular rate to deg/s, time to
seconds from 0 on a uniform grid); what they detected or corrected is written in ``Recording.notes``.
Bad input ends in one :class:`~backstride.InputError` with a message naming the line or column.

Decisions per kind of bad input (details in the private modules' docstrings):

=================================  ==========================================================================
empty file, header only            error ("is empty", "has a header but no data rows"); a phone export's
                                   gyroscope file so: read without angular rate, with a note
a phone's sensors apart in time    gravity, needed for the acceleration: samples > 1 s beyond it left out,
                                   with a note; the gyroscope: its first or last reading held, every
                                   accelerometer sample kept (the gait engine leaves such strides out); a
                                   pause of one file's sensor alone: bridged, said as a gap of that file
missing acceleration columns       error listing the columns found and the ``acc_columns`` option
non-numeric cell                   error naming the line, the column and the value
wrong number of cells              error naming the line; a cut-off *last* line is dropped with a note
NaN / empty cells                  runs ≤ 0.5 s interpolated with a note; longer runs: error naming the lines,
                                   but the gyroscope's are bridged alike, said apart (count, longest, where)
time going backwards               error naming the line
duplicated time stamps             later duplicates dropped with a note
irregular time base                resampled to the median rate (nearest integer Hz) with a note
gaps                               bridged by interpolation, reported (count, longest, where); > 10 s warned
below 20 Hz, shorter than 3 s      error from :func:`validate` (``read`` and ``iter_chunks`` call it);
                                   3–10 s is read (a short walk test); the gait engine warns
not a recording (image, PDF, ZIP)  :class:`~backstride.UnsupportedFormatError` naming what was found
device file cut short or damaged   (.cwa, .gt3x, .bin) every whole block or page that passes its checksum is
                                   read, with a note on what was dropped; nothing usable left: error
gzip file cut short                (.csv.gz, ActiLife's too) read up to its last whole line, with a note;
                                   a logger's file (.cwa.gz, .gt3x.gz, .bin.gz) up to its last whole block
                                   or page, with a note; damaged compressed data: error
units                              detected (g vs m/s², rad/s vs deg/s) and noted; a declared unit that the
                                   values contradict, or linear acceleration without gravity: error; a
                                   gyroscope still for the first 4 hours: error asking for ``gyr_unit``
ZIP or gzip unpacking beyond       error, nothing unpacked kept (:data:`MAX_UNPACKED_BYTES`, 64 GiB; raised
the limit (a decompression bomb)   with ``$BACKSTRIDE_MAX_UNPACKED_GB``)
=================================  ==========================================================================
"""

from __future__ import annotations

from backstride.io._devices import DEVICE_SUFFIXES
from backstride.io._gzipped import unpacked, unpacked_size
from backstride.io._registry import (
    CSV_ONLY_OPTIONS,
    FORMATS,
    MIN_DURATION_S,
    MIN_SAMPLING_RATE_HZ,
    SUFFIXES,
    ReadOptions,
    detect_format,
    iter_chunks,
    read,
    validate,
)
from backstride.io._sample import sample_meta_path, sample_path
from backstride.io._unpackcap import ENV_MAX_UNPACKED_GB, MAX_UNPACKED_BYTES

__all__ = [
    "CSV_ONLY_OPTIONS",
    "DEVICE_SUFFIXES",
    "ENV_MAX_UNPACKED_GB",
    "FORMATS",
    "MAX_UNPACKED_BYTES",
    "MIN_DURATION_S",
    "MIN_SAMPLING_RATE_HZ",
    "SUFFIXES",
    "ReadOptions",
    "detect_format",
    "iter_chunks",
    "read",
    "sample_meta_path",
    "sample_path",
    "unpacked",
    "unpacked_size",
    "validate",
]
