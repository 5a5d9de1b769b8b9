"""Files people download and open elsewhere (CSV in a spreadsheet, iCalendar in a calendar): what anyone
wrote must stay text there.

- CSV: a cell a spreadsheet would run as a formula — it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return — gets a leading apostrophe (OWASP's rule for CSV injection); numbers stay numbers.
- iCalendar TEXT: no control character but the line breaks it escapes reaches a line (RFC 5545 3.1:
  CTLs other than HTAB are not allowed in values), so a lone carriage return cannot start a property.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = {code: None for code in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)}


def csv_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may show but never evaluate; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV (RFC 4180 line ends), every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()


def ical_text(text: str) -> str:
    """A TEXT value for one iCalendar line: line breaks (CRLF, LF or a lone CR) escaped as ``\\n``, other
    control characters dropped, backslash, semicolon and comma escaped."""
    one = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
    return one.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
