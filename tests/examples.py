"""Turn a rule's documented example snippet into a whole 837P file.

A snippet that starts with ISA, GS or ST is used as it is. Otherwise it is
the inside of one claim (CLM onward), optionally preceded by the
subscriber loop (SBR, NM1*IL, NM1*PR...), and is wrapped in a standard
interchange with correct counts.
"""

from __future__ import annotations

HEADER = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*250310*1200*^*00501*000000001*0*P*:~",
    "GS*HC*SUBMITTER*RECEIVER*20250310*1200*1*X*005010X222A1~",
)
TRANSACTION = (
    "ST*837*0001*005010X222A1~",
    "BHT*0019*00*EX0001*20250310*1200*CH~",
    "NM1*41*2*EXAMPLE BILLING*****46*EX0001~",
    "PER*IC*BILLING OFFICE*TE*5555550100~",
    "NM1*40*2*EXAMPLE CLEARINGHOUSE*****46*EXCH~",
    "HL*1**20*1~",
    "NM1*85*2*EXAMPLE CLINIC*****XX*1234567893~",
    "N3*1 MAIN ST~",
    "N4*SPRINGFIELD*IL*627010000~",
    "REF*EI*123456789~",
    "HL*2*1*22*0~",
)
SUBSCRIBER = (
    "SBR*P*18*******CI~",
    "NM1*IL*1*DOE*JANE****MI*MEMBER0001~",
    "NM1*PR*2*ACME HEALTH PLAN*****PI*ACMEPA~",
)


def example_file(snippet: str) -> bytes:
    """The whole file a snippet stands for."""
    text = snippet.strip()
    if text.startswith(("ISA", "GS", "ST")):
        return (text + "\n").encode()
    segments = [line.strip() for line in text.splitlines() if line.strip()]
    if not segments[0].startswith("SBR"):
        segments = [*SUBSCRIBER, *segments]
    body = [*TRANSACTION, *segments]
    trailer = f"SE*{len(body) + 1}*0001~"
    lines = [*HEADER, *body, trailer, "GE*1*1~", "IEA*1*000000001~"]
    return ("\n".join(lines) + "\n").encode()
