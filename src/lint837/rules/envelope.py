"""ENV rules: the envelope and structure of the file (X12.5 / X12.6).

A clearinghouse checks the interchange, group and transaction envelopes
before it reads a single claim; a count or control number that does not
match gets the whole batch rejected with a TA1 or 999. These rules judge
what the reader counted against what the trailers declare.
"""

from __future__ import annotations

from collections.abc import Iterator

from lint837.findings import Finding, Severity
from lint837.model import (
    FunctionalGroup,
    Interchange,
    IssueKind,
    StructureIssue,
    TransactionSet,
)
from lint837.model.envelope import IMPLEMENTATION
from lint837.reader import ISA_LENGTH
from lint837.rules.base import Example, Reporter, Rule, rule

_ISA = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*250301*1200*^*00501*000000001*0*P*:~\n"
)
_GS = "GS*HC*SUBMITTER*RECEIVER*20250301*1200*1*X*005010X222A1~\n"
_ST = "ST*837*0001*005010X222A1~\nBHT*0019*00*B1*20250301*1200*CH~\n"
_SE = "SE*3*0001~\n"
_GE = "GE*1*1~\n"
_IEA = "IEA*1*000000001~\n"
_ENVELOPE = _ISA + _GS + _ST + _SE + _GE + _IEA


@rule(
    "ENV001",
    "isa-length",
    Severity.ERROR,
    "The ISA segment is not 106 characters long.",
    (Interchange,),
    Example(
        _ENVELOPE,
        _ENVELOPE.replace("*SUBMITTER      *", "*SUBMITTER*"),
    ),
)
def isa_length(interchange: Interchange, report: Reporter) -> Iterator[Finding]:
    """The ISA segment is not 106 characters long.

    X12.5 makes the ISA a fixed-length segment: every element is padded to
    its full width (ISA06 and ISA08 to 15 characters, for instance), so
    that a receiver can find the delimiters at fixed positions (the element
    separator at 4, the component separator at 105, the terminator at 106).
    Many translators read the delimiters that way; a short ISA makes them
    reject the interchange with a TA1 before any claim is read.
    lint837 finds the delimiters by counting elements, so it still reads
    the file.

    Source: ASC X12.5 Interchange Control Structure; 005010X222A1 appendix C.
    """
    header = interchange.header
    if header is None:
        return

    length = len(header.text) + len(header.delimiters.segment)
    if length != ISA_LENGTH:
        yield report.finding(
            f"ISA is {length} characters; it must be exactly {ISA_LENGTH} "
            "(pad each ISA element to its fixed width)",
            header,
        )


@rule(
    "ENV002",
    "se-segment-count",
    Severity.ERROR,
    "SE01 does not match the number of segments in the transaction set.",
    (TransactionSet,),
    Example(_ENVELOPE, _ENVELOPE.replace("SE*3*", "SE*25*")),
)
def se_segment_count(
    transaction: TransactionSet, report: Reporter
) -> Iterator[Finding]:
    """SE01 does not match the number of segments in the transaction set.

    SE01 counts every segment from ST to SE, both included. A wrong count
    makes the receiver reject the whole transaction set (999 IK5 R, AK9
    segment count error), with every claim in it.

    Source: ASC X12.6 / 005010X222A1 SE segment, SE01 Number of Included
    Segments.
    """
    trailer = transaction.trailer
    if trailer is None:
        return

    declared = trailer.get(1)
    actual = transaction.segment_count
    if declared != str(actual):
        yield report.finding(
            f"SE01 says {declared or 'nothing'}, but the transaction set has "
            f"{actual} segments from ST to SE; send SE01={actual}",
            trailer,
            "SE01",
        )


