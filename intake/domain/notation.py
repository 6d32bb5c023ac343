"""Formulas and cell addresses as a Dutch controller reads them.

Dutch Excel and LibreOffice write `=SOM(F7:F14)` and `=ALS(C7=0;0;C5/C7)`:
Dutch function names, `;` between arguments and a decimal comma. A message that
quotes `SUM(F7:F14)` asks the provider to translate first; these helpers do it.
"""

from __future__ import annotations

import re

FUNCTIONS = {
    "SUM": "SOM",
    "IF": "ALS",
    "MIN": "MIN",
    "MAX": "MAX",
    "ROUND": "AFRONDEN",
    "AND": "EN",
    "OR": "OF",
    "NOT": "NIET",
    "ABS": "ABS",
    "IFERROR": "ALS.FOUT",
}
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_FUNCTION = re.compile(r"\b(?:_xlfn\.)?([A-Za-z][A-Za-z0-9.]*)\s*\(")
_DECIMAL = re.compile(r"(?<![A-Za-z$])(\d+)\.(\d+)")
_ADDRESS = re.compile(
    r"(?<![=;+\-*/&<>])(?<![A-Za-z]\()'((?:[^']|'')+)'!\$?([A-Z]{1,3})\$?(\d+)(?![:\d])"
)


def dutch_formula(text: str) -> str:
    """`SUM(F7:F14)` -> `SOM(F7:F14)`; `IF(C7=0,0.5,C5/C7)` -> `ALS(C7=0;0,5;C5/C7)`.

    Sheet names in quotes and string literals are left exactly as written.
    """
    parts = _QUOTED.split(text)
    for index in range(0, len(parts), 2):  # the odd parts are the quoted ones
        part = _FUNCTION.sub(_function, parts[index]).replace(",", ";")
        parts[index] = _DECIMAL.sub(r"\1,\2", part)
    return "".join(parts)


def _function(match: re.Match[str]) -> str:
    return FUNCTIONS.get(match.group(1).upper(), match.group(1).upper()) + "("


def place(sheet: str, cell: str, template: str = "cel {cell} op tabblad '{sheet}'") -> str:
    return template.format(sheet=sheet, cell=cell)


def addresses_in_words(message: str, template: str = "cel {cell} op tabblad '{sheet}'") -> str:
    """`'2. Personeel'!F15` in running text -> `cel F15 op tabblad '2. Personeel'`.

    Addresses inside a quoted formula (after `=`, `;`, an operator or a function's
    opening bracket) and ranges stay as they are: that is how the formula reads.
    """

    def words(match: re.Match[str]) -> str:
        sheet = match.group(1).replace("''", "'")
        return template.format(sheet=sheet, cell=f"{match.group(2)}{match.group(3)}")

    text = _ADDRESS.sub(words, message)
    return re.sub(r"\b([Cc])el cel ", r"\1el ", text)
