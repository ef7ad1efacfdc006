"""What rules may consult besides the claim: data, payer policy, run state.

One :class:`Context` lives for a whole run (every file of one invocation),
so batch rules can look across files. Its state is per rule and holds only
what a rule chooses to index (J3420 and administration lines, not claims).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lint837.config import (
    AuthorizationFile,
    PayerKind,
    PayerPolicy,
    Policy,
    ReferenceData,
    load_reference_data,
)
from lint837.config.policy import FILING_KINDS
from lint837.model import Claim

State = TypeVar("State")


class RunEnd:
    """The event batch rules receive once every file of the run is read."""


@dataclass
class Context:
    """Reference data, payer policy, authorizations and per-rule run state."""

    data: ReferenceData = field(default_factory=load_reference_data)
    policy: Policy = field(default_factory=Policy)
    authorizations: AuthorizationFile | None = None
    _state: dict[str, Any] = field(default_factory=dict, repr=False)

    def payer(self, claim: Claim) -> PayerPolicy:
        """The policy of the claim's payer (2010BB NM109), else the defaults."""
        return self.policy.for_payer(claim.payer_id)

    def kind(self, claim: Claim) -> PayerKind | None:
        """The payer's program: from the policy, else from SBR09."""
        kind = self.payer(claim).kind
        return kind if kind is not None else FILING_KINDS.get(claim.filing_indicator)

    def is_medicare(self, claim: Claim) -> bool:
        """Medicare fee-for-service or Medicare Advantage (SBR09 MB/16, or policy)."""
        kind = self.kind(claim)
        return kind is not None and kind.is_medicare

    def state(self, code: str, factory: Callable[[], State]) -> State:
        """The run-long state of rule ``code``, made on first use."""
        found = self._state.get(code)
        if found is None:
            found = self._state[code] = factory()
        return found
