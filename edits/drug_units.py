"""HCPCS billing units of drug lines against the descriptor, the NDC quantity and the containers
opened (RULES.md D, A.4 ADM-23, E NDC-05, C.2 MOD-05; scenarios T24 and T28).

The dose convention: the NDC quantity (CTP04 with its unit CTP05-1) of an administered line is
the amount administered, and the NDC quantity of a JW line, when it has one, is the amount
discarded. So 350 mg of infliximab from four 100 mg vials is ``J1745 x35`` with ``CTP****3.5*UN``
and ``J1745-JW x5`` with ``CTP****0.5*UN``. ME and GR quantities are the amount itself; ML and
UN quantities are converted with the NDC's strength from the ``ndc_strengths`` table. Drug facts
(the descriptor amount of one billing unit, single-dose or not) come from the ``drugs`` table,
looked up on the line's date of service.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache

from scrubber import tables
from scrubber.findings import Fix, Hits
from scrubber.model import to_decimal
from scrubber.registry import Family

from .ndc import eleven_digits

FAMILY = Family("drug-units", "HCPCS units of drug lines against the descriptor, NDC quantity and vials")

WASTE = "JW"
_TO_MG = {"mg": Decimal(1), "g": Decimal(1000)}


def _base(amount: Decimal | None, unit: str) -> tuple[Decimal, str] | None:
    """An amount in the base unit of its kind: mg for mass, mL for volume, unit for units."""
    if amount is None:
        return None
    if unit in _TO_MG:
        return amount * _TO_MG[unit], "mg"
    if unit in ("mL", "unit"):
        return amount, unit
    return None


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class Descriptor:
    amount: Decimal  # what one HCPCS billing unit stands for, in ``unit``
    unit: str  # mg, mL or unit
    single_dose: str  # yes / no / unknown

    def __hash__(self) -> int:
        """The fields' hash, computed once: the NDC amounts' cache (``_ndc_amount``) hashes the
        descriptor on every drug line, and a Decimal's hash is not cheap."""
        known = self.__dict__.get("_hash")
        if known is None:
            known = hash((self.amount, self.unit, self.single_dose))
            object.__setattr__(self, "_hash", known)
        return known

    @property
    def text(self) -> str:
        return f"{_fmt(self.amount)} {self.unit}"

    def units(self, amount: Decimal, rounding: str) -> int:
        return _units(amount, self.amount, rounding)


@lru_cache(maxsize=4096)
def _units(amount: Decimal, per_unit: Decimal, rounding: str) -> int:
    """Billing units of ``amount`` at ``per_unit`` a unit, rounded (cached: a batch repeats doses)."""
    return int((amount / per_unit).to_integral_value(rounding=rounding))


@dataclass(frozen=True)
class Amount:
    value: Decimal  # in the descriptor's unit
    container: Decimal | None  # drug in one container (vial, syringe, bag) of the NDC, when known
    source: str  # the NDC quantity as written, e.g. "3.5 UN"


def descriptor(line, ctx) -> Descriptor | None:
    """The billing unit of a drug line billed in units (SV103/SV204 UN), from the ``drugs`` table."""
    if line.service is None or line.unit_basis not in ("UN", ""):
        return None
    return _descriptor(line.code, tables.epoch(ctx.claim.line_date(line)))


@lru_cache(maxsize=4096)
def _descriptor(code: str, day) -> Descriptor | None:
    """descriptor by code and ``tables.epoch`` of the date of service."""
    row = tables.get("drugs").lookup(code, on=day)
    if row is None:
        return None
    base = _base(to_decimal(row.values["descriptor_amount"]), row.values["descriptor_unit"])
    if base is None or base[0] <= 0:
        return None
    return Descriptor(base[0], base[1], row.values["single_dose"])


def ndc_amount(line, desc: Descriptor, ctx) -> Amount | None:
    """The amount of drug the line's NDC quantity stands for, in the descriptor's unit; None when
    there is no usable quantity or its unit cannot be converted (no strength for the NDC)."""
    if not line.drugs:
        return None
    drug = line.drugs[0]
    return _ndc_amount(drug.ndc, drug.quantity, drug.unit, desc, tables.epoch(ctx.claim.line_date(line)))


