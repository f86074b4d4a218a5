"""The anonymisation guard: Dutch identifiers with their checksums, every hit located and masked."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samendoen_analysis.data import anonymisation
from samendoen_analysis.data.anonymisation import (
    PATTERNS,
    Hit,
    bsn_valid,
    find_all_identifiers,
    find_identifiers,
    iban_valid,
)

# Published test numbers: the BSN of the Dutch government's test persons (RvIG, "fictieve BSN"
# 999990019 and the well-known 11-test example 111222333) and the IBAN example of ISO 13616 / the
# Dutch Payments Association (NL91ABNA0417164300), plus the Belgian ISO example.
VALID_BSN = ["111222333", "999990019", "123456782"]
VALID_IBAN = ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "BE68 5390 0754 7034", "nl91abna0417164300"]


@pytest.mark.parametrize("number", VALID_BSN)
def test_bsn_11_test_accepts_valid_numbers(number):
    assert bsn_valid(number)


@pytest.mark.parametrize("number", ["111222334", "123456789", "000000000", "12345678", "1234567890"])
def test_bsn_11_test_refuses_others(number):
    assert not bsn_valid(number)


@pytest.mark.parametrize("iban", VALID_IBAN)
def test_iban_mod_97_accepts_valid_numbers(iban):
    assert iban_valid(iban)


@pytest.mark.parametrize("iban", ["NL91ABNA0417164301", "NL19ABNA0417164300", "NL91ABNA041716430", "XX00"])
def test_iban_mod_97_refuses_others(iban):
    assert not iban_valid(iban)


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start : h.end]) for h in find_all_identifiers([text])]


@pytest.mark.parametrize(
    "text, found",
    [
        ("Mijn BSN is 111222333.", ("bsn", "111222333")),
        ("BSN 1112.22.333 staat op de pas", ("bsn", "1112.22.333")),
        ("nummer 111 222 333 toch", ("bsn", "111 222 333")),
        ("IBAN NL91 ABNA 0417 1643 00, graag", ("iban", "NL91 ABNA 0417 1643 00")),
        ("rekening nl91abna0417164300 ok", ("iban", "nl91abna0417164300")),
        ("Bel 06-12345678 maar", ("phone", "06-12345678")),
        ("Bel 06 - 12 34 56 78 maar", ("phone", "06 - 12 34 56 78")),
        ("Bel +31 6 12345678 maar", ("phone", "+31 6 12345678")),
        ("Bel +31 (0)20 123 4567 maar", ("phone", "+31 (0)20 123 4567")),
        ("Bel 0031 20 1234567 maar", ("phone", "0031 20 1234567")),
        ("Bel (020) 123 45 67 maar", ("phone", "(020) 123 45 67")),
        ("Bel 010-1234567.", ("phone", "010-1234567")),
        ("mail j.devries@school.nl", ("email", "j.devries@school.nl")),
        ("kijk op www.onzeschool.nl", ("url", "www.onzeschool.nl")),
        ("het is 6211 AB in Maastricht", ("postcode", "6211 AB")),
    ],
)
def test_each_kind_is_found_where_it_is(text, found):
    assert _kinds(text) == [found]


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 en 2021 hadden we 123456789 problemen.",  # nine digits failing the 11-test
        "NL91ABNA0417164301 is fout getypt",  # fails mod 97
        "om 10.30 uur, lokaal 0.12, 3 van de 25 leerlingen",
        "het kostte 1.250.000 euro in 2020-2021",
        "groep 7 en 8, 06 uur, 0,5 fte",
    ],
)
def test_ordinary_numbers_are_not_identifiers(text):
    assert _kinds(text) == []


def test_hits_have_rows_positions_and_masked_excerpts():
    texts = pd.Series(["niets", "Bel 06-12345678 of mail a.b@school.nl", None, "BSN 111222333"], index=[10, 11, 12, 13])
    hits = find_all_identifiers(texts)
    assert [h[:4] for h in hits] == [(1, 4, 15, "phone"), (1, 24, 37, "email"), (3, 4, 13, "bsn")]
    assert all(isinstance(h, Hit) for h in hits)
    assert hits[0].excerpt == "Bel 06-******** of mail a.*…"
    assert hits[2].excerpt == "BSN 11*******"
    assert "a phone number at characters 5-15" in hits[0].describe()
    for hit in hits:
        assert texts.iloc[hit.row][hit.start : hit.end] not in hit.excerpt


def test_deny_list_names_are_whole_words_any_case():
    hits = find_all_identifiers(["Toen zei BAKKER het", "de bakkerij"], deny=["Bakker", ""])
    assert [(h.row, h.kind) for h in hits] == [(0, "name")]


def test_first_hit_keeps_the_old_interface():
    assert find_identifiers(pd.Series(["ok", "BSN 111222333"])) == (
        1, "a citizen service number (BSN, passes the 11-test)", "111222333")
    assert find_identifiers(pd.Series(["ok"])) is None


def test_hits_are_found_in_every_block(monkeypatch):
    monkeypatch.setattr(anonymisation, "_BLOCK_ROWS", 3)
    texts = ["a"] * 7 + ["bel 06-12345678"] + ["b"] * 2 + ["111222333"]
    assert [(h.row, h.kind) for h in find_all_identifiers(texts)] == [(7, "phone"), (10, "bsn")]


def _passes(kind: str, text: str) -> bool:
    return bsn_valid(re.sub(r"\D", "", text)) if kind == "bsn" else iban_valid(text) if kind == "iban" else True


def _naive(texts: list[str]) -> list[tuple[int, int, int, str]]:
    """Every pattern on every text: the plain scan the fast one must equal."""
    spans = []
    for row, text in enumerate(texts):
        found = sorted(
            (m.start(), -m.end(), kind)
            for kind, pattern in PATTERNS.items()
            for m in re.finditer(pattern, text)
            if _passes(kind, m[0])
        )
        end = -1
        for start, neg_end, kind in found:
            if start >= end:
                spans.append((row, start, -neg_end, kind))
                end = -neg_end
    return spans


_PIECES = st.sampled_from(
    ["06-12345678", "111222333", "NL91ABNA0417164300", "a@b.nl", "www.x.nl", "6211 AB", "2020", "0", " ", "\n",
     "een", "Bel", "0031", "+31", "(0)", "-", ".", "@", "123", "NL", "é", "[naam]"]
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=8))
def test_fast_scan_equals_the_plain_scan(texts):
    assert [h[:4] for h in find_all_identifiers(texts)] == _naive(texts)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(10_000_000, 999_999_999), st.text(alphabet="abc ,.", max_size=20))
def test_every_bsn_that_passes_the_11_test_is_found(number, words):
    digits = f"{number:09d}"
    hits = find_all_identifiers([f"{words} {digits} {words}"])
    assert bsn_valid(digits) == any(h.kind == "bsn" for h in hits)
