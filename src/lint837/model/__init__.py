"""Stage 2 of the flow: the claim model, built from the HL hierarchy.

The model knows X12 837P loops and claims, and nothing of rules.
"""

from lint837.model.builder import Event, build
from lint837.model.claim import (
    BillingProvider,
    Claim,
    Diagnosis,
    DrugIdentification,
    LineFacts,
    Party,
    Patient,
    Reference,
    ServiceDate,
    ServiceLine,
    Subscriber,
)
from lint837.model.envelope import (
    FunctionalGroup,
    Interchange,
    IssueKind,
    StructureIssue,
    TransactionSet,
)

__all__ = [
    "BillingProvider",
    "Claim",
    "Diagnosis",
    "DrugIdentification",
    "Event",
    "FunctionalGroup",
    "Interchange",
    "IssueKind",
    "LineFacts",
    "Party",
    "Patient",
    "Reference",
    "ServiceDate",
    "ServiceLine",
    "StructureIssue",
    "Subscriber",
    "TransactionSet",
    "build",
]
