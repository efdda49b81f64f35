"""The document layer: what a rendered document is made of, and nothing about where from.

A :class:`ConsentDocument` is a list of sections of blocks (headings, paragraphs,
tables, the cooling-off box, signatures) in one language, with every run of text
tagged with the request field it came from. ``_document`` and ``_contract_document``
assemble them from a request and a template; ``_render`` lays them out and knows
nothing else (``tests/test_architecture.py`` holds that boundary).
"""

from __future__ import annotations

from typing import TypeAlias

from attrs import frozen

from ._common import Lang

__all__ = [
    "Block",
    "Bullets",
    "ConsentDocument",
    "CoolingOffBox",
    "Heading",
    "Inline",
    "KeyValues",
    "Para",
    "Run",
    "Section",
    "SignatureBlock",
    "SignatureParty",
    "TableBlock",
    "TemplateRef",
]


@frozen
class TemplateRef:
    """Which consent template, which version, and its content hash."""

    id: str
    version: str
    sha256: str


@frozen(repr=False)
class Run:
    """A piece of text; ``field`` names the request field it came from (None: template)."""

    text: str
    field: str | None = None
    bold: bool = False

    def __repr__(self) -> str:  # the text may be a name: show where it came from only
        return f"Run(field={self.field!r}, {len(self.text)} chars)"


Inline: TypeAlias = tuple[Run, ...]


@frozen
class Heading:
    """A section or sub-section heading."""

    text: str
    level: int = 1


@frozen
class Para:
    """A paragraph."""

    runs: Inline


@frozen
class Bullets:
    """A bulleted list."""

    items: tuple[Inline, ...]


@frozen
class KeyValues:
    """Label/value rows (two columns)."""

    rows: tuple[tuple[str, Inline], ...]


@frozen
class TableBlock:
    """A table with a header row; ``widths`` are fractions of the text width."""

    header: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]
    widths: tuple[float, ...]
    caption: str | None = None
    """A line above the table, kept on the same page as it."""


@frozen
class CoolingOffBox:
    """The cooling-off notice: red letters inside a red frame (特定商取引法)."""

    paras: tuple[Inline, ...]


@frozen
class SignatureParty:
    """One signature line: who signs, the printed name, and a date line."""

    role: str
    label: str
    name: Inline
    statement: str
    date_label: str
    date_hint: str


@frozen
class SignatureBlock:
    """Signature and date lines (patient, guardian for a minor, physician)."""

    parties: tuple[SignatureParty, ...]


Block: TypeAlias = (
    Heading | Para | Bullets | KeyValues | TableBlock | CoolingOffBox | SignatureBlock
)


@frozen
class Section:
    """A numbered part of the document (one per domain contract §5 item)."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@frozen
class ConsentDocument:
    """The content of a consent (or summary) document in one language."""

    lang: Lang
    title: str
    sections: tuple[Section, ...]
    header_lines: tuple[tuple[str, Inline], ...]
