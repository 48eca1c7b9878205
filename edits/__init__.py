"""The edit checks, one module per family.  ``FAMILIES`` is the registry the engine reads."""

from . import admin_hierarchy, balancing, code_set, dx_linkage, engine, start_stop, structure, time_units

FAMILIES = [
    engine.FAMILY,
    structure.FAMILY,
    balancing.FAMILY,
    code_set.FAMILY,
    dx_linkage.FAMILY,
    start_stop.FAMILY,
    time_units.FAMILY,
    admin_hierarchy.FAMILY,
]
