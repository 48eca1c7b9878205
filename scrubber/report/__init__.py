"""One small writer per format; each takes a Result and a text stream."""

from . import csv_report, json_report, text_report

WRITERS = {"json": json_report.write, "csv": csv_report.write, "text": text_report.write}
FORMATS = tuple(WRITERS)
