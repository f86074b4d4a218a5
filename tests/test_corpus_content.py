"""The shipped corpus's content: coded by the definitions, one voice per person, true to its README.

These tests read the data files as they are shipped; they fail when an edit of the corpus breaks
a promise that ``data/README.md``, ``datapackage.json`` or the article makes.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from samendoen_analysis.data.words import WORD_PATTERN
from samendoen_analysis.paths import DATA_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "corpus_content"
DESIGN = DATA_DIR.parent / "docs" / "reconstruction" / "design.py"
MAX_SHARED_RUN = 6  # words two respondents' segments may share in a row (quotes aside)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _data(name: str) -> list[dict[str, str]]:
    return _rows(DATA_DIR / name)


def _codes() -> dict[str, set[str]]:
    codes: dict[str, set[str]] = defaultdict(set)
    for row in _data("codings.csv"):
        codes[row["segment_id"]].add(row["code_id"])
    return codes


@pytest.mark.parametrize("row", _rows(FIXTURES / "coding_expectations.csv"),
                         ids=lambda r: f"{r['segment_id']}-{r['code_id']}")
def test_coding_follows_the_definitions(row):
    has = row["code_id"] in _codes()[row["segment_id"]]
    assert has == (row["expected"] == "present"), row["reason"]


def test_every_corona_passage_has_a_sub_tag():
    subtags = {r["code_id"] for r in _data("codebook.csv") if r["parent_id"] == "corona"}
    assert subtags == {"corona.infection_fear", "corona.absence", "corona.rules", "corona.online"}
    for segment, codes in _codes().items():
        if any(c == "corona" or c in subtags for c in codes):
            assert "corona" in codes and codes & subtags, segment


def _tokens() -> tuple[dict[str, list[str]], dict[str, str]]:
    segments = [r for r in _data("segments.csv") if r["origin"] != "article_quote"]
    words = {r["segment_id"]: [w.lower() for w in WORD_PATTERN.findall(r["text"])] for r in segments}
    return words, {r["segment_id"]: r["respondent_id"] for r in segments}


def test_no_word_sequence_is_shared_between_respondents():
    words, who = _tokens()
    n = MAX_SHARED_RUN + 1
    seen: dict[tuple[str, ...], str] = {}
    for segment, tokens in words.items():
        for i in range(len(tokens) - n + 1):
            run = tuple(tokens[i:i + n])
            other = seen.setdefault(run, segment)
            assert who[other] == who[segment], f"{other} and {segment} share '{' '.join(run)}'"


def _mean_lengths() -> dict[str, dict[str, float]]:
    """Mean words per segment, per school and person (quotes aside: their length is the article's)."""
    school = {r["respondent_id"]: r["school_id"] for r in _data("respondents.csv")}
    lengths: dict[str, list[int]] = defaultdict(list)
    for row in _data("segments.csv"):
        if row["origin"] != "article_quote":
            lengths[row["respondent_id"]].append(len(WORD_PATTERN.findall(row["text"])))
    means: dict[str, dict[str, float]] = defaultdict(dict)
    for person, values in lengths.items():
        means[school[person]][person] = sum(values) / len(values)
    return means


def test_segment_length_is_a_trait_of_the_person_not_of_the_school():
    means = _mean_lengths()
    big = {s: m for s, m in means.items() if len(m) >= 4}  # the schools with teachers and partners
    for school, people in big.items():
        assert max(people.values()) >= 1.3 * min(people.values()), (school, people)
    within = [max(m.values()) - min(m.values()) for m in big.values()]
    school_means = [sum(m.values()) / len(m) for m in big.values()]
    assert min(within) > max(school_means) - min(school_means)


def test_the_articles_quotes_are_stored_verbatim():
    quotes = _rows(FIXTURES / "article_quotes.csv")
    stored = {r["text"]: r for r in _data("segments.csv") if r["origin"] == "article_quote"}
    assert len(quotes) == len(stored) == 9
    for quote in quotes:
        assert quote["quote"] in stored, quote["quote"][:40]
        assert stored[quote["quote"]]["source_ref"] == quote["source_ref"]


def test_claims_cite_short_verbatim_phrases_of_the_article():
    phrases = defaultdict(set)
    for row in _rows(FIXTURES / "article_phrases.csv"):
        phrases[row["claim_id"]].add(row["phrase"])
    for claim in _data("claims.csv"):
        parts = claim["article_words"].split(" … ")
        assert set(parts) == phrases[claim["claim_id"]], claim["claim_id"]
        assert all(len(p.split()) <= 12 for p in parts), claim["claim_id"]
        assert claim["operationalisation_en"] and claim["operationalisation_nl"]
    c7 = next(c for c in _data("claims.csv") if c["claim_id"] == "C7")
    assert (c7["test"], c7["code_id"], c7["subcodes"]) == ("subcode_share", "corona",
                                                           "corona.infection_fear;corona.absence")


def _design():
    spec = importlib.util.spec_from_file_location("design", DESIGN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _facts() -> list[tuple[str, tuple]]:
    """Every statement with a number in data/README.md, and the numbers the files give."""
    schools, segments = _data("schools.csv"), _data("segments.csv")
    codebook, independent = _data("codebook.csv"), _data("independent_codings.csv")
    follow = [s["followup"] for s in schools]
    words = {r["segment_id"]: len(WORD_PATTERN.findall(r["text"])) for r in segments}
    uncoded = [r["segment_id"] for r in segments if r["coded"] == "false"]
    coded = len(segments) - len(uncoded)
    by_coder: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in independent:
        by_coder[(row["segment_id"], row["coder"])].add(row["code_id"])
    both = {s for (s, c) in by_coder if c == "I1" and (s, "I2") in by_coder}
    consensus = _codes()
    departs = {c: sum(by_coder[(s, c)] != consensus[s] for s in both) for c in ("I1", "I2")}
    design = _design()
    cells = design.check(DATA_DIR)
    pct = lambda a, b: f"{100 * a / b:.1f}"  # noqa: E731
    return [
        (r"the (\d+) lenses", (sum(r["kind"] == "lens" for r in codebook),)),
        (r"the (\d+) corona sub-tags", (sum(r["parent_id"] == "corona" for r in codebook),)),
        (r"\| (\d+) segments with `origin = article_quote`", (sum(r["origin"] == "article_quote" for r in segments),)),
        (r"management of (\d+) schools", (len(schools),)),
        (r"that (\d+) director\s+could not", (follow.count("none"),)),
        (r"those (\d+) schools", (len(follow) - follow.count("none"),)),
        (r"partners for (\d+) of them", (follow.count("full"),)),
        (r"\(seed (\d+)\)", (design.SEED,)),
        (r"(\d+) of (\d+) cells were within (\d+)% or (\d+) words",
         (sum(c[4] for c in cells), len(cells), round(100 * design.TOLERANCE), design.TOLERANCE_SMALL)),
        (r"shared by (\d+) respondents' segments under (\d+) words", (2, MAX_SHARED_RUN + 1)),
        (r"(\d+) segments \(`coded = false`, ([\d.]+)% of all words\)",
         (len(uncoded), pct(sum(words[s] for s in uncoded), sum(words.values())))),
        (r"(\d+) of the (\d+) coded segments \(([\d.]+)%\)", (len(both), coded, pct(len(both), coded))),
        (r"the (\d+) researchers depart", (len({r["coder"] for r in independent}),)),
        (r"I1 in (\d+) segments,\s+I2 in (\d+)\)", (departs["I1"], departs["I2"])),
        (r"school approached \((\d+)\)", (len(schools),)),
        (r"person interviewed \((\d+)\)", (len(_data("respondents.csv")),)),
        (r"uncoded talk \((\d+) in all\)", (len(segments),)),
    ]


# Digits that are not statements: ids (S1, C7, I2), C1-C5, UTF-8, CC-BY-4.0, list numbers.
_NOT_A_NUMBER = re.compile(r"\b(?:[SCIR]\d\b(?:-C\d\b)?|UTF-8|CC-BY-4\.0)|^\d+\.(?= )", re.MULTILINE)


def test_every_number_in_the_data_readme_is_true():
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    covered = [m.span() for m in _NOT_A_NUMBER.finditer(text)]
    for pattern, expected in _facts():
        found = list(re.finditer(pattern, text))
        assert found, f"README no longer says: {pattern}"
        for match in found:
            assert tuple(str(v) for v in expected) == match.groups(), (pattern, match.group(0))
            covered += [match.span(i + 1) for i in range(len(expected))]
    for number in re.finditer(r"\d+(?:\.\d+)?", text):
        assert any(a <= number.start() and number.end() <= b for a, b in covered), (
            f"'{text[max(0, number.start() - 40):number.end() + 20]}' states a number no test checks")


def test_every_number_in_the_descriptor_is_true():
    descriptor = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    text = json.dumps(descriptor, ensure_ascii=False)
    lenses = sum(r["kind"] == "lens" for r in _data("codebook.csv"))
    coders = {r["coder"] for r in _data("independent_codings.csv")}
    coders |= {r["interviewer"] for r in _data("respondents.csv")}
    ratio = {float(c["threshold"]) for c in _data("claims.csv") if c["test"] == "ratio"}
    assert "the five lenses" in text and lenses == 5
    assert "approached (five)" in text and len(_data("schools.csv")) == 5
    assert "the two researchers" in text and len(coders) == 2
    assert "a ratio of 1.25" in text and ratio == {1.25}
    positions = defaultdict(list)
    for row in _data("segments.csv"):
        positions[row["respondent_id"]].append(int(row["position"]))
    assert "(1 = first)" in text and all(sorted(p) == list(range(1, len(p) + 1)) for p in positions.values())
    words = re.findall(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eighteen)\b", text, re.IGNORECASE)
    assert sorted(w.lower() for w in words) == ["five", "five", "five", "two", "two"]


def test_budgets_are_what_the_seeded_design_writes():
    design = _design()
    budgets, rejected = design.design(DATA_DIR)
    written = {r["respondent_id"]: {c: int(r[c]) for c in design.COLUMNS}
               for r in _rows(DESIGN.parent / "budgets.csv")}
    assert budgets == written
    assert rejected == 0  # data/README.md: "the first draw with this seed passed"
    assert "the first draw with this seed passed" in (DATA_DIR / "README.md").read_text(encoding="utf-8")
