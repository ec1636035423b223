"""Finding the text encoding of a BibTeX file.

Real .bib files arrive as UTF-8 (with or without a BOM), UTF-16 with a BOM, or in a legacy
8-bit encoding (Windows-1252, Latin-1/2/9, GBK), sometimes declared by JabRef's
``% Encoding: X`` line or an Emacs ``-*- coding: X -*-`` line, sometimes declared wrongly.
The order: BOM, then strict UTF-8, then the declared encoding, then a best guess. The result
says which encoding was used and how it was chosen, so an importer can report it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from litreview.errors import ImportFailed

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declarations are looked for in the first lines only.
_HEADER_BYTES = 2048
_EMACS_SUFFIXES = ("-unix", "-dos", "-mac")


@dataclass(frozen=True)
class DecodedText:
    """A file's text and how it was decoded."""

    text: str
    encoding: str
    how: str  # "bom", "utf-8", "declared", "guessed"
    declared: str | None = None
    note: str = ""


def decode_bibtex_bytes(data: bytes, *, source: str = "") -> DecodedText:
    """Decode a BibTeX file; :class:`ImportFailed` when it is not text in any known encoding."""
    where = f"{source}: " if source else ""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportFailed(
                    f"{where}the file starts with a {encoding} byte-order mark but is not valid"
                    f" {encoding} (byte {exc.start + len(bom)})",
                    source=source,
                    encoding=encoding,
                ) from exc
            return DecodedText(text, encoding, "bom", _declared(text[:_HEADER_BYTES]))
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return DecodedText(data.decode(utf16), utf16, "guessed")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the checks below decide
    if b"\x00" in data or _mostly_control(data[:4096]):
        raise ImportFailed(
            f"{where}this is not a BibTeX text file (it has NUL or control bytes: binary data?)",
            source=source,
        )
    declared = _declared(data[:_HEADER_BYTES].decode("latin-1"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        note = ""
        if declared and _codec_name(declared) not in (None, "utf-8") and not text.isascii():
            note = f"declared {declared} but the file is valid UTF-8; read as UTF-8"
        return DecodedText(text, "utf-8", "utf-8", declared, note)
    codec = _codec_name(declared) if declared else None
    if codec and codec != "utf-8":
        try:
            return DecodedText(data.decode(codec), codec, "declared", declared)
        except UnicodeDecodeError:
            pass  # a wrong declaration: fall through to the guess, and say so
    guess = _guess_legacy(data)
    note = f"not valid UTF-8 (byte {utf8_error.start})"
    if declared:
        note = f"declared {declared} but not valid in it; {note}"
    return DecodedText(data.decode(guess), guess, "guessed", declared, f"{note}; read as {guess}")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of ASCII-range BibTeX has a NUL in every other byte."""
    sample = data[:400]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.7 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.7 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


def _declared(header: str) -> str | None:
    """The encoding named by a JabRef ``% Encoding:`` line or an Emacs ``coding:`` cookie."""
    for line in header.splitlines()[:10]:
        stripped = line.strip()
        if not stripped.startswith("%"):
            continue
        body = stripped.lstrip("%").strip()
        if body.lower().startswith("encoding:"):
            return body.split(":", 1)[1].strip() or None
        if "-*-" in body and "coding:" in body:
            value = body.split("coding:", 1)[1].split("-*-", 1)[0].strip().rstrip(";").strip()
            for suffix in _EMACS_SUFFIXES:
                value = value.removesuffix(suffix)
            return value or None
    return None


def _codec_name(declared: str | None) -> str | None:
    """Python's canonical codec name for a declared encoding (None when unknown)."""
    if not declared:
        return None
    name = declared.strip().lower().replace("_", "-")
    name = {"latin-9": "iso8859-15", "latin9": "iso8859-15"}.get(name, name)
    for candidate in (name, name.replace("-", "")):
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return None


def _guess_legacy(data: bytes) -> str:
    """GBK when the non-ASCII bytes come in GB2312-range pairs, else Windows-1252 or Latin-1."""
    high = sum(1 for b in data if b >= 0x80)
    paired = 0
    i, n = 0, len(data)
    while i < n:
        if data[i] >= 0x81 and i + 1 < n and data[i + 1] >= 0xA1 and data[i] >= 0xA1:
            paired += 2
            i += 2
        else:
            i += 1
    if high and paired >= 0.8 * high and _decodes(data, "gbk"):
        return "gbk"
    return "cp1252" if _decodes(data, "cp1252") else "latin-1"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_control(sample: bytes) -> bool:
    """Binary data: more than 5% control bytes other than tab, newlines and form feed."""
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > len(sample) * 0.05
