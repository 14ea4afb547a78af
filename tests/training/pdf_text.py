"""The text of an uncompressed fpdf2 PDF whose fonts are embedded TrueType subsets: each string is glyph ids, read
back to characters through its font's ToUnicode map (enough for tests; no PDF library is installed)."""

from __future__ import annotations

import re

_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        byte = raw[i:i + 1]
        if byte == b"\\":
            nxt = raw[i + 1:i + 2]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += byte
        i += 1
    return bytes(out)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}


def pdf_text(pdf: bytes) -> str:
    objects = _objects(pdf)
    maps: dict[str, dict[int, str]] = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
        if unicode_ref is None:
            continue
        cmap = objects[int(unicode_ref.group(1))]
        maps[name.decode()] = {int(a, 16): chr(int(b, 16)) for a, b in
                               re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4,8})>", cmap)}
    text, font = [], None
    for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|(\((?:\\.|[^\\)])*\)) Tj", pdf, re.S):
        if token.group(1):
            font = token.group(1).decode()
            continue
        glyphs = _unescape(token.group(2)[1:-1])
        mapping = maps.get(font or "", {})
        text.append("".join(mapping.get(int.from_bytes(glyphs[i:i + 2], "big"), "?")
                            for i in range(0, len(glyphs) - 1, 2)))
    return "\n".join(text)