@lru_cache(maxsize=8192)
def _ndc_amount(ndc_text: str, quantity_text: str, qualifier: str, desc: Descriptor, day) -> Amount | None:
    """ndc_amount from the 2410 values alone, ``day`` a ``tables.epoch`` (cached: DU001-DU003 ask for
    the same lines, and a batch repeats the same doses)."""
    quantity = to_decimal(quantity_text)
    if quantity is None or quantity <= 0:
        return None
    ndc = eleven_digits(ndc_text)
    row = tables.get("ndc_strengths").lookup(ndc, on=day) if ndc else None
    per_unit = container = None
    if row is not None:
        strength = _base(to_decimal(row.values["amount"]), row.values["amount_unit"])
        if strength is not None and strength[1] == desc.unit:
            per_unit = (strength[0], row.values["package_unit"])
            size = to_decimal(row.values["package_size"])
            container = strength[0] * size if size else None
    direct = {"ME": (quantity, "mg"), "GR": (quantity * 1000, "mg"), "F2": (quantity, "unit")}
    if qualifier in direct:
        value, unit = direct[qualifier]
    elif qualifier == "ML" and desc.unit == "mL":
        value, unit = quantity, "mL"
    elif per_unit is not None and per_unit[1] == qualifier:
        value, unit = quantity * per_unit[0], desc.unit
    else:
        return None
    if unit != desc.unit:
        return None
    return Amount(value, container, f"{quantity_text} {qualifier}")


def _set_units(line, units: int, title: str) -> Fix:
    return Fix("set", line.service.at(line.units_element), str(units), line.units_text, "unsafe", title)


def _groups(claim, ctx) -> dict:
    """(code, date) -> [(line, descriptor)] for the drug lines of the claim (once per claim)."""
    return ctx.once("drug-units", lambda: _find_groups(claim, ctx))


def _find_groups(claim, ctx) -> dict:
    groups: dict = {}
    for line in claim.lines:
        desc = descriptor(line, ctx)
        if desc is not None:
            groups.setdefault((line.code, ctx.claim.line_date(line)), []).append((line, desc))
    return groups


def _administered(entries, desc, ctx) -> tuple[Decimal, Decimal] | None:
    """(amount administered, drug per container) from the NDC quantities of the administered
    (non-JW) lines; None unless every one has a usable quantity and the container is known."""
    amounts = [ndc_amount(line, desc, ctx) for line, _ in entries if WASTE not in line.modifiers]
    if not amounts or any(a is None for a in amounts):
        return None
    container = next((a.container for a in amounts if a.container), None)
    if container is None:
        return None
    return sum((a.value for a in amounts), Decimal(0)), container


def _waste(jw_line, entries, desc, ctx) -> tuple[Decimal, str] | None:
    """The discarded amount of a JW line: its own NDC quantity, else what is left of the fewest
    whole containers that hold the administered amount."""
    own = ndc_amount(jw_line, desc, ctx)
    if own is not None:
        return own.value, f"NDC quantity {own.source}"
    given = _administered(entries, desc, ctx)
    if given is None:
        return None
    dose, container = given
    vials = int((dose / container).to_integral_value(rounding=ROUND_CEILING))
    unit = desc.unit
    how = f"{vials} x {_fmt(container)} {unit} opened for {_fmt(dose)} {unit} given"
    return vials * container - dose, how


