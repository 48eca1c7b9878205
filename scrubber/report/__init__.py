"""One small writer per format; each takes a Result and a text stream.

Writers are imported on first use: the text writer pulls in rich and the CSV writer pandas,
which a JSON run does not need to pay for at start-up.
"""

from importlib import import_module

FORMATS = ("text", "json", "csv")


def writer(fmt: str):
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    return import_module(f"{__name__}.{fmt}_report").write
