"""One small writer per format; each takes a Result and a text stream (a binary one for BINARY).

Writers are imported on first use: the text writer pulls in rich and the XLSX writer XlsxWriter,
which a JSON run does not need to pay for at start-up.
"""

from importlib import import_module

FORMATS = ("text", "json", "csv", "html", "xlsx")
BINARY = frozenset({"xlsx"})  # written to a binary stream
CLAIMS = frozenset({"html", "xlsx"})  # need per-claim data from the engine (report/claims.py)
# write each finding as a text of its own (the module's ``text``), which the workers of a split
# file can write for them (Engine.render)
TEXTS = frozenset({"json", "csv"})


def writer(fmt: str):
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    return import_module(f"{__name__}.{fmt}_report").write


def text(fmt: str):
    """The writer's text of one finding (``fmt`` in TEXTS)."""
    return import_module(f"{__name__}.{fmt}_report").text
