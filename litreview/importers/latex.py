"""LaTeX text to Unicode (for what people read) and Unicode to BibTeX-safe LaTeX (for export).

Only the LaTeX that shows up in bibliography fields: accents (``\\'e``, ``{\\"u}``, ``\\v{s}``),
special letters (``\\ss``, ``\\o``, ``\\aa``), escaped specials (``\\&``), dashes and quotes,
font commands whose argument is kept (``\\emph{...}``), protective braces, and simple math
(Greek letters, common symbols, digit sub- and superscripts). Anything unknown is kept as
written rather than guessed. :func:`needs_latex_decoding` is the fast path: most fields have
none of these characters and are used as they are.
"""

from __future__ import annotations

import re
import unicodedata

# Characters (or pairs) that make a field more than plain text. One character class scans
# fast; an alternation with the pairs would be ~30x slower on long abstracts.
_SPECIAL = re.compile(r"[\\{}$~&%#_^]")
_TOKEN = re.compile(r"[\\{}$~]|---?|``|''")

_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "d": "\u0323",
    "b": "\u0331",
    "r": "\u030a",
    "k": "\u0328",
    "t": "\u0361",
}
_SYMBOLS = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "textquotesingle": "'", "textquotedbl": '"',
    "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»",
    "S": "§", "P": "¶", "copyright": "©", "textcopyright": "©", "textregistered": "®",
    "texttrademark": "™", "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€",
    "textdegree": "°", "textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\",
    "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "textbullet": "•", "textperiodcentered": "·", "dag": "†", "ddag": "‡", "textdagger": "†",
    "textexclamdown": "¡", "textquestiondown": "¿", "LaTeX": "LaTeX", "TeX": "TeX",
    "BibTeX": "BibTeX", "LaTeXe": "LaTeX2e", "slash": "/", "textmu": "µ", "textpm": "±",
    "texttimes": "×", "textonehalf": "½", "textperthousand": "‰", "quad": " ", "qquad": " ",
    "ensp": " ", "enspace": " ", "thinspace": " ", "space": " ", "newline": " ", "par": " ",
    "relax": "", "noindent": "", "protect": "", "nobreak": "", "allowbreak": "",
    "hyphen": "-", "textsuperscript": "", "textsubscript": "",
}  # fmt: skip
# The TeX community's logos and shorthands as texnames.sty and TUGboat's tugboat.def print them
# (bibliographies of TeX literature use them, the macros defined in a file they \\input).
TEX_LOGOS = {
    "MF": "METAFONT", "METAFONT": "METAFONT", "slMF": "METAFONT", "MP": "METAPOST",
    "METAPOST": "METAPOST", "TUB": "TUGboat", "TUG": "TUG", "PS": "PostScript",
    "POSTSCRIPT": "PostScript", "AMS": "AMS", "AmS": "AMS", "AMSTeX": "AMS-TeX",
    "AmSTeX": "AMS-TeX", "AMSLaTeX": "AMS-LaTeX", "AmSLaTeX": "AMS-LaTeX", "LAMSTeX": "LAMS-TeX",
    "SliTeX": "SliTeX", "PiCTeX": "PiCTeX", "PCTeX": "PCTeX", "ConTeXt": "ConTeXt",
    "AllTeX": "(La)TeX", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "eTeX": "e-TeX",
    "TeXLive": "TeX Live", "CTAN": "CTAN", "NTS": "NTS", "XML": "XML", "SGML": "SGML",
    "HTML": "HTML", "PDF": "PDF", "WEB": "WEB", "VAX": "VAX", "MakeIndex": "MakeIndex",
    "TeXtures": "Textures", "Xy": "Xy", "XyMTeX": "XyMTeX", "OMEGA": "Omega",
    "slBibTeX": "BibTeX", "JTeX": "JTeX", "bs": "\\", "emdash": "\u2014", "endash": "\u2013",
    "Dash": "\u2009\u2014\u2009",  # tugboat.def: a thin space on either side
}  # fmt: skip
_SYMBOLS |= TEX_LOGOS
_MATH_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "times": "×", "pm": "±", "mp": "∓", "cdot": "·",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "infty": "∞", "partial": "∂",
    "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "leftrightarrow": "↔", "mapsto": "↦",
    "langle": "⟨", "rangle": "⟩", "ell": "ℓ", "hbar": "ℏ", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "emptyset": "∅", "forall": "∀",
    "exists": "∃", "neg": "¬", "wedge": "∧", "vee": "∨", "oplus": "⊕", "otimes": "⊗",
    "circ": "∘", "star": "⋆", "ast": "∗", "prime": "′", "degree": "°", "cdots": "⋯",
    "ldots": "…", "dots": "…", "sqrt": "√", "ll": "≪", "gg": "≫", "perp": "⊥",
    "parallel": "∥", "uparrow": "↑", "downarrow": "↓", "lbrace": "{", "rbrace": "}",
    "{": "{", "}": "}", "|": "‖", ",": " ", ";": " ", ":": " ", "!": "", " ": " ",
}  # fmt: skip
# Commands whose (first) argument is the text to keep.
_KEEP_ARGUMENT = {
    "emph", "textit", "textbf", "textsc", "texttt", "textrm", "textsf", "textup", "textsl",
    "textmd", "textnormal", "text", "mbox", "hbox", "fbox", "NoCaseChange", "nocase",
    "MakeUppercase", "MakeLowercase", "uppercase", "lowercase", "ensuremath", "mathrm",
    "mathit", "mathbf", "mathsf", "mathtt", "mathcal", "mathbb", "mathfrak", "boldsymbol",
    "operatorname", "bm", "underline", "textenglish", "foreignlanguage", "enquote", "ce",
    "mkbibquote", "mkbibemph", "textcolor", "uline",
}  # fmt: skip
# Font switches without an argument: dropped.
_DROP = {
    "it", "bf", "em", "sc", "rm", "tt", "sf", "sl", "itshape", "bfseries", "scshape",
    "normalfont", "upshape", "mdseries", "rmfamily", "sffamily", "ttfamily", "small",
    "large", "Large", "footnotesize", "scriptsize", "tiny", "normalsize", "huge", "Huge",
    "displaystyle", "textstyle", "scriptstyle", "left", "right", "big", "Big", "bigl",
    "bigr", "Bigl", "Bigr",
}  # fmt: skip
_VERBATIM_ARGUMENT = {"url", "path", "doi", "nolinkurl"}
# Commands that print nothing of their argument (an invisible box of its size).
_INVISIBLE = {"phantom", "vphantom", "hphantom"}
_SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUP_CHARS = set("0123456789+-=()ni")
_SUB_CHARS = set("0123456789+-=()")
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_DASHES = {"--": "-{}-", "``": "`{}`", "''": "'{}'"}


