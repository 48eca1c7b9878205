"""Deterministic generator of synthetic, implementation-guide-shaped X12 5010 837 files.

Produces 837P (005010X222A1, professional, place of service 11) or 837I (005010X223A2,
hospital outpatient, bill type 13x) batches of infusion and injection claims for benchmarks.
Every person, provider, payer and identifier is fictitious; the same arguments (and --seed)
always give the same bytes.

Layout (one interchange, one functional group):

  ISA / GS / ST..SE per --per-st claims
    BHT, 1000A submitter NM1*41 + PER, 1000B receiver NM1*40
    2000A HL*1**20*1 billing provider: PRV*BI, NM1*85 (NPI), N3, N4 (9-digit ZIP), REF*EI
    per claim, 2000B HL*n*1*22*0 subscriber (patient is the subscriber, no 2000C):
      SBR (CI commercial, some MB Medicare Part B), NM1*IL, N3, N4, DMG, NM1*PR
      837P: CLM*..*11:B:1*Y*A*Y*Y, HI*ABK:..*ABF:.., NM1*82 rendering + PRV*PE
      837I: CLM*..*13:A:1**A*Y*Y, DTP*434 RD8, CL1, HI*ABK, HI*ABF, NM1*71 attending + PRV*AT
      2400 lines (2..5): LX, SV1 (pointers into HI) or SV2 (revenue code), DTP*472 D8,
           837P timed lines carry NTE*ADD*START hhmm STOP hhmm, drug lines carry LIN*N4 + CTP
  GE / IEA

Claims are written to be clean for a claim scrubber:
  * envelope counts and control numbers match (SE01, GE01, IEA01);
  * NPIs carry a valid Luhn check digit (computed over "80840" + the first nine digits);
  * ICD-10-CM codes are billable leaf codes; SV107 pointers reference existing HI positions;
  * CLM02 is the exact sum of the line charges;
  * dates of service fall in 2026-01..2026-10;
  * administration time notes agree with the billed initial and add-on hour units (add-on
    hours need more than 30 minutes past each full hour beyond the first 90 minutes);
  * single-dose drugs carry JZ, the NDC quantity (CTP04) follows from the HCPCS units, and E/M
    lines billed with drug administration carry modifier 25.

The 837I has no provider line note, so facility claims carry no administration times.

Usage:
  python gen837.py --kind P -n 1000 -o claims_p_1k.837
  python gen837.py --kind I -n 100000 --no-newline -o claims_i_100k.837
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TextIO

IMPLEMENTATION = {"P": "005010X222A1", "I": "005010X223A2"}
INTERCHANGE_DATE = dt.date(2026, 11, 2)  # after every generated date of service
FIRST_DOS = dt.date(2026, 1, 2)
LAST_DOS = dt.date(2026, 10, 30)
SENDER = "SUBMITTER01"
RECEIVER = "RECEIVER01"


# ---------------------------------------------------------------------------------------------
# reference data (codes are real; prices and all parties are invented)


@dataclass(frozen=True, slots=True)
class DrugSpec:
    """A physician-administered drug: HCPCS, prices per billing unit and its NDC packaging."""

    hcpcs: str
    prof_cents: int  # professional charge per HCPCS billing unit
    fac_cents: int  # facility charge per HCPCS billing unit
    ndc: str  # 11-digit (5-4-2) NDC
    ctp_unit: str  # CTP05-01 unit of the NDC quantity
    qty_per_unit: Fraction  # NDC quantity per HCPCS billing unit
    jz_facility: bool = True  # False for drugs packaged under OPPS (no JW/JZ on the 837I)


RITUXIMAB = DrugSpec("J9312", 9250, 13875, "50242005121", "ML", Fraction(1))  # 10 mg; 10 mg/mL
INFLIXIMAB = DrugSpec("J1745", 8800, 13200, "57894003001", "UN", Fraction(1, 10))  # 10 mg; 100-mg vial
TOCILIZUMAB = DrugSpec("J3262", 710, 1065, "50242013701", "ML", Fraction(1, 20))  # 1 mg; 20 mg/mL
DENOSUMAB = DrugSpec("J0897", 2575, 3860, "55513071001", "ML", Fraction(1, 60))  # 1 mg; 60 mg/mL
ONDANSETRON = DrugSpec("J2405", 45, 70, "00641608025", "ML", Fraction(1, 2), jz_facility=False)  # 1 mg

# HCPCS/CPT -> (professional cents per unit, facility cents per unit, facility revenue code)
SERVICES: dict[str, tuple[int, int, str]] = {
    "96413": (31000, 82000, "0335"),  # chemo/complex IV infusion, first hour
    "96415": (8500, 19000, "0335"),  # each additional hour
    "96365": (19000, 45000, "0260"),  # therapeutic IV infusion, first hour
    "96366": (4500, 12000, "0260"),  # each additional hour
    "96375": (5500, 14000, "0260"),  # sequential IV push, new drug
    "96372": (3500, 9500, "0260"),  # SC/IM injection
    "99213": (13500, 0, ""),  # office E/M (professional claims only)
    "36415": (1200, 3000, "0300"),  # venipuncture
}
DRUG_REVENUE = "0636"

# Billable ICD-10-CM codes (no dot) used by the scenarios; all are leaf codes.
DX_OFFICE = ["E119", "I10", "N184", "D649", "D509"]

FIRST_NAMES = (
    "AVERY BLAKE CAMERON DAKOTA EMERSON FINLEY HARPER JORDAN KENDALL LOGAN MORGAN PEYTON QUINN REESE RILEY "
    "ROWAN SAGE TAYLOR"
).split()
LAST_NAMES = (
    "ALDERTON BRAMLEY CASTELLO DUNMORE ELSWORTH FAIRBANK GARRISON HOLLOWAY IVERSEN JARDINE KESWICK LANGFORD "
    "MERRIVALE NORCROSS OAKHURST PENROSE QUILLAN ROCKWELL SANDOVAL THORNBURY UPTON VANCE WEXLEY YARDLEY"
).split()
STREETS = ["MAIN ST", "ELM ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "BIRCH WAY", "LAKE VIEW CT"]
CITIES = [
    ("SPRINGFIELD", "IL", "62701"),
    ("COLUMBUS", "OH", "43215"),
    ("AUSTIN", "TX", "78701"),
    ("DENVER", "CO", "80202"),
    ("ALBANY", "NY", "12207"),
    ("SALEM", "OR", "97301"),
    ("MADISON", "WI", "53703"),
    ("RALEIGH", "NC", "27601"),
]
COMMERCIAL_PAYERS = [
    ("EXAMPLE HEALTH PLAN", "EXHP01"),
    ("SAMPLE MUTUAL INSURANCE", "SMPL02"),
    ("DEMO CARE ALLIANCE", "DEMO03"),
]
MEDICARE_PAYER = ("EXAMPLE MEDICARE CONTRACTOR", "MACB01")
# Medicare beneficiary identifier layout: C = 1-9, N = 0-9, A = letter (no S L O I B Z), X = N or A
MBI_PATTERN = "CAXNAXNAANN"
MBI_CHARS = {"C": "123456789", "N": "0123456789", "A": "ACDEFGHJKMNPQRTUVWXY"}
MBI_CHARS["X"] = MBI_CHARS["N"] + MBI_CHARS["A"]

TAXONOMY = {"onc": "207RH0003X", "rheum": "207RR0500X", "gi": "207RG0100X", "im": "207R00000X"}


def npi_check_digit(base9: str) -> str:
    """Luhn check digit of an NPI: computed over the card-issuer prefix 80840 plus nine digits."""
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, starting next to the check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_npi(rng: random.Random) -> str:
    base = "1" + "".join(rng.choice("0123456789") for _ in range(8))
    return base + npi_check_digit(base)


def money(cents: int) -> str:
    """X12 decimal without trailing zeros: 15000 -> '150', 15050 -> '150.5', 15025 -> '150.25'."""
    whole, frac = divmod(cents, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def quantity(value: Fraction) -> str:
    """NDC quantity (CTP04) with at most three decimals and no trailing zeros."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def span(start: int, stop: int) -> str:
    """Administration time note text for minutes after midnight: 'START 0905 STOP 1040'."""
    return f"START {start // 60:02d}{start % 60:02d} STOP {stop // 60:02d}{stop % 60:02d}"


