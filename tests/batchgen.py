"""Write large, valid 837P 005010X222A1 batches for benchmarks and scale tests.

The batch is one interchange (ISA/IEA) holding one functional group (GS/GE) with as
many transaction sets (ST/SE) as needed, each holding up to ``claims_per_transaction``
claims. Everything in it is invented: names, addresses, NPIs (Luhn-valid), member
ids and payer ids (``ACMEPA``, ``MEDICAREB``, ``STATEMCD``, ``ACMEMA``).

Shape, for claim number ``k`` (counted from 1 across the whole batch):

* billing providers rotate every :data:`PROVIDER_BLOCK` claims; each run of claims
  of one provider, and the start of every transaction set, opens a new 2000A HL;
* every claim has its own subscriber HL (2000B); in each block of five consecutive
  claims exactly one, at a place drawn from the seeded generator, is billed for a
  dependent in a 2000C patient loop (a full last block of five included; a partial
  last block may or may not hold one);
* claims with ``k % j3420_every == 0`` bill the paired administration: 96372 and
  J3420 on the same ``DTP*472`` date, NDC ``00517003125`` in 2410 with ``CTP`` 1 ML,
  a claim-level ``REF*G1`` and a supportive principal diagnosis (D510, E538, K912 or
  K900); a quarter of them add a lab line. So ``claims // j3420_every`` claims carry
  exactly one J3420 line each and every other claim has none;
* other claims have 1-3 lines: an office visit (99213 or 99214) and 0-2 of 36415,
  85025, 80053, 81002, 93000; they never bill 96372 or J3420.

Every count is right: SE01, SE02 = ST02, GE01, GE02 = GS06, IEA01, IEA02 = ISA13,
HL numbering and parents, LX numbering, CLM02 = sum of SV102. Segments end with
``~`` and a line feed. The output depends only on the arguments (no clock): the same
seed gives the same bytes. A claim takes about 400 bytes, so 50,000 claims make
about 20 MB.

Command line::

    python tests/batchgen.py OUT --claims N [--j3420-every K]
        [--claims-per-transaction M] [--seed S]

``OUT`` may be ``-`` for standard output.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["PROVIDER_BLOCK", "write_batch"]

PROVIDER_BLOCK = 500
"""Claims billed by one provider before the next one takes over."""

TERMINATOR = "~\n"
NDC = "00517003125"
BHT_DATE = "20250405"
_ISA_CONTROL = "000000001"
_GS_CONTROL = "1"


@dataclass(frozen=True, slots=True)
class _Provider:
    name: str
    npi: str
    street: str
    city: str
    state: str
    zip: str
    ein: str
    taxonomy: str


@dataclass(frozen=True, slots=True)
class _Payer:
    name: str
    payer_id: str
    filing: str  # SBR09 claim filing indicator
    member_prefix: str


_PROVIDERS: tuple[_Provider, ...] = (
    _Provider(
        "ORCHARD HILL FAMILY PRACTICE",
        "1326041807",
        "410 ORCHARD AVE",
        "SPRINGFIELD",
        "IL",
        "627040000",
        "371110001",
        "207Q00000X",
    ),
    _Provider(
        "CEDAR VALLEY INTERNAL MEDICINE",
        "1740283191",
        "88 VALLEY PKWY",
        "CEDAR FALLS",
        "IA",
        "506130000",
        "421110002",
        "207R00000X",
    ),
    _Provider(
        "HARBOR VIEW MEDICAL GROUP",
        "1578302949",
        "1200 HARBOR BLVD",
        "PORTSMOUTH",
        "NH",
        "038010000",
        "021110003",
        "207Q00000X",
    ),
    _Provider(
        "PRAIRIE WIND CLINIC",
        "1093847568",
        "5 PRAIRIE LN",
        "SALINA",
        "KS",
        "674010000",
        "481110004",
        "207R00000X",
    ),
    _Provider(
        "SILVER CREEK PRIMARY CARE",
        "1467205823",
        "77 CREEK RD",
        "BOISE",
        "ID",
        "837020000",
        "821110005",
        "207Q00000X",
    ),
)

_PAYERS: tuple[_Payer, ...] = (
    _Payer("ACME HEALTH PLAN", "ACMEPA", "CI", "ACM"),
    _Payer("ACME HEALTH PLAN", "ACMEPA", "CI", "ACM"),
    _Payer("MEDICARE PART B", "MEDICAREB", "MB", "MBI"),
    _Payer("STATE MEDICAID", "STATEMCD", "MC", "MCD"),
    _Payer("ACME MEDICARE ADVANTAGE", "ACMEMA", "16", "AMA"),
)

_LAST = (
    "DOE",
    "SMITH",
    "JOHNSON",
    "GARCIA",
    "NGUYEN",
    "PATEL",
    "BROWN",
    "LEE",
    "MILLER",
    "DAVIS",
    "WILSON",
    "MOORE",
    "TAYLOR",
    "CLARK",
    "LOPEZ",
    "HILL",
)
_FIRST_F = ("JANE", "MARY", "LINDA", "ROSA", "ANNA", "GRACE", "ELLEN", "NORA")
_FIRST_M = ("JOHN", "DAVID", "PAUL", "MARK", "LUIS", "OMAR", "PETER", "SAM")
_STREETS = ("ELM ST", "OAK AVE", "MAPLE DR", "PINE RD", "BIRCH LN", "MAIN ST")

_VISITS: tuple[tuple[str, int], ...] = (("99213", 13500), ("99214", 19000))
_LABS: tuple[tuple[str, int], ...] = (
    ("36415", 1200),
    ("85025", 2850),
    ("80053", 4275),
    ("81002", 900),
    ("93000", 5500),
)
_OTHER_DX = ("I10", "E119", "E785", "J069", "M545", "R5383", "Z0000")
_J3420_DX = ("D510", "E538", "K912", "K900")
_ADMIN = ("96372", 2500)
_J3420 = ("J3420", 800)

# Service dates 2025-01-02 .. 2025-03-31, all before the BHT date.
_SERVICE_DATES: tuple[str, ...] = tuple(
    f"2025{month:02d}{day:02d}"
    for month, days in ((1, 31), (2, 28), (3, 31))
    for day in range(1, days + 1)
)[1:]


def _money(cents: int) -> str:
    """An X12 R amount: no trailing zeros, no decimal point for whole dollars."""
    dollars, rest = divmod(cents, 100)
    if rest == 0:
        return str(dollars)
    if rest % 10 == 0:
        return f"{dollars}.{rest // 10}"
    return f"{dollars}.{rest:02d}"


def _dob(rng: random.Random, first_year: int, last_year: int) -> str:
    year = rng.randint(first_year, last_year)
    return f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def _envelope_header(claims_date: str) -> list[str]:
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{'LINT837BENCH':15}*ZZ*{'ACMECH':15}"
        f"*{claims_date[2:]}*0900*^*00501*{_ISA_CONTROL}*0*T*:"
    )
    gs = f"GS*HC*LINT837BENCH*ACMECH*{claims_date}*0900*{_GS_CONTROL}*X*005010X222A1"
    return [isa, gs]


def _billing_provider(hl: int, provider: _Provider) -> list[str]:
    return [
        f"HL*{hl}**20*1",
        f"PRV*BI*PXC*{provider.taxonomy}",
        f"NM1*85*2*{provider.name}*****XX*{provider.npi}",
        f"N3*{provider.street}",
        f"N4*{provider.city}*{provider.state}*{provider.zip}",
        f"REF*EI*{provider.ein}",
    ]


class _Writer:
    """Builds the segments of one batch; one instance per :func:`write_batch`."""

    def __init__(self, rng: random.Random, j3420_every: int) -> None:
        self.rng = rng
        self.j3420_every = j3420_every
        self.dependent_slot = 0

    def transaction(self, number: int, first: int, last: int) -> list[str]:
        """Segments ST..SE for claims ``first`` to ``last`` (inclusive)."""
        control = f"{number:04d}"
        segments = [
            f"ST*837*{control}*005010X222A1",
            f"BHT*0019*00*LINT{number:06d}*{BHT_DATE}*0900*CH",
            "NM1*41*2*LINT837 BENCH BILLING*****46*LB0001",
            "PER*IC*BILLING DESK*TE*5555550199",
            "NM1*40*2*ACME CLEARINGHOUSE*****46*ACMECH",
        ]
        hl = 0
        provider_hl = 0
        provider_index = -1
        for k in range(first, last + 1):
            index = ((k - 1) // PROVIDER_BLOCK) % len(_PROVIDERS)
            if index != provider_index:
                provider_index = index
                hl += 1
                provider_hl = hl
                segments += _billing_provider(hl, _PROVIDERS[index])
            hl = self.claim(segments, k, hl, provider_hl, _PROVIDERS[index])
        segments.append(f"SE*{len(segments) + 1}*{control}")
        return segments

    def claim(
        self, out: list[str], k: int, hl: int, parent: int, provider: _Provider
    ) -> int:
        """Append one subscriber (and maybe patient) HL with its claim.

        Returns the last HL number used.
        """
        rng = self.rng
        if (k - 1) % 5 == 0:
            self.dependent_slot = rng.randrange(5)
        dependent = (k - 1) % 5 == self.dependent_slot
        payer = _PAYERS[rng.randrange(len(_PAYERS))]
        last_name = _LAST[rng.randrange(len(_LAST))]
        female = rng.random() < 0.6
        first_name = rng.choice(_FIRST_F if female else _FIRST_M)
        sex = "F" if female else "M"
        street = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}"
        n4 = f"N4*{provider.city}*{provider.state}*{provider.zip}"
        date = _SERVICE_DATES[rng.randrange(len(_SERVICE_DATES))]

        hl += 1
        subscriber_hl = hl
        out.append(f"HL*{hl}*{parent}*22*{1 if dependent else 0}")
        out.append(f"SBR*P*{'' if dependent else '18'}*******{payer.filing}")
        out.append(
            f"NM1*IL*1*{last_name}*{first_name}****MI*{payer.member_prefix}{k:09d}"
        )
        if not dependent:
            out.append(f"N3*{street}")
            out.append(n4)
            out.append(f"DMG*D8*{_dob(rng, 1935, 2004)}*{sex}")
        out.append(f"NM1*PR*2*{payer.name}*****PI*{payer.payer_id}")
        if dependent:
            hl += 1
            child_female = rng.random() < 0.5
            child_first = rng.choice(_FIRST_F if child_female else _FIRST_M)
            out.append(f"HL*{hl}*{subscriber_hl}*23*0")
            out.append("PAT*19")
            out.append(f"NM1*QC*1*{last_name}*{child_first}")
            out.append(f"N3*{street}")
            out.append(n4)
            out.append(f"DMG*D8*{_dob(rng, 2006, 2020)}*{'F' if child_female else 'M'}")

        if k % self.j3420_every == 0:
            self.j3420_claim(out, k, date)
        else:
            self.other_claim(out, k, date)
        return hl

    def j3420_claim(self, out: list[str], k: int, date: str) -> None:
        rng = self.rng
        diagnoses = [_J3420_DX[rng.randrange(len(_J3420_DX))]]
        if rng.random() < 0.5:
            diagnoses.append(_OTHER_DX[rng.randrange(len(_OTHER_DX))])
        pointer = "1:2" if len(diagnoses) == 2 else "1"
        lines: list[tuple[str, int, str]] = [
            (_ADMIN[0], _ADMIN[1], "1"),
            (_J3420[0], _J3420[1], pointer),
        ]
        if rng.random() < 0.25:
            code, cents = _LABS[rng.randrange(2)]  # 36415 or 85025
            lines.append((code, cents, "1"))
        total = sum(cents for _, cents, _ in lines)
        out.append(f"CLM*B{k:09d}*{_money(total)}***11:B:1*Y*A*Y*Y")
        out.append(f"REF*G1*PA{k:010d}")
        out.append(_hi(diagnoses))
        for number, (code, cents, pointers) in enumerate(lines, 1):
            out.append(f"LX*{number}")
            out.append(f"SV1*HC:{code}*{_money(cents)}*UN*1*11**{pointers}")
            out.append(f"DTP*472*D8*{date}")
            if code == "J3420":
                out.append(f"LIN**N4*{NDC}")
                out.append("CTP****1*ML")

    def other_claim(self, out: list[str], k: int, date: str) -> None:
        rng = self.rng
        diagnoses = rng.sample(_OTHER_DX, rng.randint(1, 2))
        pointer = "1:2" if len(diagnoses) == 2 else "1"
        lines = [_VISITS[rng.randrange(len(_VISITS))]]
        lines += rng.sample(_LABS, rng.randint(0, 2))
        total = sum(cents for _, cents in lines)
        out.append(f"CLM*B{k:09d}*{_money(total)}***11:B:1*Y*A*Y*Y")
        out.append(_hi(diagnoses))
        for number, (code, cents) in enumerate(lines, 1):
            out.append(f"LX*{number}")
            out.append(f"SV1*HC:{code}*{_money(cents)}*UN*1*11**{pointer}")
            out.append(f"DTP*472*D8*{date}")


def _hi(diagnoses: Sequence[str]) -> str:
    rest = "".join(f"*ABF:{code}" for code in diagnoses[1:])
    return f"HI*ABK:{diagnoses[0]}{rest}"


def write_batch(
    stream: BinaryIO,
    claims: int,
    *,
    j3420_every: int = 10,
    claims_per_transaction: int = 5000,
    seed: int = 0,
) -> None:
    """Write one interchange holding ``claims`` 837P claims to ``stream``.

    ``j3420_every`` = K makes every K-th claim (K = 1: every claim) a J3420 claim
    with its 96372; ``claims_per_transaction`` caps the claims in one ST/SE;
    ``seed`` seeds :class:`random.Random`, so equal arguments give equal bytes.
    Raises ValueError when a count is below 1.
    """
    _check_counts(claims, j3420_every, claims_per_transaction)
    writer = _Writer(random.Random(seed), j3420_every)
    stream.write(_encode(_envelope_header(BHT_DATE)))
    transactions = 0
    for first in range(1, claims + 1, claims_per_transaction):
        transactions += 1
        last = min(first + claims_per_transaction - 1, claims)
        stream.write(_encode(writer.transaction(transactions, first, last)))
    trailer = [f"GE*{transactions}*{_GS_CONTROL}", f"IEA*1*{_ISA_CONTROL}"]
    stream.write(_encode(trailer))


def _check_counts(claims: int, j3420_every: int, claims_per_transaction: int) -> None:
    """Raise ValueError unless every count is at least 1."""
    if claims < 1:
        raise ValueError(f"claims must be at least 1, not {claims}")
    if j3420_every < 1:
        raise ValueError(f"j3420_every must be at least 1, not {j3420_every}")
    if claims_per_transaction < 1:
        raise ValueError(
            f"claims_per_transaction must be at least 1, not {claims_per_transaction}"
        )


def _encode(segments: list[str]) -> bytes:
    return (TERMINATOR.join(segments) + TERMINATOR).encode("ascii")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry: ``batchgen.py OUT --claims N [--j3420-every K]``."""
    parser = argparse.ArgumentParser(
        description="Write a valid 837P 005010X222A1 batch for benchmarks."
    )
    parser.add_argument("out", metavar="OUT", help="output file, or - for stdout")
    parser.add_argument("--claims", type=int, required=True, help="number of claims")
    parser.add_argument(
        "--j3420-every",
        type=int,
        default=10,
        help="every K-th claim bills J3420 + 96372 (default 10; 1 = every claim)",
    )
    parser.add_argument(
        "--claims-per-transaction",
        type=int,
        default=5000,
        help="claims per ST/SE (default 5000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    options = {
        "j3420_every": args.j3420_every,
        "claims_per_transaction": args.claims_per_transaction,
        "seed": args.seed,
    }
    try:
        _check_counts(args.claims, args.j3420_every, args.claims_per_transaction)
    except ValueError as error:
        parser.error(str(error))
    if args.out == "-":
        write_batch(sys.stdout.buffer, args.claims, **options)
    else:
        with open(args.out, "wb") as stream:
            write_batch(stream, args.claims, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