@rule(
    "ENV003",
    "st-se-control-number",
    Severity.ERROR,
    "SE02 does not repeat the ST02 control number.",
    (TransactionSet,),
    Example(_ENVELOPE, _ENVELOPE.replace("SE*3*0001", "SE*3*0002")),
)
def st_se_control(transaction: TransactionSet, report: Reporter) -> Iterator[Finding]:
    """SE02 does not repeat the ST02 control number.

    The transaction set control number in ST02 must be repeated exactly in
    SE02; a mismatch is a 999 rejection of the transaction set.

    Source: ASC X12.6; 005010X222A1 ST02 and SE02.
    """
    trailer = transaction.trailer
    if trailer is None:
        return

    opened, closed = transaction.header.get(2), trailer.get(2)
    if opened != closed:
        yield report.finding(
            f"SE02 '{closed}' does not match ST02 '{opened}'; send SE02={opened}",
            trailer,
            "SE02",
        )


@rule(
    "ENV004",
    "gs-ge-control-number",
    Severity.ERROR,
    "GE02 does not repeat the GS06 group control number.",
    (FunctionalGroup,),
    Example(_ENVELOPE, _ENVELOPE.replace("GE*1*1~", "GE*1*2~")),
)
def gs_ge_control(group: FunctionalGroup, report: Reporter) -> Iterator[Finding]:
    """GE02 does not repeat the GS06 group control number.

    GS06 and GE02 carry the same group control number; receivers reject
    the functional group (999 AK9 R) when they differ.

    Source: ASC X12.6 functional group header and trailer.
    """
    if group.header is None or group.trailer is None:
        return

    opened, closed = group.header.get(6), group.trailer.get(2)
    if opened != closed:
        yield report.finding(
            f"GE02 '{closed}' does not match GS06 '{opened}'; send GE02={opened}",
            group.trailer,
            "GE02",
        )


@rule(
    "ENV005",
    "isa-iea-control-number",
    Severity.ERROR,
    "IEA02 does not repeat the ISA13 interchange control number.",
    (Interchange,),
    Example(_ENVELOPE, _ENVELOPE.replace("IEA*1*000000001", "IEA*1*000000002")),
)
def isa_iea_control(interchange: Interchange, report: Reporter) -> Iterator[Finding]:
    """IEA02 does not repeat the ISA13 interchange control number.

    The interchange control number in ISA13 must be repeated in IEA02; a
    mismatch gets the interchange rejected with a TA1 (note code 001).

    Source: ASC X12.5 interchange control trailer.
    """
    if interchange.header is None or interchange.trailer is None:
        return

    opened = interchange.control_number
    closed = interchange.trailer.get(2).strip()
    if opened != closed:
        yield report.finding(
            f"IEA02 '{closed}' does not match ISA13 '{opened}'; send IEA02={opened}",
            interchange.trailer,
            "IEA02",
        )


@rule(
    "ENV006",
    "ge-transaction-count",
    Severity.ERROR,
    "GE01 does not match the number of transaction sets in the group.",
    (FunctionalGroup,),
    Example(_ENVELOPE, _ENVELOPE.replace("GE*1*1~", "GE*2*1~")),
)
def ge_count(group: FunctionalGroup, report: Reporter) -> Iterator[Finding]:
    """GE01 does not match the number of transaction sets in the group.

    GE01 counts the ST segments of the functional group. A wrong count is
    a 999 rejection of the group (AK9 with error code 5).

    Source: ASC X12.6 GE01 Number of Transaction Sets Included.
    """
    if group.trailer is None:
        return

    declared = group.trailer.get(1)
    actual = group.transaction_count
    if declared != str(actual):
        yield report.finding(
            f"GE01 says {declared or 'nothing'}, but the group holds {actual} "
            f"transaction set(s); send GE01={actual}",
            group.trailer,
            "GE01",
        )


@rule(
    "ENV007",
    "iea-group-count",
    Severity.ERROR,
    "IEA01 does not match the number of functional groups.",
    (Interchange,),
    Example(_ENVELOPE, _ENVELOPE.replace("IEA*1*", "IEA*3*")),
)
def iea_count(interchange: Interchange, report: Reporter) -> Iterator[Finding]:
    """IEA01 does not match the number of functional groups.

    IEA01 counts the GS segments of the interchange; a wrong count gets the
    interchange rejected with a TA1 (note code 021).

    Source: ASC X12.5 IEA01 Number of Included Functional Groups.
    """
    if interchange.trailer is None:
        return

    declared = interchange.trailer.get(1)
    actual = interchange.group_count
    if declared != str(actual):
        yield report.finding(
            f"IEA01 says {declared or 'nothing'}, but the interchange holds "
            f"{actual} functional group(s); send IEA01={actual}",
            interchange.trailer,
            "IEA01",
        )


