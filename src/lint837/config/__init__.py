"""Configuration: project settings, payer policy, authorizations, data.

Read once per run, before any claim; the rules consult the result.
"""

from lint837.config.auths import Authorization, AuthorizationFile, load_authorizations
from lint837.config.data import DATA_SETS, ReferenceData, load_reference_data
from lint837.config.policy import PayerKind, PayerPolicy, Policy, load_policy
from lint837.config.settings import Settings, find_config, load_settings

__all__ = [
    "DATA_SETS",
    "Authorization",
    "AuthorizationFile",
    "PayerKind",
    "PayerPolicy",
    "Policy",
    "ReferenceData",
    "Settings",
    "find_config",
    "load_authorizations",
    "load_policy",
    "load_reference_data",
    "load_settings",
]
