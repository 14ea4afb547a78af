"""CSV downloads (the pipeline list, reports) that open safely in a spreadsheet.

A cell a family typed ("=HYPERLINK(...)", "+1 555", "@SUM") would run as a formula in Excel or LibreOffice: such
cells get a leading apostrophe (OWASP's advice for CSV injection), which spreadsheets show as text. UTF-8 with a
byte-order mark, so Excel reads "González" right."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        # A plain negative number stays a number: only text that could be a formula is neutralised.
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[object]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