@rule(
    "ENV008",
    "missing-trailer",
    Severity.ERROR,
    "An envelope is never closed: SE, GE or IEA is missing (truncated file?).",
    (TransactionSet, FunctionalGroup, Interchange),
    Example(_ENVELOPE, _ISA + _GS + _ST),
)
def missing_trailer(
    envelope: TransactionSet | FunctionalGroup | Interchange, report: Reporter
) -> Iterator[Finding]:
    """An envelope is never closed: SE, GE or IEA is missing.

    Every ST needs its SE, every GS its GE and every ISA its IEA. A missing
    trailer usually means the file was cut off in transfer or by a writer
    that crashed; the receiver rejects what is unclosed, and claims after
    the cut are lost. Resend the complete file.

    Source: ASC X12.5 and X12.6 control structures.
    """
    if envelope.trailer is not None or envelope.header is None:
        return

    names = {TransactionSet: ("ST", "SE"), FunctionalGroup: ("GS", "GE")}
    opened, closer = names.get(type(envelope), ("ISA", "IEA"))
    yield report.finding(
        f"{opened} at segment {envelope.header.index} has no {closer}: "
        "the file ends or another envelope starts first (truncated file?)",
        envelope.header,
    )


@rule(
    "ENV009",
    "out-of-scope-transaction",
    Severity.INFO,
    "A transaction set that is not an 837P (005010X222) claim: skipped.",
    (TransactionSet,),
    Example(_ENVELOPE, _ENVELOPE.replace("005010X222A1", "005010X223A2")),
)
def out_of_scope(transaction: TransactionSet, report: Reporter) -> Iterator[Finding]:
    """A transaction set that is not an 837P (005010X222) claim: skipped.

    lint837 checks professional claims built on the 005010X222 guide (A1
    and A2 errata). Institutional (X223) and dental (X224) claims, the
    older 4010 guides and other transactions (276, 835...) are out of scope:
    they are reported once, not judged.

    Source: ST01 and ST03 (else GS08) of the transaction set.
    """
    if not transaction.in_scope:
        yield report.finding(
            f"transaction set {transaction.code or '?'} "
            f"{transaction.implementation or '(no version)'} is not an 837P "
            f"{IMPLEMENTATION} claim; skipped",
            transaction.header,
        )


@rule(
    "ENV010",
    "missing-envelope",
    Severity.ERROR,
    "Segments outside an ISA/GS/ST envelope, or an envelope without its header.",
    (StructureIssue,),
    Example(_ENVELOPE, _GS + _ST + _SE + _GE),
)
def missing_envelope(issue: StructureIssue, report: Reporter) -> Iterator[Finding]:
    """Segments outside an ISA/GS/ST envelope, or a GS/ST without its header.

    A file sent to a clearinghouse is one or more interchanges (ISA…IEA),
    each holding functional groups (GS…GE) of transaction sets (ST…SE).
    A bare transaction set, or text between envelopes, is not accepted by
    a receiver. lint837 still reads what it can.

    Source: ASC X12.5 and X12.6 control structures.
    """
    messages = {
        IssueKind.MISSING_INTERCHANGE: "{detail} has no ISA interchange around it",
        IssueKind.MISSING_GROUP: "ST has no GS functional group around it",
        IssueKind.OUTSIDE_ENVELOPE: "segment {detail} is outside any ST…SE "
        "transaction set; remove it or put it inside an envelope",
    }

    template = messages.get(issue.kind)
    if template is not None:
        yield report.finding(template.format(detail=issue.detail), issue.segment)


