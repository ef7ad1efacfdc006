"""Implementation-guide validation: the 005010X222A1 guide, checked per transaction set.

Validation sits beside the rules in the flow: it reads segments (from
``lint837.reader``) rather than claims, and its problems become ordinary
findings with ``X12`` codes. Two validators report the same problems:
pyx12's own (the reference, slow) and a fast one compiled from pyx12's map.
Both speak in :class:`lint837.validation.problem.Problem` records, so the
agreement between them can be tested problem by problem.
"""
