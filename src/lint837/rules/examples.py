"""The claim every rule example starts from: a J3420 claim that passes.

A vitamin B12 injection in the office: 96372 and J3420 on the same date,
a supportive diagnosis, the NDC of a 1,000 mcg/mL vial, a claim-level prior
authorization. Rules show their failing example as a small edit of it.
"""

GOOD_CLAIM = """\
CLM*EX1*33***11:B:1*Y*A*Y*Y~
REF*G1*PA12345~
HI*ABK:D510~
LX*1~
SV1*HC:96372*25*UN*1*11**1~
DTP*472*D8*20250301~
LX*2~
SV1*HC:J3420*8*UN*1*11**1~
DTP*472*D8*20250301~
LIN**N4*00517003125~
CTP****1*ML~
"""

MEDICARE = """\
SBR*P*18*******MB~
NM1*IL*1*DOE*JANE****MI*1EG4TE5MK72~
NM1*PR*2*MEDICARE PART B*****PI*MEDICAREB~
"""

MEDICAID = """\
SBR*P*18*******MC~
NM1*IL*1*DOE*JANE****MI*MCD000111~
NM1*PR*2*STATE MEDICAID*****PI*STATEMCD~
"""

# The policy the prior-authorization examples run with.
ACME_REQUIRES_PA = """\
[payer.ACMEPA]
name = "Acme Health Plan"
prior_auth = ["J3420"]
"""

# The policy the self-administered drug example runs with: the Medicare
# payer lists J3420 on its exclusion list, Acme does not.
MEDICARE_EXCLUDES_J3420 = """\
[payer.MEDICAREB]
name = "Medicare Part B"
sad_excluded = ["J3420"]
"""