@rule(
    "ENV011",
    "unknown-segment",
    Severity.ERROR,
    "A segment that is not part of the 837P guide, or not a segment at all.",
    (StructureIssue,),
    Example(
        _ENVELOPE,
        _ENVELOPE.replace("SE*3*", "ZZZ*1~\nSE*4*"),
    ),
)
def unknown_segment(issue: StructureIssue, report: Reporter) -> Iterator[Finding]:
    """A segment that is not part of the 837P guide, or not a segment at all.

    Segment ids are two or three upper-case letters or digits from the X12
    dictionary, and an 837P may only use those of the 005010X222A1 guide.
    Anything else (garbage, a lower-case id, a segment of another
    transaction) is rejected in a 999 (IK3 code 1 or 2). An unknown but
    well-formed id is a warning; a malformed one an error.

    Source: 005010X222A1 segment list; ASC X12.6 segment syntax.
    """
    if issue.kind is IssueKind.UNKNOWN_SEGMENT:
        yield report.finding(
            f"segment id {issue.detail} is not used in an 837P (005010X222A1)",
            issue.segment,
            severity=Severity.WARNING,
        )
    elif issue.kind is IssueKind.MALFORMED_SEGMENT:
        yield report.finding(
            f"'{issue.detail}' is not an X12 segment id (2-3 upper-case letters "
            "or digits); the segment is damaged or not X12",
            issue.segment,
        )


@rule(
    "ENV012",
    "hierarchy",
    Severity.ERROR,
    "The HL hierarchy is broken: a parent that does not exist, a claim or "
    "line outside its level.",
    (StructureIssue,),
    Example(_ENVELOPE, _ENVELOPE.replace("SE*3*", "HL*2*9*22*0~\nSE*4*")),
)
def hierarchy(issue: StructureIssue, report: Reporter) -> Iterator[Finding]:
    """The HL hierarchy is broken.

    An 837P nests billing provider (HL03=20), subscriber (22) and patient
    (23) levels; HL02 names the parent level's HL01. Claims (CLM) belong to
    a subscriber or patient level and service lines (LX) to a claim. A
    broken hierarchy gets the transaction rejected, and lint837 cannot tell
    which payer or patient a claim belongs to.

    Source: 005010X222A1 section 2.3 (HL structure), loops 2000A-2000C.
    """
    messages = {
        IssueKind.HL_PARENT: "HL02 parent '{detail}' is not an open HL level "
        "of the right kind (20 for a subscriber, 22 for a patient)",
        IssueKind.HL_LEVEL: "HL03 '{detail}' is not a level of an 837P "
        "(20 billing provider, 22 subscriber, 23 patient)",
        IssueKind.CLAIM_WITHOUT_SUBSCRIBER: "CLM comes before any subscriber "
        "HL (22): the claim has no payer or patient",
        IssueKind.LINE_WITHOUT_CLAIM: "LX service line comes before any CLM "
        "of its HL level: it belongs to no claim",
    }

    template = messages.get(issue.kind)
    if template is not None:
        yield report.finding(template.format(detail=issue.detail), issue.segment)


@rule(
    "ENV013",
    "version-mismatch",
    Severity.WARNING,
    "ST03 and GS08 name different versions of the guide.",
    (TransactionSet,),
    Example(
        _ENVELOPE,
        _ENVELOPE.replace("ST*837*0001*005010X222A1", "ST*837*0001*005010X222"),
    ),
)
def version_mismatch(
    transaction: TransactionSet, report: Reporter
) -> Iterator[Finding]:
    """ST03 and GS08 name different versions of the guide.

    The 005010X222A1 guide asks for its identifier in both GS08 and ST03;
    receivers that check both reject a transaction set whose ST03 differs
    from its group's GS08.

    Source: 005010X222A1 GS08 and ST03 notes.
    """
    declared = transaction.header.get(3)
    version = transaction.group.version
    if transaction.in_scope and declared and version and declared != version:
        yield report.finding(
            f"ST03 '{declared}' differs from GS08 '{version}'; send the same "
            "guide identifier (005010X222A1) in both",
            transaction.header,
            "ST03",
        )


RULES: tuple[Rule, ...] = (
    isa_length,
    se_segment_count,
    st_se_control,
    gs_ge_control,
    isa_iea_control,
    ge_count,
    iea_count,
    missing_trailer,
    out_of_scope,
    missing_envelope,
    unknown_segment,
    hierarchy,
    version_mismatch,
)
