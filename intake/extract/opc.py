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

    Excel resolves part names case-insensitively, reads backslashes as slashes and
    opens a package without `[Content_Types].xml`; openpyxl does none of that. Built
    from parts the bounded reader has already inflated, so no limit is bypassed.
    """
    import io
    import zipfile

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
