"""The edit checks, one module per family.  ``FAMILIES`` is the registry the engine reads."""

from . import balancing, code_set, dx_linkage, engine, structure

FAMILIES = [
    engine.FAMILY,
    structure.FAMILY,
    balancing.FAMILY,
    code_set.FAMILY,
    dx_linkage.FAMILY,
]