# ---------------------------------------------------------------------------------------------
# claim content


@dataclass(slots=True)
class Line:
    code: str
    units: int
    unit_cents: int
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = (1,)
    note: str | None = None  # 837P line note (administration start/stop)
    drug: DrugSpec | None = None
    revenue: str = ""

    @property
    def cents(self) -> int:
        return self.unit_cents * self.units


@dataclass(slots=True)
class Encounter:
    dx: list[str]
    lines: list[Line]
    specialty: str


@dataclass(frozen=True, slots=True)
class Person:
    last: str
    first: str
    npi: str
    taxonomy: str


@dataclass(slots=True)
class Stats:
    claims: int = 0
    lines: int = 0
    segments: int = 0
    transactions: int = 0
    bytes: int = 0


class ClaimBuilder:
    """Builds the clinical content of one claim (diagnoses and service lines) for one kind."""

    def __init__(self, rng: random.Random, kind: str):
        self.rng = rng
        self.kind = kind

    # -- line helpers --------------------------------------------------------------------------
    def service(
        self,
        code: str,
        units: int = 1,
        modifiers: tuple[str, ...] = (),
        pointers: tuple[int, ...] = (1,),
        note: str | None = None,
    ) -> Line:
        prof, fac, revenue = SERVICES[code]
        price = prof if self.kind == "P" else fac
        return Line(code, units, price, modifiers, pointers, note, revenue=revenue)

    def drug(self, spec: DrugSpec, units: int, pointers: tuple[int, ...]) -> Line:
        if self.kind == "P":
            return Line(spec.hcpcs, units, spec.prof_cents, ("JZ",), pointers, drug=spec)
        mods = ("JZ",) if spec.jz_facility else ()
        return Line(spec.hcpcs, units, spec.fac_cents, mods, pointers, drug=spec, revenue=DRUG_REVENUE)

    def infusion(
        self, initial: str, addon: str, hours: list[int], start: int, ptr: tuple[int, ...]
    ) -> list[Line]:
        """An initial infusion plus ``rng.choice(hours)`` add-on hours, with start/stop notes."""
        extra = self.rng.choice(hours)
        if extra == 0:
            running = self.rng.randint(35, 90)  # up to 90 minutes: the initial hour only
            return [self.service(initial, 1, pointers=ptr, note=span(start, start + running))]
        # each add-on hour needs more than 30 minutes past the previous full hour (91, 151, ...);
        # the initial line documents the first hour, the add-on line the rest of the infusion
        running = 90 + 60 * (extra - 1) + self.rng.randint(5, 58)
        return [
            self.service(initial, 1, pointers=ptr, note=span(start, start + 60)),
            self.service(addon, extra, pointers=ptr, note=span(start + 60, start + running)),
        ]

    def office_visit(self, pointers: tuple[int, ...], with_procedure: bool) -> list[Line]:
        """An E/M line (837P only); modifier 25 when billed with drug administration."""
        if self.kind != "P":
            return []
        return [self.service("99213", 1, ("25",) if with_procedure else (), pointers)]

    def start_time(self) -> int:
        return self.rng.randint(8 * 12, 12 * 12) * 5  # 08:00..12:00 on a five-minute grid

    # -- scenarios -----------------------------------------------------------------------------
    def rituximab_ra(self) -> Encounter:
        ptr = self.rng.choice([(1,), (1, 2)])
        lines = self.office_visit((1,), True) if self.rng.random() < 0.25 else []
        admin = self.infusion("96413", "96415", [1, 2, 2, 3], self.start_time(), ptr)
        lines += admin + [self.drug(RITUXIMAB, 100, ptr)]
        return Encounter(["M0579", "Z79899"], lines, "rheum")

    def rituximab_lymphoma(self) -> Encounter:
        dx = ["Z5111", "C8330"] + (["D649"] if self.rng.random() < 0.4 else [])
        ptr = (2, 1)  # the malignancy supports the drug; Z51.11 stays first-listed
        push_at = self.start_time()
        admin = self.infusion("96413", "96415", [1, 2, 2, 3], push_at + 30, ptr)
        lines = admin + [self.drug(RITUXIMAB, self.rng.randint(60, 83), ptr)]
        if self.rng.random() < 0.5:  # antiemetic push before the infusion
            lines.append(self.service("96375", 1, pointers=ptr, note=span(push_at, push_at + 5)))
            lines.append(self.drug(ONDANSETRON, 8, ptr))
        return Encounter(dx, lines, "onc")

    def infliximab_complex(self) -> Encounter:
        dx = [self.rng.choice(["M069", "K5090"]), "Z79899"]
        lines = self.office_visit((1,), True) if self.rng.random() < 0.2 else []
        admin = self.infusion("96413", "96415", [0, 1, 1], self.start_time(), (1,))
        lines += admin + [self.drug(INFLIXIMAB, 10 * self.rng.randint(3, 8), (1,))]
        return Encounter(dx, lines, "rheum" if dx[0] == "M069" else "gi")

    def infliximab_therapeutic(self) -> Encounter:
        """Commercial payers that want infliximab billed in the therapeutic family."""
        admin = self.infusion("96365", "96366", [0, 1, 1], self.start_time(), (1,))
        lines = admin + [self.drug(INFLIXIMAB, 10 * self.rng.randint(3, 8), (1,))]
        return Encounter(["K5090", "Z79899"], lines, "gi")

    def tocilizumab_ra(self) -> Encounter:
        dx = [self.rng.choice(["M0579", "M069"]), "Z79899"]
        admin = self.infusion("96413", "96415", [0], self.start_time(), (1,))
        units = self.rng.choice([400, 480, 560, 600, 640, 720, 800])  # 8 mg/kg, whole vials
        lines = admin + [self.drug(TOCILIZUMAB, units, (1,))]
        if self.rng.random() < 0.2:
            lines = self.office_visit((1,), True) + lines
        return Encounter(dx, lines, "rheum")

    def denosumab(self) -> Encounter:
        dx = ["M810"] + (["E119"] if self.rng.random() < 0.3 else [])
        lines = self.office_visit((1,), True) if self.rng.random() < 0.3 else []
        lines += [self.service("96372", 1), self.drug(DENOSUMAB, 60, (1,))]
        return Encounter(dx, lines, "im")

    def office_lab(self) -> Encounter:
        dx = self.rng.sample(DX_OFFICE, self.rng.randint(2, 3))
        everything = tuple(range(1, len(dx) + 1))
        lines = self.office_visit(everything, False) + [self.service("36415", 1, pointers=(1,))]
        return Encounter(dx, lines, "im")

    def encounter(self, medicare: bool) -> Encounter:
        scenarios: list[tuple[Callable[[], Encounter], int]] = [
            (self.rituximab_ra, 3),
            (self.rituximab_lymphoma, 3),
            (self.infliximab_complex, 3),
            (self.tocilizumab_ra, 2),
            (self.denosumab, 2),
        ]
        if not medicare:
            scenarios.append((self.infliximab_therapeutic, 1))
        if self.kind == "P":
            scenarios.append((self.office_lab, 2))
        funcs, weights = zip(*scenarios, strict=True)
        return self.rng.choices(funcs, weights)[0]()


