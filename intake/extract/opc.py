"""Open Packaging Conventions: where the parts of an Office file really are.

Excel finds the workbook through `_rels/.rels` and the sheets through the workbook's
own relationships, not through fixed paths; files written by other tools put parts
outside `xl/` or spell them with backslashes, and Excel opens them. So do we.
"""

from __future__ import annotations

from posixpath import dirname, join, normpath
from typing import Any

from lxml import etree

from intake.extract.container import normalise_name

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
)
OFFICE_DOCUMENT = "/officeDocument"  # the end of the relationship type, Transitional and Strict
STRICT_MARKER = b"purl.oclc.org/ooxml/"
_T = "http://schemas.openxmlformats.org/"
_S = "http://purl.oclc.org/ooxml/"
# Strict Open XML (ISO/IEC 29500 Strict, Excel's "Strict Open XML-spreadsheet") spells the
# namespaces and relationship types of Transitional under purl.oclc.org; the elements
# and what they mean are the same. Longest first, so a relationship type is translated
# before the namespace it starts with.
STRICT_TO_TRANSITIONAL: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            (_S + "officeDocument/relationships/extendedProperties",
             _T + "officeDocument/2006/relationships/extended-properties"),
            (_S + "officeDocument/relationships/customProperties",
             _T + "officeDocument/2006/relationships/custom-properties"),
            (_S + "officeDocument/relationships", _T + "officeDocument/2006/relationships"),
            (_S + "officeDocument/extendedProperties",
             _T + "officeDocument/2006/extended-properties"),
            (_S + "officeDocument/customProperties", _T + "officeDocument/2006/custom-properties"),
            (_S + "officeDocument/docPropsVTypes", _T + "officeDocument/2006/docPropsVTypes"),
            (_S + "officeDocument/sharedTypes", _T + "officeDocument/2006/sharedTypes"),
            (_S + "spreadsheetml/main", _T + "spreadsheetml/2006/main"),
            (_S + "drawingml/main", _T + "drawingml/2006/main"),
            (_S + "drawingml/chart", _T + "drawingml/2006/chart"),
            (_S + "drawingml/spreadsheetDrawing", _T + "drawingml/2006/spreadsheetDrawing"),
        ),
        key=lambda pair: -len(pair[0]),
    )
)  # fmt: skip


def is_strict(parts: dict[str, bytes]) -> bool:
    """True when the package's relationships or main part speak Strict Open XML."""
    main = main_part(parts.get("_rels/.rels"))
    return any(STRICT_MARKER in parts.get(name, b"")[:4096] for name in ("_rels/.rels", main or ""))


def transitional(data: bytes) -> bytes:
    """One XML part of a Strict package with the Transitional namespaces and types."""
    if STRICT_MARKER not in data:
        return data
    for strict, plain in STRICT_TO_TRANSITIONAL:
        data = data.replace(strict.encode(), plain.encode())
    return data


def parse(data: bytes) -> Any:
    return etree.fromstring(data, _PARSER)


def rels_path(source: str) -> str:
    """The relationships part of `source` ('' for the package itself)."""
    folder, name = dirname(source), source.rsplit("/", 1)[-1] if source else ""
    return join(folder, "_rels", f"{name}.rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name, relative to the part that names it."""
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return normalise_name(target)
    return normalise_name(normpath(join(dirname(source), target)))


def relationships(data: bytes | None, source: str) -> list[tuple[str, str, str]]:
    """(id, type, part name) of each internal relationship in a `.rels` part."""
    if not data:
        return []
    found = []
    for rel in parse(data).iter("{*}Relationship"):
        if rel.get("TargetMode", "Internal") == "External":
            continue
        found.append(
            (rel.get("Id", ""), rel.get("Type", ""), resolve(source, rel.get("Target", "")))
        )
    return found


def main_part(package_rels: bytes | None) -> str | None:
    """The package's main part (workbook or document), as `_rels/.rels` names it."""
    try:
        rels = relationships(package_rels, "")
    except etree.XMLSyntaxError:
        return None
    return next((part for _, kind, part in rels if kind.endswith(OFFICE_DOCUMENT)), None)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
_OVERRIDE = (
    '<Override PartName="/{name}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"/>'
)


def _referenced_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Part names as the relationships spell them, by case-folded name: walked from the
    package's own relationships, so each source part has its referenced spelling too."""
    by_fold = {name.casefold(): name for name in parts}
    spelled: dict[str, str] = {}
    queue, seen = [""], set()
    while queue:
        source = queue.pop()
        if source in seen:
            continue
        seen.add(source)
        rels_name = by_fold.get(rels_path(source).casefold())
        if rels_name is None:
            continue
        spelled[rels_name.casefold()] = rels_path(source)
        try:
            found = relationships(parts[rels_name], source)
        except etree.XMLSyntaxError:
            continue
        for _, _, part in found:
            if part.casefold() in by_fold and part.casefold() not in spelled:
                spelled[part.casefold()] = part
                queue.append(part)
    return spelled


def canonical_package(parts: dict[str, bytes]) -> bytes:
    """The parts as a zip spelled the way strict readers (openpyxl) expect.

    Excel resolves part names case-insensitively, reads backslashes as slashes, opens a
    package without `[Content_Types].xml` and reads Strict Open XML; openpyxl does none
    of that. Built
    from parts the bounded reader has already inflated, so no limit is bypassed.
    """
    import io
    import zipfile

    if is_strict(parts):  # openpyxl knows Transitional only: the same parts, other spelling
        parts = {
            name: transitional(data) if name.lower().endswith((".xml", ".rels")) else data
            for name, data in parts.items()
        }
    spelled = _referenced_names(parts)
    spelled["[content_types].xml"] = "[Content_Types].xml"
    renamed = {spelled.get(name.casefold(), name): data for name, data in parts.items()}
    if "[Content_Types].xml" not in renamed:
        renamed["[Content_Types].xml"] = _content_types(renamed)
    for name in renamed:
        if name.casefold().endswith("styles.xml"):
            renamed[name] = _repair_styles(renamed[name])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in renamed.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _content_types(parts: dict[str, bytes]) -> bytes:
    """Content types for a package that has none: the main part, sheets, strings, styles."""
    main = main_part(parts.get("_rels/.rels")) or "xl/workbook.xml"
    overrides = []
    for name in parts:
        lowered = name.lower()
        if "worksheets/" in lowered and lowered.endswith(".xml"):
            overrides.append(_OVERRIDE.format(name=name, kind="worksheet"))
        elif lowered.endswith("sharedstrings.xml"):
            overrides.append(_OVERRIDE.format(name=name, kind="sharedStrings"))
        elif lowered.endswith("styles.xml"):
            overrides.append(_OVERRIDE.format(name=name, kind="styles"))
    return _CONTENT_TYPES.format(main=main, sheets="".join(overrides)).encode()


def _repair_styles(data: bytes) -> bytes:
    """Drop named cell styles that point past the style list (Excel ignores them, openpyxl
    fails); they name styles, they hold no values."""
    try:
        root = parse(data)
    except etree.XMLSyntaxError:
        return data
    count = len(root.findall("{*}cellStyleXfs/{*}xf"))
    broken = [
        style
        for style in root.iterfind("{*}cellStyles/{*}cellStyle")
        if not (style.get("xfId") or "0").isdigit() or int(style.get("xfId") or 0) >= count
    ]
    for style in broken:
        style.getparent().remove(style)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") if broken else data
