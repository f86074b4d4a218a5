"""Reading REFI-QDA files: real exports, the variants programs write, and hostile or broken files."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from samendoen_analysis.errors import DataError
from samendoen_analysis.qdpx import read as qdpx_read
from samendoen_analysis.qdpx.read import check_offsets, cut, detect_counting, read_qdpx

from .qdpx_helpers import (
    ATLAS,
    END,
    LATER,
    NVIVO,
    START,
    TEXT,
    G,
    case,
    coding,
    good,
    project,
    selection,
    source,
    write_zip,
)

WORD = re.compile(r"\w")


# --- the real NVivo 12 (Windows) export -------------------------------------------------------


@pytest.fixture(scope="module")
def nvivo():
    return read_qdpx(NVIVO)


def test_nvivo_counts(nvivo):
    assert len(nvivo.users) == 2
    assert (len(nvivo.codes), len(nvivo.sources), len(nvivo.selections)) == (152, 2, 303)
    assert sum(len(s.codings) for s in nvivo.selections) == 303
    assert not nvivo.cases and nvivo.skipped_sources == 0 and nvivo.unknown_targets == 0


def test_nvivo_codes_are_nested(nvivo):
    def depth(guid: str) -> int:
        parent = nvivo.codes[guid].parent
        return 0 if parent is None else 1 + depth(parent)

    depths = [depth(g) for g in nvivo.codes]
    assert depths.count(0) == 12 and max(depths) == 3
    assert all(c.parent is None or c.parent in nvivo.codes for c in nvivo.codes.values())


def test_nvivo_positions_are_detected_as_utf16_units(nvivo):
    counting, by_points, by_units = detect_counting(nvivo)
    assert counting == "utf16_units"
    assert by_units > 0.98 and by_points < 0.2


# Checked by hand against the source file: each of these selections is exactly one YouTube
# comment, starting after the commenter's name line and ending before the likes-count line.
HAND_CHECKED = {
    0: ("Senkit nem lehet kötelezni oltásra", "szaporodhat és nem élhet."),
    3: ("Záhertorta egy alkesz nulla", "Záhertorta egy alkesz nulla"),
    100: ("Agyatlan Zombik ..", "Lopott ország. .. stb"),
    200: ("A gyártókat kell beoltatni", "összes gyártósort anyag"),
    302: ("@@szilagyitamas2823 És milyen igazad lett!", "igazad lett!☝️👌👍👍👍\r\n"),
}


@pytest.mark.parametrize("index", sorted(HAND_CHECKED))
def test_nvivo_selections_land_on_the_intended_words(nvivo, index):
    sel = nvivo.selections[index]
    text = nvivo.texts[sel.source]
    got = cut(text, sel.start, sel.end, "utf16_units")
    head, tail = HAND_CHECKED[index]
    assert got.startswith(head) and got.endswith(tail)
    assert cut(text, sel.start - 2, sel.start, "utf16_units") == "\r\n"  # starts a line: a word boundary
    after = cut(text, sel.end, sel.end + 1, "utf16_units")
    assert not (WORD.match(got[-1]) and WORD.match(after))
    # Counted as the standard says, the same numbers miss: the emoji before it shift everything.
    assert cut(text, sel.start, sel.end, "code_points") != got


# --- the real ATLAS.ti 8.4 export, whose Sources/ folder is empty ----------------------------


def test_atlas_missing_source_is_one_clear_error():
    with pytest.raises(DataError) as info:
        read_qdpx(ATLAS)
    err = info.value
    assert err.file == str(ATLAS)
    assert "is not in the archive" in err.problem and "source '" in err.problem
    assert "--text-from-selection-names" in err.fix


def test_atlas_with_selection_names_as_text():
    project = read_qdpx(ATLAS, names_for_missing=True)
    assert (len(project.codes), len(project.sources), project.skipped_sources) == (14, 6, 6)
    # 6 of the file's 8 PlainTextSelections are in text sources (the other 2 sit in non-text
    # sources, skipped with them); they carry 7 of the file's 16 codings.
    assert len(project.users) == 3 and len(project.selections) == 6
    assert sum(len(s.codings) for s in project.selections) == 7
    assert not project.texts  # nothing to cut from: the importer falls back to the names
    assert detect_counting(project) == ("code_points", 0.0, 0.0)


# --- variants real exports use -----------------------------------------------------------------


@pytest.mark.parametrize(
    "entries",
    [
        {"project.qde": project(source("internal://a.txt")), "sources/a.txt": TEXT},
        {"Project.qde": project(source("internal://a.txt")), "Sources/a.txt": TEXT},
        {"Mijn project.qde": project(source("relative://a.txt")), "sources/a.txt": TEXT},
        {"project.qde": project(source("a.txt")), "Sources/a.txt": TEXT},
        {"project.qde": project(source("internal://A.TXT")), "sources/a.txt": TEXT},
        {"project.qde": project(source(None, inline=TEXT))},
    ],
    ids=["internal", "capitals", "named-relative", "bare", "case-of-name", "inline"],
)
def test_source_variants_read_the_same(tmp_path, entries):
    read = read_qdpx(write_zip(tmp_path / "v.qdpx", entries))
    assert read.texts == {G[4]: TEXT}
    assert [(s.start, s.end) for s in read.selections] == [(START, END), (LATER, len(TEXT)), (0, 3)]


def test_guids_with_braces_and_capitals_are_the_same_guid(tmp_path):
    upper = "{" + G[1].upper() + "}"
    codes = f'<Code guid="{{{G[0].upper()}}}" name="Hobbels"><Code guid="{upper}" name="Topdown"/></Code>'
    sel = selection("{" + G[5].upper() + "}", START, END, coding(G[6], G[1].upper()))
    read = read_qdpx(write_zip(tmp_path / "b.qdpx", {"project.qde": project(source(selections=sel), codes=codes),
                                                      "sources/a.txt": TEXT}))
    assert set(read.codes) == {G[0], G[1]} and read.codes[G[1]].parent == G[0]
    assert read.selections[0].guid == G[5] and read.selections[0].codings[0][0] == G[1]


def test_selection_without_coding_and_case_codings(tmp_path):
    sel = selection(G[5], START, END, coding(G[6], G[1]) + coding(G[12], G[10])) + selection(G[7], 0, 3)
    read = read_qdpx(write_zip(tmp_path / "c.qdpx", {
        "project.qde": project(source(selections=sel), case(None)), "sources/a.txt": TEXT}))
    memo = [s for s in read.selections if not s.codings]
    assert len(memo) == 1 and memo[0].guid == G[7]
    assert G[10] in read.cases and (G[10], "") in read.selections[0].codings
    assert read.cases[G[10]].variables == {"school_id": "S6", "role_group": "teacher", "role_nl": "leraar"}


def test_coder_comes_from_the_coding_or_else_the_selection(tmp_path):
    sel = (f'<PlainTextSelection guid="{G[5]}" startPosition="{START}" endPosition="{END}" creatingUser="{G[3]}">'
           f"{coding(G[6], G[1])}{coding(G[7], G[2], G[13])}</PlainTextSelection>")
    read = read_qdpx(write_zip(tmp_path / "u.qdpx", {"project.qde": project(source(selections=sel)),
                                                      "sources/a.txt": TEXT}))
    assert read.selections[0].codings == ((G[1], G[3]), (G[2], G[13]))


def test_unknown_coding_targets_are_counted(tmp_path):
    sel = selection(G[5], START, END, coding(G[6], G[1]) + coding(G[7], G[99]))
    read = read_qdpx(write_zip(tmp_path / "t.qdpx", {"project.qde": project(source(selections=sel)),
                                                      "sources/a.txt": TEXT}))
    assert read.unknown_targets == 1


# --- counting of positions ----------------------------------------------------------------------


def _nvivo_style(tmp_path: Path, raw: str, words: list[str]) -> Path:
    """Sources as NVivo for Windows writes them: BOM, CRLF, positions in UTF-16 units."""
    units = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    sels = ""
    for i, word in enumerate(words):
        at = raw.index(word)
        sels += selection(G[30 + i], units(raw[:at]), units(raw[:at]) + units(word), coding(G[60 + i], G[1]))
    return write_zip(tmp_path / "n.qdpx", {"project.qde": project(source(selections=sels)),
                                           "sources/a.txt": ("\ufeff" + raw).encode("utf-8")})


def test_detects_utf16_units_with_crlf_and_bom(tmp_path):
    raw = "Juf 😀 zei:\r\nwe doen het samen 👍👍.\r\nDe directie 🙈 besliste het\r\nzonder ons. Jammer 😢 hoor."
    words = ["samen", "directie", "besliste", "zonder ons", "Jammer", "hoor"]
    read = read_qdpx(_nvivo_style(tmp_path, raw, words))
    counting, by_points, by_units = detect_counting(read)
    assert counting == "utf16_units" and by_units == 1.0 and by_points < 0.5
    assert [cut(read.texts[G[4]], s.start, s.end, counting) for s in read.selections] == words


def test_code_points_win_for_standard_files_and_ties(tmp_path):
    raw = "Juf 😀 zei: we doen het samen 👍👍. De directie 🙈 besliste het zonder ons."
    sels = "".join(
        selection(G[30 + i], raw.index(w), raw.index(w) + len(w), coding(G[60 + i], G[1]))
        for i, w in enumerate(["samen", "directie", "besliste", "zonder"])
    )
    read = read_qdpx(write_zip(tmp_path / "s.qdpx", {"project.qde": project(source(selections=sels)),
                                                      "sources/a.txt": raw}))
    assert detect_counting(read)[0] == "code_points"
    ascii_only = read_qdpx(good(tmp_path))  # no character outside the BMP: both agree, the standard wins
    assert detect_counting(ascii_only) == ("code_points", 1.0, 1.0)


def test_offsets_outside_the_text_name_the_selection(tmp_path):
    sel = selection(G[5], 10, 5000, coding(G[6], G[1]))
    path = write_zip(tmp_path / "o.qdpx", {"project.qde": project(source(selections=sel)), "sources/a.txt": TEXT})
    read = read_qdpx(path)
    with pytest.raises(DataError) as info:
        check_offsets(path, read, detect_counting(read)[0])
    assert info.value.column == f"PlainTextSelection {G[5]}"
    assert "outside the text" in str(info.value) and str(path) in str(info.value)


# --- broken and hostile files: each is one DataError naming the file and the problem ------------


def _truncated(path: Path) -> None:
    good(path.parent, "whole.qdpx")
    path.write_bytes((path.parent / "whole.qdpx").read_bytes()[:300])


def _bomb_entries(path: Path) -> None:
    # 300 MB of zeros compress to about 300 kB; the header's size is over the per-entry cap.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("project.qde", project(source()))
        with archive.open("sources/a.txt", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(qdpx_read.MAX_ENTRY_BYTES // len(chunk) + 1):
                fh.write(chunk)


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";" if i > 1 else "&lol;") * 10}">' for i in range(1, 10))
    + ']><Project name="&lol9;"/>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project name="&x;"/>'


BROKEN = {
    "not-a-zip": (lambda p: p.write_bytes(b"this is a text file, not a zip"), "not a readable QDPX"),
    "truncated": (_truncated, "not a readable QDPX|cannot be read"),
    "dotdot": (lambda p: write_zip(p, {"project.qde": project(source()), "sources/../../evil.txt": "x"}),
               "outside the archive"),
    "absolute": (lambda p: write_zip(p, {"project.qde": project(source()), "/etc/evil": "x"}), "outside the archive"),
    "drive": (lambda p: write_zip(p, {"project.qde": project(source()), "C:/evil": "x"}), "outside the archive"),
    "no-qde": (lambda p: write_zip(p, {"sources/a.txt": TEXT}), "no project file"),
    "two-qde": (lambda p: write_zip(p, {"a.qde": project(source()), "b.qde": project(source())}),
                "several project files"),
    "bad-xml": (lambda p: write_zip(p, {"project.qde": "<Project>\n<Unclosed></Project>"}), "not well-formed"),
    "billion-laughs": (lambda p: write_zip(p, {"project.qde": LAUGHS}), "DTD or entities"),
    "external-entity": (lambda p: write_zip(p, {"project.qde": EXTERNAL}), "DTD or entities"),
    # Files that a byte search for "<!DOCTYPE" would miss go through defusedxml, which refuses them.
    "laughs-utf16": (lambda p: write_zip(p, {"project.qde": LAUGHS.replace('1.0"?>', '1.0" encoding="UTF-16"?>')
                                             .encode("utf-16")}), "DTD or entities"),
    "laughs-latin1": (lambda p: write_zip(p, {"project.qde": LAUGHS.replace('1.0"?>', '1.0" encoding="latin-1"?>')
                                              .encode("latin-1")}), "DTD or entities"),
    "zip-bomb": (_bomb_entries, "over the cap"),
    "missing-source": (lambda p: write_zip(p, {"project.qde": project(source())}), "is not in the archive"),
    "bad-position": (
        lambda p: write_zip(p, {"project.qde": project(source(selections=selection(G[5], "x1", 9))),
                                "sources/a.txt": TEXT}),
        "not a whole number",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_and_hostile_files(tmp_path, kind):
    make, match = BROKEN[kind]
    path = tmp_path / "bad.qdpx"
    make(path)
    with pytest.raises(DataError, match=match) as info:
        read_qdpx(path)
    assert str(info.value).startswith(str(path)) and info.value.fix


def test_invalid_xml_is_located(tmp_path):
    path = write_zip(tmp_path / "x.qdpx", {"project.qde": "<Project>\n<Unclosed></Project>"})
    with pytest.raises(DataError) as info:
        read_qdpx(path)
    assert info.value.line == 2 and "project.qde" in info.value.column


def test_caps_on_entries_and_total_size(tmp_path, monkeypatch):
    path = write_zip(tmp_path / "many.qdpx", {"project.qde": project(source()), **{f"x{i}": "x" for i in range(20)}})
    monkeypatch.setattr(qdpx_read, "MAX_ENTRIES", 10)
    with pytest.raises(DataError, match="more than 10"):
        read_qdpx(path)
    monkeypatch.setattr(qdpx_read, "MAX_ENTRIES", 10_000)
    monkeypatch.setattr(qdpx_read, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(DataError, match="more than 1 GiB"):
        read_qdpx(write_zip(tmp_path / "big.qdpx", {"project.qde": project(source()), "sources/a.txt": "y" * 2000}))


def test_cut_counts_utf16_units_without_the_bom():
    text = "\ufeffhé 😀\r\nwereld"
    assert cut(text, 7, 13, "utf16_units") == "wereld"
    assert cut(text, 6, 12, "code_points") == "wereld"


def test_utf16_positions_convert_as_re_encoding_would():
    """The one-pass conversion gives what encoding the text for every selection gave."""
    import numpy as np

    from samendoen_analysis.qdpx.read import code_points

    rng = np.random.default_rng(1)
    alphabet = list("ab é\r\n") + ["😀", "𝄞"]
    text = "\ufeff" + "".join(rng.choice(alphabet, 3000))
    units = text[1:].encode("utf-16-le")
    # Positions on character boundaries, counted in UTF-16 units.
    bounds = [0]
    for ch in text[1:]:
        bounds.append(bounds[-1] + (2 if ord(ch) > 0xFFFF else 1))
    positions = np.array(rng.choice(bounds, 500))
    expected = [len(units[: 2 * p].decode("utf-16-le")) for p in positions]
    assert code_points(text, positions, "utf16_units").tolist() == expected
    assert code_points(text, positions, "code_points").tolist() == positions.tolist()