@FAMILY.edit(
    "DU001",
    name="drug-units-disagree-with-ndc",
    category="drug-units",
    severity="error",
    scope="line",
    applies_to="drug",
    fix="unsafe",
    message="{code} billed {value} unit(s) but its NDC quantity {quantity} is {amount}: at {descriptor} "
    "a unit that is {expected} unit(s)",
    references=("RULES.md A.4 ADM-23", "RULES.md E NDC-05", "RULES.md D", "RULES.md M T24"),
    examples={"fail": "SV1*HC:J2185*90*UN*3***1~ LIN**N4*72485041201~ CTP****3*UN~ (3 g = 30 units)"},
)
def drug_units_disagree_with_ndc(line, ctx):
    """
    What it checks:
        The HCPCS units of a drug line (other than a JW line) equal the amount its NDC quantity
        stands for divided by the HCPCS descriptor amount, rounded up to a whole unit: meropenem
        (J2185, 100 mg a unit) given as three 1 g vials (CTP 3 UN) is 30 units, not 3. The amount
        comes from CTP04 in ME or GR directly, in ML or UN through the NDC's strength; lines
        whose NDC strength is unknown are not checked. The fix sets the units to the computed
        number. It is unsafe: the NDC quantity and the HCPCS units are two statements of one
        dose and the edit cannot tell which is wrong, and the units set the payment, so check
        the administration record first.
    Why it matters:
        Units are multiples of the descriptor, not vials or grams (CMS Transmittal 1487). Billing
        3 units for 3 g is paid as 300 mg; billing the vial count for a 1 mg code underbills a
        hundredfold, and overbilling is recovered in audits.
    """
    hits = Hits()
    if WASTE in line.modifiers:
        return hits  # DU002 checks JW lines
    desc = descriptor(line, ctx)
    billed = line.units
    if desc is None or billed is None:
        return hits
    amount = ndc_amount(line, desc, ctx)
    if amount is None:
        return hits
    expected = desc.units(amount.value, ROUND_CEILING)
    if billed != expected:
        title = f"Set {line.code} units to {expected} ({_fmt(amount.value)} {desc.unit} / {desc.text})"
        hits.add(
            line.service.at(line.units_element),
            line.units_text,
            expected,
            fix=_set_units(line, expected, title),
            code=line.code,
            quantity=amount.source,
            amount=f"{_fmt(amount.value)} {desc.unit}",
            descriptor=desc.text,
        )
    return hits


@FAMILY.edit(
    "DU002",
    name="wastage-units-rounding",
    category="drug-units",
    severity="error",
    scope="claim",
    applies_to="drug",
    fix="unsafe",
    message="{code}-JW billed {value} unit(s) for {waste} discarded ({how}): {detail}",
    references=("RULES.md C.2 MOD-05", "RULES.md M T28", "Noridian JW / JZ (S32, S34)"),
    examples={"fail": "J1745 x34 (3.45 UN = 345 mg) + J1745-JW x6 (0.55 UN = 55 mg): waste is 5 units"},
)
def wastage_units_rounding(claim, ctx):
    """
    What it checks:
        The units of a JW (discarded amount) line are the discarded amount divided by the HCPCS
        descriptor amount, rounded down, and at least one: 55 mg of infliximab (10 mg a unit) is
        5 units. The discarded amount is the JW line's own NDC quantity; without one it is what
        is left of the fewest whole containers (from the NDC package size) that hold the amount
        given on the administered lines of the same drug and date. Drugs the drugs table marks
        as not single-dose are skipped. When the waste is under one unit, the JW line should not
        be billed (the administered line takes JZ) and there is no fix; otherwise the fix sets
        the units, unsafe for the same reason as DU001.
    Why it matters:
        CMS pays waste from single-dose containers only in whole units rounded down, with the
        administered amount rounded up (RULES.md T28: 345 mg from four 100 mg vials is billed
        35 + JW 5, never 34 + JW 6). Wrong rounding overbills the waste and is a frequent JW
        audit finding.
    """
    hits = Hits()
    for (code, _), entries in _groups(claim, ctx).items():
        desc = entries[0][1]
        if desc.single_dose == "no":
            continue
        for line, _ in entries:
            if WASTE not in line.modifiers or line.units is None:
                continue
            found = _waste(line, entries, desc, ctx)
            if found is None:
                continue
            waste, how = found
            expected = desc.units(waste, ROUND_FLOOR)
            if line.units == expected:
                continue
            fix = None
            if expected == 0:
                detail = f"less than one {desc.text} unit is not billed with JW; "
                detail += "report JZ on the administered line"
            else:
                detail = f"waste is rounded down to whole {desc.text} units: bill {expected}"
                fix = _set_units(line, expected, f"Set {code}-JW units to {expected}")
            hits.add(
                line.service.at(line.units_element),
                line.units_text,
                expected,
                fix=fix,
                line=line.number,
                code=code,
                waste=f"{_fmt(waste)} {desc.unit}",
                how=how,
                detail=detail,
            )
    return hits