def needs_latex_decoding(text: str) -> bool:
    """Whether ``text`` has anything :func:`latex_to_unicode` would change (besides spacing)."""
    return _SPECIAL.search(text) is not None or "--" in text or "``" in text or "''" in text


# Deeper brace nesting than this is not decoded (the decoder recurses per group): such a value
# is kept as written, and the importer warns (see :func:`too_deep`).
MAX_NESTING = 100


def too_deep(text: str) -> bool:
    """Whether ``text`` nests braces deeper than :data:`MAX_NESTING` levels."""
    if text.count("{") <= MAX_NESTING:
        return False
    depth = 0
    for c in text:
        if c == "{":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif c == "}":
            depth = max(depth - 1, 0)
    return False


def is_symbol_command(name: str) -> bool:
    """Whether ``\\name`` is a symbol that takes no argument (``\\textendash``, ``\\ss``)."""
    return name in _SYMBOLS and name not in _ACCENTS


# A sub- or superscript that Unicode has no characters for (``Cu$_\\mathrm{CUS}$``) is written
# ``_CUS`` as text; with ``marked_scripts`` it is between these marks (for CSL's markup).
SUB_MARK, SUP_MARK, END_MARK = "\x0e", "\x0f", "\x10"
_UNMARK = str.maketrans({SUB_MARK: "_", SUP_MARK: "^", END_MARK: ""})


