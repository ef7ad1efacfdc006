"""The reader: delimiters from each ISA, positions, layouts, bad input."""

from __future__ import annotations

import io

import pytest

from lint837.errors import InputError
from lint837.reader import read_segments, sniff_isa

from conftest import FIXTURES, manifest

ISA = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*250301*1200*^*00501*000000001*0*P*:~"
)

LAYOUTS = sorted(
    path for path in manifest() if path.startswith(("layouts/", "structure/"))
)


def segments(data: bytes, chunk_size: int = 1 << 20) -> list[tuple]:
    stream = io.BytesIO(data)
    return [
        (s.index, s.offset, s.line, s.column, s.id, s.text, s.delimiters)
        for block in read_segments(stream, "test", chunk_size)
        for s in block.segments()
    ]


def test_isa_gives_all_four_delimiters() -> None:
    header = sniff_isa(ISA)
    assert header is not None
    assert header.length == 106
    delimiters = header.delimiters
    assert (delimiters.element, delimiters.component) == ("*", ":")
    assert (delimiters.segment, delimiters.repetition) == ("~", "^")


def test_repetition_separator_only_from_version_00501() -> None:
    header = sniff_isa(ISA.replace("*^*00501*", "*U*00401*"))
    assert header is not None
    assert header.delimiters.repetition is None


def test_collapsed_isa_still_gives_delimiters_and_its_length() -> None:
    header = sniff_isa("ISA*00* *00* *ZZ*A*ZZ*B*250301*1200*^*00501*1*0*P*:~GS*HC~")
    assert header is not None
    assert header.delimiters.segment == "~"
    assert header.length < 106


@pytest.mark.parametrize("relative", LAYOUTS)
def test_positions_point_at_the_segment_text(relative: str) -> None:
    data = (FIXTURES / relative).read_bytes()
    found = segments(data)
    assert found, relative
    if relative.endswith("utf16le_bom.837"):
        text = data.decode("utf-16")
        for _, offset, *_rest, body, _ in found:
            assert text[(offset - 2) // 2 :].startswith(body)
        return
    # Old Mac files break lines with a bare CR.
    line_break = b"\r" if b"\n" not in data and b"\r" in data else b"\n"
    for index, offset, line, column, _, body, _ in found:
        assert data[offset:].decode("latin-1").startswith(body), (relative, index)
        start_of_line = data.rfind(line_break, 0, offset) + 1
        assert line == data.count(line_break, 0, offset) + 1
        expected_column = offset - start_of_line + 1
        if start_of_line == 0 and data.startswith(b"\xef\xbb\xbf"):
            expected_column -= 3  # the byte-order mark is not a column
        assert column == expected_column, (relative, index)


@pytest.mark.parametrize("relative", LAYOUTS)
@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
def test_chunk_boundaries_change_nothing(relative: str, chunk_size: int) -> None:
    data = (FIXTURES / relative).read_bytes()
    assert segments(data, chunk_size) == segments(data)


def test_segment_index_is_one_based_over_the_file() -> None:
    data = (FIXTURES / "structure/multi_envelope.837").read_bytes()
    found = segments(data)
    assert [entry[0] for entry in found] == list(range(1, len(found) + 1))
    assert found[0][4] == "ISA"


def test_each_interchange_uses_its_own_delimiters() -> None:
    found = segments((FIXTURES / "structure/multi_envelope.837").read_bytes())
    isas = [entry for entry in found if entry[4] == "ISA"]
    assert [isa[6].element for isa in isas] == ["*", "|"]
    assert [isa[6].component for isa in isas] == [":", ">"]


def test_a_new_terminator_in_a_later_interchange_is_followed() -> None:
    second = ISA.replace("*", "|").replace(":~", ">\n")
    data = (
        ISA + "\nGS*HC~\nGE*0*1~\nIEA*1*1~\n" + second + "GS|HC\nIEA|1|1\n"
    ).encode()
    for chunk_size in (5, 1 << 20):
        ids = [entry[4] for entry in segments(data, chunk_size)]
        assert ids == ["ISA", "GS", "GE", "IEA", "ISA", "GS", "IEA"]


def test_text_after_the_last_terminator_is_kept() -> None:
    data = (ISA + "GS*HC~ST*837*1~CLM*A1*10").encode()
    assert segments(data)[-1][5] == "CLM*A1*10"


def test_a_file_without_isa_gets_guessed_delimiters() -> None:
    found = segments(b"ST*837*0001*005010X222A1~BHT*0019~SE*3*0001~")
    assert [entry[4] for entry in found] == ["ST", "BHT", "SE"]


@pytest.mark.parametrize(
    "relative", sorted(p for p, e in manifest().items() if e.get("not_x12"))
)
def test_non_x12_input_is_refused_with_the_file_name(relative: str) -> None:
    with (
        (FIXTURES / relative).open("rb") as handle,
        pytest.raises(InputError) as raised,
    ):
        list(read_segments(handle, relative))
    assert relative in str(raised.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n", "PDF"),
        (b'{"claims": []}', "JSON"),
        (b"\x00\x01\x02binary", "binary"),
        (b"ISA", "not an X12"),
    ],
)
def test_refusals_say_what_was_found(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        list(read_segments(io.BytesIO(data), "x.837"))


def test_elements_and_components_split_on_demand() -> None:
    data = (ISA + "\nSV1*HC:J3420:JZ*8*UN*1*11**1:2~\n").encode()
    sv1 = [s for b in read_segments(io.BytesIO(data), "t") for s in b.segments()][1]
    assert sv1.get(4) == "1"
    assert sv1.components(1) == ["HC", "J3420", "JZ"]
    assert sv1.component(7, 2) == "2"
    assert sv1.get(40) == ""
    assert sv1.element_offset(2) == len("SV1*HC:J3420:JZ*")


def test_a_bare_carriage_return_can_be_the_terminator() -> None:
    data = (FIXTURES / "layouts/standard.837").read_bytes().replace(b"~\n", b"\r")
    for chunk_size in (7, 1 << 20):
        found = segments(data, chunk_size)
        assert [entry[4] for entry in found][:3] == ["ISA", "GS", "ST"]
        assert found[-1][4] == "IEA"
        assert [entry[2] for entry in found] == list(range(1, len(found) + 1))