# ---------------------------------------------------------------------------------------------
# X12 writing


class Generator:
    """Writes an interchange of ``claims`` claims, ``per_st`` claims per transaction set."""

    def __init__(self, kind: str, seed: int = 837, per_st: int = 5000, newline: bool = True):
        if kind not in IMPLEMENTATION:
            raise ValueError(f"kind must be P or I, not {kind!r}")
        if per_st < 1:
            raise ValueError("per_st must be at least 1")
        self.kind = kind
        self.per_st = per_st
        self.term = "~\n" if newline else "~"
        self.rng = random.Random(f"{seed}-{kind}")
        self.builder = ClaimBuilder(self.rng, kind)
        self.billing_npi = make_npi(self.rng)
        self.tax_id = f"{self.rng.randint(10, 59)}{self.rng.randint(1000000, 9999999)}"
        self.physicians = {
            specialty: [self.person(taxonomy) for _ in range(12)] for specialty, taxonomy in TAXONOMY.items()
        }
        self.dos_days = (LAST_DOS - FIRST_DOS).days
        self.times: TextIO | None = None  # administration record (837I: the only place for times)

    # -- parties -------------------------------------------------------------------------------
    def person(self, taxonomy: str) -> Person:
        return Person(self.rng.choice(LAST_NAMES), self.rng.choice(FIRST_NAMES), make_npi(self.rng), taxonomy)

    def address(self) -> list[str]:
        city, state, zip5 = self.rng.choice(CITIES)
        return [
            f"N3*{self.rng.randint(10, 9899)} {self.rng.choice(STREETS)}",
            f"N4*{city}*{state}*{zip5}{self.rng.randint(1, 9999):04d}",
        ]

    def mbi(self) -> str:
        """A well-formed (fictitious) Medicare beneficiary identifier."""
        return "".join(self.rng.choice(MBI_CHARS[kind]) for kind in MBI_PATTERN)

    def subscriber(self, hl: int, medicare: bool) -> list[str]:
        r = self.rng
        birth_year = r.randint(1938, 1960) if medicare else r.randint(1950, 2004)
        dob = dt.date(birth_year, r.randint(1, 12), r.randint(1, 28)).strftime("%Y%m%d")
        if medicare:
            sbr, member, (payer, payer_id) = "SBR*P*18*******MB", self.mbi(), MEDICARE_PAYER
        else:
            payer, payer_id = r.choice(COMMERCIAL_PAYERS)
            sbr, member = f"SBR*P*18*GRP{r.randint(10000, 99999)}******CI", f"XM{r.randint(10**8, 10**9 - 1)}"
        return [
            f"HL*{hl}*1*22*0",
            sbr,
            f"NM1*IL*1*{r.choice(LAST_NAMES)}*{r.choice(FIRST_NAMES)}****MI*{member}",
            *self.address(),
            f"DMG*D8*{dob}*{r.choice('FM')}",
            f"NM1*PR*2*{payer}*****PI*{payer_id}",
        ]

    # -- claim ---------------------------------------------------------------------------------
    def authorization(self, enc: Encounter, index: int) -> list[str]:
        """A 2300 REF*G1 prior authorization when the claim bills a drug (biologics, IVIG and the
        other drugs payers authorise), as a clean claim would carry."""
        return [f"REF*G1*PA{index:09d}"] if any(line.drug for line in enc.lines) else []

    def claim(self, index: int, hl: int) -> tuple[list[str], int]:
        medicare = self.rng.random() < 0.15
        segs = self.subscriber(hl, medicare)
        enc = self.builder.encounter(medicare)
        dos = (FIRST_DOS + dt.timedelta(days=self.rng.randint(0, self.dos_days))).strftime("%Y%m%d")
        total = sum(line.cents for line in enc.lines)
        doctor = self.rng.choice(self.physicians[enc.specialty])
        claim_id = f"{self.kind}{index:09d}"
        if self.kind == "P":
            hi = "*".join(f"{'ABK' if i == 0 else 'ABF'}:{code}" for i, code in enumerate(enc.dx))
            segs += [
                f"CLM*{claim_id}*{money(total)}***11:B:1*Y*A*Y*Y",
                *self.authorization(enc, index),
                f"HI*{hi}",
                f"NM1*82*1*{doctor.last}*{doctor.first}****XX*{doctor.npi}",
                f"PRV*PE*PXC*{doctor.taxonomy}",
            ]
        else:
            segs += [
                f"CLM*{claim_id}*{money(total)}***13:A:1**A*Y*Y",
                f"DTP*434*RD8*{dos}-{dos}",
                "CL1*1*1*01",
                *self.authorization(enc, index),
                f"HI*ABK:{enc.dx[0]}",
            ]
            if len(enc.dx) > 1:
                segs.append("HI*" + "*".join(f"ABF:{code}" for code in enc.dx[1:]))
            segs += [
                f"NM1*71*1*{doctor.last}*{doctor.first}****XX*{doctor.npi}",
                f"PRV*AT*PXC*{doctor.taxonomy}",
            ]
        for number, line in enumerate(enc.lines, start=1):
            segs.append(f"LX*{number}")
            proc = ":".join(("HC", line.code, *line.modifiers))
            if self.kind == "P":
                pointers = ":".join(str(p) for p in line.pointers)
                segs.append(f"SV1*{proc}*{money(line.cents)}*UN*{line.units}***{pointers}")
            else:
                segs.append(f"SV2*{line.revenue}*{proc}*{money(line.cents)}*UN*{line.units}")
            segs.append(f"DTP*472*D8*{dos}")
            if line.note and self.kind == "P":
                segs.append(f"NTE*ADD*{line.note}")
            elif line.note and self.times is not None:
                _, start, _, stop = line.note.split()
                self.times.write(f"{claim_id},{number},{start[:2]}:{start[2:]},{stop[:2]}:{stop[2:]}\n")
            if line.drug:
                segs.append(f"LIN**N4*{line.drug.ndc}")
                segs.append(f"CTP****{quantity(line.units * line.drug.qty_per_unit)}*{line.drug.ctp_unit}")
        return segs, len(enc.lines)

    # -- envelopes -----------------------------------------------------------------------------
    def transaction(self, control: int, first: int, count: int, stats: Stats) -> list[str]:
        stamp = INTERCHANGE_DATE.strftime("%Y%m%d")
        if self.kind == "P":
            provider = ("EXAMPLE INFUSION CENTER LLC", "261QI0500X")
        else:
            provider = ("EXAMPLE COMMUNITY HOSPITAL", "282N00000X")
        segs = [
            f"ST*837*{control:04d}*{IMPLEMENTATION[self.kind]}",
            f"BHT*0019*00*{self.kind}{control:08d}*{stamp}*1200*CH",
            f"NM1*41*2*EXAMPLE BILLING SERVICE*****46*{SENDER}",
            "PER*IC*BILLING DESK*TE*5555550100*EM*BILLING@EXAMPLE.COM",
            f"NM1*40*2*EXAMPLE CLEARINGHOUSE*****46*{RECEIVER}",
            "HL*1**20*1",
            f"PRV*BI*PXC*{provider[1]}",
            f"NM1*85*2*{provider[0]}*****XX*{self.billing_npi}",
            "N3*100 HEALTH PARK DR",
            "N4*SPRINGFIELD*IL*627011234",
            f"REF*EI*{self.tax_id}",
        ]
        for offset in range(count):
            claim_segs, n_lines = self.claim(first + offset, offset + 2)
            segs += claim_segs
            stats.lines += n_lines
        segs.append(f"SE*{len(segs) + 1}*{control:04d}")
        return segs

    def write(self, claims: int, out: TextIO) -> Stats:
        """Write the whole interchange to ``out`` one transaction set at a time."""
        stats = Stats(claims=claims)
        stamp = INTERCHANGE_DATE.strftime("%Y%m%d")
        isa = (
            f"ISA*00*{'':10}*00*{'':10}*ZZ*{SENDER:<15}*ZZ*{RECEIVER:<15}"
            f"*{stamp[2:]}*1200*^*00501*000000001*0*T*:"
        )
        gs = f"GS*HC*{SENDER}*{RECEIVER}*{stamp}*1200*1*X*{IMPLEMENTATION[self.kind]}"
        self._emit(out, [isa, gs], stats)
        first = 1
        while first <= claims:
            count = min(self.per_st, claims - first + 1)
            stats.transactions += 1
            self._emit(out, self.transaction(stats.transactions, first, count, stats), stats)
            first += count
        self._emit(out, [f"GE*{stats.transactions}*1", "IEA*1*000000001"], stats)
        return stats

    def _emit(self, out: TextIO, segs: list[str], stats: Stats) -> None:
        text = self.term.join(segs) + self.term
        out.write(text)
        stats.segments += len(segs)
        stats.bytes += len(text)