def unmarked(text: str) -> str:
    """Text decoded with ``marked_scripts``, as it decodes without."""
    return text.translate(_UNMARK) if END_MARK in text else text


def latex_to_unicode(text: str, *, marked_scripts: bool = False) -> str:
    """Readable Unicode for a LaTeX field value, spacing collapsed (too deep: kept as written)."""
    if not needs_latex_decoding(text) or too_deep(text):
        return " ".join(text.split())
    decoder = _Decoder(text)
    decoded = decoder.run()
    if decoder.accented:
        decoded = unicodedata.normalize("NFC", decoded)
    if not marked_scripts:
        decoded = unmarked(decoded)
    return " ".join(decoded.split())


def unicode_to_latex(text: str) -> str:
    """BibTeX field text that :func:`latex_to_unicode` turns back into ``text``."""
    if not needs_latex_decoding(text):
        return text
    escaped = text.translate(_ESCAPE_TABLE)
    for pair, safe in _DASHES.items():
        while pair in escaped:
            escaped = escaped.replace(pair, safe)
    return escaped


class _Decoder:
    """A single left-to-right pass over one field's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out: list[str] = []
        self.spaced = False  # whether whitespace ended the last command name
        self.accented = False  # whether a combining accent was written (NFC needed)

    def run(self) -> str:
        text = self.text
        n = len(text)
        while self.pos < n:
            match = _TOKEN.search(text, self.pos)
            if match is None:
                self.out.append(text[self.pos :])
                break
            self.out.append(text[self.pos : match.start()])
            token = match.group()
            self.pos = match.end()
            if token == "\\":
                self.out.append(self._command(math=False))
            elif token == "$":
                self.out.append(self._math())
            elif token == "~":
                self.out.append(" ")
            elif token in "{}":
                continue
            else:
                self.out.append({"--": "–", "---": "—", "``": "“", "''": "”"}.get(token, token))
        return "".join(self.out)

    def _name(self) -> str:
        """The command name after a backslash (letters, or one other character)."""
        text, start = self.text, self.pos
        end = start
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        if end == start:
            end = min(start + 1, len(text))
            self.pos = end
            return text[start:end]
        self.pos = end
        while self.pos < len(text) and text[self.pos] in " \t\n":
            self.pos += 1
        self.spaced = self.pos > end
        return text[start:end]

    def _group(self) -> str | None:
        """The raw text of a ``{...}`` group at the cursor (None when there is none)."""
        text = self.text
        if self.pos >= len(text) or text[self.pos] != "{":
            return None
        start = self.pos
        depth, i = 0, start
        while i < len(text):
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    self.pos = i + 1
                    return text[start + 1 : i]
            i += 1
        # An unclosed group runs to the end of the text.
        self.pos = len(text)
        return text[start + 1 :]

    def _argument(self, math: bool) -> str:
        """One argument: a group, a command, or a single character, decoded."""
        group = self._group()
        if group is not None:
            return _decode_inner(group, math)
        if self.pos < len(self.text) and self.text[self.pos] == "\\":
            self.pos += 1
            return self._command(math)
        if self.pos < len(self.text):
            self.pos += 1
            return self.text[self.pos - 1]
        return ""

    def _command(self, math: bool) -> str:
        name = self._name()
        if name in _ACCENTS and (len(name) > 1 or not name.isalpha() or self._at_argument()):
            base = self._argument(math)
            if not base:
                return ""
            self.accented = True
            letter = {"ı": "i", "ȷ": "j"}.get(base[0], base[0])
            return letter + _ACCENTS[name] + base[1:]
        if math and name in _MATH_SYMBOLS:
            return _MATH_SYMBOLS[name]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in "&%$#_{}\\ ,;!/-@":
            return {"\\": " ", ",": " ", ";": " ", "-": "", "/": "", "!": "", "@": ""}.get(
                name, name
            )
        if not math and name in _MATH_SYMBOLS and len(name) > 1:
            return _MATH_SYMBOLS[name]
        if name in _KEEP_ARGUMENT:
            return self._argument(math) if self._at_group() else ""
        if name in _VERBATIM_ARGUMENT and self._at_group():
            return self._group() or ""
        if name == "href" and self._at_group():
            self._group()
            return self._argument(math) if self._at_group() else ""
        if name in _DROP:
            return ""
        if name in _INVISIBLE:
            self._argument(math)
            return ""
        if self._at_group():
            return self._argument(math)  # an unknown command: keep what it applies to
        return "\\" + name + (" " if self.spaced else "")

    def _at_group(self) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] == "{"

    def _at_argument(self) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] not in "}$"

    def _math(self) -> str:
        """Decode ``$...$`` (the opening ``$`` already consumed)."""
        text = self.text
        end = self.pos
        while end < len(text) and text[end] != "$":
            end += 2 if text[end] == "\\" else 1
        inner = text[self.pos : end]
        self.pos = end + 1
        return _decode_inner(inner, math=True)


def _decode_inner(text: str, math: bool) -> str:
    decoder = _MathDecoder(text) if math else _Decoder(text)
    decoded = decoder.run()
    return unicodedata.normalize("NFC", decoded) if decoder.accented else decoded


class _MathDecoder(_Decoder):
    """Math mode: symbols, and ``^``/``_`` with digits turned into super- and subscripts."""

    def run(self) -> str:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            self.pos += 1
            if c == "\\":
                self.out.append(self._command(math=True))
            elif c in "^_":
                arg = self._argument(math=True)
                chars, table = (
                    (_SUP_CHARS, _SUPERSCRIPTS) if c == "^" else (_SUB_CHARS, _SUBSCRIPTS)
                )
                if arg and set(arg) <= chars:
                    self.out.append(arg.translate(table))
                elif arg.strip():
                    self.out.append((SUP_MARK if c == "^" else SUB_MARK) + arg + END_MARK)
                else:
                    self.out.append(c + arg)
            elif c in "{}":
                continue
            else:
                self.out.append(c)
        return "".join(self.out)


# Annotations are Markdown: only accent macros and escaped specials are decoded (a code fence,
# ``--`` or ``<!--`` must stay as written).
_ACCENT_KEYS = "".join(re.escape(k) for k in _ACCENTS)
_BRACED_ACCENT = re.compile(r"\{\\([" + _ACCENT_KEYS + r"])\s*(?:\{(\w)\}|(\w))\}")
_BARE_ACCENT = re.compile(r"\\(['`^\"~=.])\s*(?:\{(\w)\}|(\w))|\\([uvHcdbrkt])(?:\{(\w)\}|\s+(\w))")
_ESCAPED_SPECIAL = re.compile(r"\\([&%$#_])")
_ANNOTATION_SPECIALS = re.compile(r"(?<!\\)([&%$#_])")


def _accented(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    accent, letter = groups[0], groups[1]
    return unicodedata.normalize("NFC", letter + _ACCENTS[accent])


def decode_annotation(text: str) -> str:
    """A Markdown annotation from BibTeX: accent macros and ``\\&``-style escapes decoded only."""
    if "\\" not in text:
        return text
    text = _BRACED_ACCENT.sub(_accented, text)
    text = _BARE_ACCENT.sub(_accented, text)
    return _ESCAPED_SPECIAL.sub(r"\1", text)


def encode_annotation(markdown: str) -> str:
    """BibTeX text of a Markdown annotation that :func:`decode_annotation` gives back."""
    return _ANNOTATION_SPECIALS.sub(r"\\\1", markdown)