@FAMILY.edit(
    "DU003",
    name="drug-units-exceed-containers",
    category="drug-units",
    severity="error",
    scope="claim",
    applies_to="drug",
    message="{code} billed {value} units administered + JW, but {vials} container(s) of {container} "
    "hold {expected} units",
    references=("RULES.md C.2 MOD-05", "RULES.md M T28"),
    examples={"fail": "J1745 x35 (3.5 UN) + J1745-JW x15 (0.5 UN): four 100 mg vials hold 40 units"},
)
def drug_units_exceed_containers(claim, ctx):
    """
    What it checks:
        For a drug with a JW line, the administered units plus the JW units are no more than the
        containers opened hold, in billing units. The containers are counted from the NDC
        package size: the amounts of the administered lines' NDC quantities plus, when every JW
        line has one, the discarded amounts, in whole containers (without JW quantities, the
        fewest containers that hold the dose). Checked only when the NDC package is known.
    Why it matters:
        Administered plus discarded can never exceed what was in the vials; a total above it
        bills drug that did not exist and is recovered in audits (MOD-05).
    """
    hits = Hits()
    for (code, _), entries in _groups(claim, ctx).items():
        desc = entries[0][1]
        jw_lines = [line for line, _ in entries if WASTE in line.modifiers]
        if not jw_lines or desc.single_dose == "no" or any(line.units is None for line, _ in entries):
            continue
        given = _administered(entries, desc, ctx)
        if given is None:
            continue
        dose, container = given
        wasted = [ndc_amount(line, desc, ctx) for line in jw_lines]
        total = dose + (sum((w.value for w in wasted), Decimal(0)) if all(wasted) else Decimal(0))
        vials = int((total / container).to_integral_value(rounding=ROUND_CEILING))
        capacity = desc.units(vials * container, ROUND_CEILING)
        billed = sum((line.units for line, _ in entries), Decimal(0))
        if billed > capacity:
            last = jw_lines[-1]
            hits.add(
                last.service.at(last.units_element),
                _fmt(billed),
                capacity,
                line=last.number,
                code=code,
                vials=vials,
                container=f"{_fmt(container)} {desc.unit}",
            )
    return hits


@FAMILY.edit(
    "DU004",
    name="drug-units-not-whole",
    category="drug-units",
    severity="error",
    scope="line",
    applies_to="drug",
    message="{code} billed {value} units: drug units are whole multiples of the descriptor ({descriptor})",
    references=("RULES.md D", "RULES.md A.4 ADM-23", "RULES.md C.2 MOD-05"),
    examples={"fail": "SV1*HC:J1745*3080*UN*35.5***1~"},
)
def drug_units_not_whole(line, ctx):
    """
    What it checks:
        The HCPCS units of a drug line (a code of the drugs table billed in UN) are a whole
        number of at least one.
    Why it matters:
        One unit is one descriptor amount (10 mg of infliximab); a partial unit cannot be billed.
        The administered amount is rounded up and the discarded amount down to whole units, so a
        fraction means the rounding was not done.
    """
    hits = Hits()
    desc = descriptor(line, ctx)
    units = line.units
    if desc is None or units is None:
        return hits
    if units < 1 or units != units.to_integral_value():
        hits.add(
            line.service.at(line.units_element),
            line.units_text,
            None,
            code=line.code,
            descriptor=desc.text,
        )
    return hits
