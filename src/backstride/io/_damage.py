"""What a damaged file did to the library reading it, said in one readable line.

The libraries under the readers (zipfile, zlib, sqlite3, ElementTree) say what went wrong in their own words,
and some of those words quote the damage itself: zipfile names a member "and header b'xl/workbook.xml\\x8d\\x8f
...'", sqlite3 gives the undecodable "text '@&\ufffd\\x08...'" of a cell, and a member's name read from a damaged
directory may hold a line break. A message made of them is neither one line nor readable. :func:`damage_of`
turns such an error into words; :func:`shown` makes a name read from a damaged file safe to put in a message.
"""

from __future__ import annotations

import errno
import re
import sqlite3
import struct
import zipfile

from backstride._words import plain

_SQLITE_UNDECODABLE = re.compile(r"Could not decode to UTF-8 column '([^']*)'")
_LONGEST_NAME = 80  # characters of a damaged name shown; the rest is elided


def shown(name: str) -> str:
    """``name`` as it can stand in a one-line message: line breaks and other control characters, and bytes
    that were no text (U+FFFD), each shown as ``?``; a name longer than 80 characters is cut with ``...``."""
    return plain(name, _LONGEST_NAME, mark="?")


def damage_of(exc: BaseException) -> str | None:
    """What an error met reading a damaged file says of the damage, in words; ``None`` when it is no damage (an
    OSError of the disk, such as a full one), which the caller raises again.

    - A member whose place a ZIP's directory gives wrongly (bytes lost before it) makes zipfile seek outside the
      file: "[Errno 22] Invalid argument", which says nothing to a reader. An OSError without an error number
      is a decompressor's (bz2's "Invalid data stream", for a member a damaged directory says is bzip2): damage.
    - A ZIP member's name that differs between the directory and the member's own header (a damaged byte in
      either): zipfile quotes the header's bytes up to the data.
    - A cell of an SQLite table whose bytes are no UTF-8 text: sqlite3 quotes them.
    - A name or text that is no UTF-8 (a table's name in a damaged database), an XML declaration naming an
      encoding that does not exist (a damaged workbook's part), a binary header cut short (struct).
    Anything else is the library's own message, with what the file put in it made safe (:func:`shown`)."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        return "its directory gives a place outside the file" if exc.errno == errno.EINVAL else None
    if isinstance(exc, zipfile.BadZipFile) and text.startswith("File name in directory"):
        return "the member's name differs between the archive's directory and the member's own header"
    if isinstance(exc, sqlite3.DatabaseError) and (found := _SQLITE_UNDECODABLE.search(text)):
        return f"its column {shown(found.group(1))} holds bytes that are no text"
    if isinstance(exc, UnicodeDecodeError):
        return f"it holds bytes that are no {exc.encoding.upper()} text where text should be"
    if isinstance(exc, LookupError) and text.startswith("unknown encoding"):
        return "its XML declares an encoding that does not exist"
    if isinstance(exc, struct.error):
        return "a header in it is cut short"
    return shown(text)
