"""Building blocks of the HTML report: lxml elements from values (escaped, control characters and
undecodable bytes replaced), and the pieces the findings table and the claim sections share."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TextIO

from lxml import etree

from ..registry import catalog

_Element = etree.Element
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")  # and what lxml refuses


def text(value) -> str:
    """A value as text lxml accepts: control characters and undecodable bytes become U+FFFD."""
    s = "" if value is None else str(value)
    return _BAD.sub("\ufffd", s) if not s.isprintable() else s


def _text(value) -> str:
    """``text``, and U+FFFE and U+FFFF (not XML characters: lxml raises) become U+FFFD too.
    (``text`` leaves them: the XLSX writer writes them as _xFFFE_.)"""
    s = "" if value is None else str(value)
    return _NOT_XML.sub("\ufffd", s) if not s.isprintable() else s


def el(tag: str, attrs: dict | None = None, *children) -> etree._Element:
    """An element with attributes (None values left out) and children: elements, or values that
    become text.  Kept lean: the findings table calls it a dozen times a row."""
    if attrs:
        node = _Element(
            tag,
            {
                k: v if type(v) is str and v.isprintable() else _text(v)
                for k, v in attrs.items()
                if v is not None
            },
        )
    else:
        node = _Element(tag)
    if len(children) == 1 and type(children[0]) is str:  # the common case: one text
        value = children[0]
        node.text = value if value.isprintable() else _text(value)
        return node
    last, pending = None, []
    for child in children:
        if child is None:
            continue
        if isinstance(child, etree._Element):
            if pending:
                _place(node, last, "".join(pending))
                pending = []
            node.append(child)
            last = child
        else:
            pending.append(_text(child))
    if pending:
        _place(node, last, "".join(pending))
    return node


def _place(node, last, value: str) -> None:
    if last is None:
        node.text = value
    else:
        last.tail = value


def html(node) -> str:
    return etree.tostring(node, method="html", encoding="unicode")


# -- the same markup as text, for the findings table's many rows --------------------------------------
# What lxml's HTML serializer (libxml2) writes for a text or an attribute value, after ``_text``:
# ``&``, ``<``, ``>`` as entities and CR as ``&#13;``; an attribute is double-quoted with ``"`` as
# ``&quot;``, except one holding ``"`` but no ``'``, which is single-quoted with ``"`` as it is.
# tests/test_report_html.py compares both with lxml's output on every code point and hostile values.
# URI attributes (href) are escaped otherwise: the text rows only write ones of plain characters.


def esc(value) -> str:
    """``value`` as lxml writes it as an element's text."""
    s = "" if value is None else value if type(value) is str else str(value)
    if not s.isprintable():
        s = _NOT_XML.sub("\ufffd", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def attr(value) -> str:
    """``value`` as lxml writes it as an attribute's value, quotes included."""
    s = esc(value)
    if '"' not in s:
        return f'"{s}"'
    return f"'{s}'" if "'" not in s else '"' + s.replace('"', "&quot;") + '"'


class Counting:
    """The output stream, counting characters written (the footer states the file size)."""

    def __init__(self, out: TextIO):
        self.out, self.size = out, 0

    def write(self, s: str) -> None:
        self.size += len(s.encode("utf-8", "replace")) if not s.isascii() else len(s)
        self.out.write(s)


def badge(label: str):
    return el("span", {"class": f"sev sev-{label}"}, label)


def table(head: tuple, rows, num: tuple = ()) -> etree._Element:
    thead = el(
        "thead", None, el("tr", None, *(el("th", {"class": "num"} if h in num else None, h) for h in head))
    )
    body = el("tbody")
    for row in rows:
        body.append(
            el(
                "tr",
                None,
                *(
                    el("td", {"class": "num"} if h in num else None, v)
                    for h, v in zip(head, row, strict=True)
                ),
            )
        )
    return el("table", None, thead, body)


def fix_note(fix):
    if fix is None:
        return None
    return el("span", {"class": f"fix {fix.safety}"}, f"fix ({fix.safety}): {fix.title}")


def finding_block(f) -> list:
    where = f"line {f.line}" if f.line is not None else "claim"
    loc = f" {f.loc.path}" if f.loc and f.loc.path else ""
    parts = [
        badge(f.severity.label),
        " ",
        el("a", {"href": f"#explain-{f.edit}"}, f.edit),
        f" {f.name} ",
        el("span", {"class": "why"}, f"({f.category}, {where}{loc})"),
        el("br"),
        f.message,
    ]
    seen = "; ".join(
        p for p in (f.value and f"found {f.value}", f.expected and f"expected {f.expected}") if p
    )
    if seen:
        parts += [el("br"), el("span", {"class": "why"}, seen)]
    why = why_it_matters(f.edit)
    if why:
        parts += [
            el("br"),
            el("span", {"class": "why"}, f"Why it matters: {why} "),
            el("a", {"href": f"#explain-{f.edit}"}, "more"),
        ]
    if f.fix:
        parts += [el("br"), fix_note(f.fix)]
    return parts


@lru_cache(maxsize=512)
def why_it_matters(edit_id: str) -> str:
    """The first sentence of the edit's "Why it matters"."""
    edit = next((e for e in catalog() if e.id == edit_id), None)
    why = edit.doc_section("Why it matters") if edit else ""
    return why.split(". ")[0].rstrip(".") + "." if why else ""


# -- the same as text (html_claims.claim_section) ------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_-]*\Z")


def plain_href(edit) -> bool:
    """True for an edit id lxml writes in an href (``#explain-...``) as it is."""
    return _PLAIN.match(str(edit)) is not None


def badge_text(label: str) -> str:
    return f"<span class={attr(f'sev sev-{label}')}>{esc(label)}</span>"


def fix_text(fix) -> str:
    if fix is None:
        return ""
    return f"<span class={attr(f'fix {fix.safety}')}>{esc(f'fix ({fix.safety}): {fix.title}')}</span>"


def finding_text(f) -> str:
    """``finding_block(f)`` as lxml writes it, for an edit id that ``plain_href`` accepts."""
    where = f"line {f.line}" if f.line is not None else "claim"
    loc = f" {f.loc.path}" if f.loc and f.loc.path else ""
    link = f'<a href="#explain-{f.edit}">'
    parts = [
        badge_text(f.severity.label),
        " ",
        link,
        esc(f.edit),
        "</a>",
        esc(f" {f.name} "),
        f'<span class="why">{esc(f"({f.category}, {where}{loc})")}</span><br>',
        esc(f.message),
    ]
    seen = "; ".join(
        p for p in (f.value and f"found {f.value}", f.expected and f"expected {f.expected}") if p
    )
    if seen:
        parts.append(f'<br><span class="why">{esc(seen)}</span>')
    why = why_it_matters(f.edit)
    if why:
        parts.append(f'<br><span class="why">{esc(f"Why it matters: {why} ")}</span>{link}more</a>')
    if f.fix:
        parts.append("<br>" + fix_text(f.fix))
    return "".join(parts)
