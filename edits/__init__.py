"""The edit checks, one module per family.  ``FAMILIES`` is the registry the engine reads."""

from importlib import import_module

# one family module per line (keep sorted): adding a family is adding a line
MODULES = [
    "admin_hierarchy",
    "balancing",
    "code_set",
    "drug_units",
    "dx_linkage",
    "engine",
    "infusion_sequence",
    "modifier",
    "mue_ncci",
    "ndc",
    "payer_policy",
    "per_diem",
    "per_diem_days",
    "prior_auth",
    "start_stop",
    "structure",
    "supervision",
    "time_units",
]

FAMILIES = [import_module(f"{__name__}.{name}").FAMILY for name in MODULES]