def generate(
    kind: str,
    claims: int,
    out: TextIO,
    *,
    seed: int = 837,
    per_st: int = 5000,
    newline: bool = True,
    times: TextIO | None = None,
) -> Stats:
    """Write a synthetic 837 of the given kind ("P" or "I") to ``out``; return its statistics.

    With ``times``, an 837I's administration start/stop times are written there as the CSV the
    scrubber's ``--times`` option reads (837P carries them in line notes)."""
    generator = Generator(kind, seed, per_st, newline)
    if times is not None:
        times.write("claim_id,line,start,stop\n")
        generator.times = times
    return generator.write(claims, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=sorted(IMPLEMENTATION), default="P", help="P = 837P, I = 837I")
    ap.add_argument("-n", "--claims", type=int, default=1000, help="number of claims (default 1000)")
    ap.add_argument("-o", "--output", default="-", help="output file ('-' = stdout, the default)")
    ap.add_argument("--seed", type=int, default=837, help="random seed (default 837)")
    ap.add_argument("--per-st", type=int, default=5000, help="max claims per ST/SE (default 5000)")
    ap.add_argument("--no-newline", action="store_true", help="no line break after each segment terminator")
    ap.add_argument("--times-out", metavar="CSV", help="837I: write the administration record here")
    args = ap.parse_args(argv)
    if args.claims < 1 or args.per_st < 1:
        ap.error("--claims and --per-st must be at least 1")
    opened = open(args.output, "w", encoding="ascii", newline="") if args.output != "-" else None
    times = open(args.times_out, "w", encoding="ascii", newline="") if args.times_out else None
    with opened or contextlib.nullcontext(sys.stdout) as out, times or contextlib.nullcontext() as record:
        stats = generate(
            args.kind,
            args.claims,
            out,
            seed=args.seed,
            per_st=args.per_st,
            newline=not args.no_newline,
            times=record,
        )
    print(
        f"837{args.kind}: claims={stats.claims} lines={stats.lines} segments={stats.segments} "
        f"transactions={stats.transactions} bytes={stats.bytes}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
