"""The shipped corpus: valid, as rich as promised, faithful to the article's roster and emphasis."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

from samendoen_analysis.cli import main
from samendoen_analysis.data.words import WORD_PATTERN, count_words
from samendoen_analysis.paths import DATA_DIR


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_validate_command_passes(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "respondents: 18 (teacher 6, external_partner 6, support_staff 1, management 5)" in out
    assert "valid: yes" in out


def test_word_rules():
    assert count_words("samen-DOEN") == 1
    assert count_words("Nou... eh, ja!") == 3
    assert count_words("[naam school] en zo'n [collega]") == 5


def test_size_and_coverage(corpus):
    assert len(corpus.segments) >= 240
    assert corpus.segments["words"].sum() >= 10_000
    per_code = corpus.codings.merge(corpus.segments, on="segment_id").groupby("code_id", observed=False)[
        "respondent_id"
    ]
    subthemes = corpus.codebook.loc[corpus.codebook["kind"] == "subtheme", "code_id"]
    counts = per_code.nunique().reindex(subthemes)
    assert (counts >= 2).all(), counts[counts < 2].to_dict()


def test_roster_matches_the_article(corpus):
    roles = Counter(zip(corpus.respondents["school_id"], corpus.respondents["role_group"], strict=True))
    assert roles == Counter(
        {
            ("S1", "management"): 1,
            ("S1", "teacher"): 2,
            ("S1", "external_partner"): 2,
            ("S2", "management"): 1,
            ("S3", "management"): 1,
            ("S3", "teacher"): 2,
            ("S3", "external_partner"): 2,
            ("S4", "management"): 1,
            ("S4", "support_staff"): 1,
            ("S4", "teacher"): 2,
            ("S4", "external_partner"): 2,
            ("S5", "management"): 1,
        }
    )
    assert set(corpus.respondents.loc[corpus.respondents["role_group"] == "management", "mode"]) == {"phone"}
    assert corpus.respondents["interviewer"].value_counts().to_dict() == {"I1": 9, "I2": 9}
    sizes = corpus.codebook[corpus.codebook["kind"] == "subtheme"].groupby("parent_id").size()
    assert sizes.to_dict() == {"ideal": 3, "expertise": 8, "obstacles": 7, "positive": 6, "organisation": 4}


def test_independent_coding_covers_enough_segments(corpus):
    coded = corpus.independent_codings.groupby("segment_id")["coder"].nunique()
    assert (coded == 2).sum() >= 0.3 * len(corpus.segments)


def test_article_quotes_are_marked_and_located(corpus):
    quotes = corpus.segments[corpus.segments["origin"] == "article_quote"]
    assert len(quotes) == 9
    assert (quotes["source_ref"] != "").all()
    assert (corpus.segments.loc[corpus.segments["origin"] != "article_quote", "source_ref"] == "").all()


def _lens_words_by_group() -> dict[tuple[str, str], int]:
    """Recompute emphasis in words straight from the CSV files, without the package's measures."""
    group = {r["respondent_id"]: r["role_group"] for r in _rows("respondents.csv")}
    parent = {r["code_id"]: r["parent_id"] or r["code_id"] for r in _rows("codebook.csv")}
    seg = {
        r["segment_id"]: (group[r["respondent_id"]], len(WORD_PATTERN.findall(r["text"])))
        for r in _rows("segments.csv")
    }
    lenses = defaultdict(set)
    for r in _rows("codings.csv"):
        lenses[r["segment_id"]].add(parent[r["code_id"]])
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for sid, codes in lenses.items():
        for lens in codes:
            totals[(seg[sid][0], lens)] += seg[sid][1]
    return totals


def test_article_emphasis_holds_in_words():
    w = _lens_words_by_group()
    lenses = ["ideal", "expertise", "obstacles", "positive", "organisation"]
    for group in ("teacher", "external_partner"):
        assert max(lenses, key=lambda lens: w[(group, lens)]) == "ideal", group
    assert w[("external_partner", "expertise")] >= 1.25 * w[("teacher", "expertise")]
    assert w[("external_partner", "organisation")] >= 1.25 * w[("teacher", "organisation")]
    assert w[("teacher", "obstacles")] >= 1.25 * w[("external_partner", "obstacles")]
    assert w[("teacher", "positive")] >= 1.25 * w[("external_partner", "positive")]
    corona_total = sum(v for (g, lens), v in w.items() if lens == "corona")
    assert w[("teacher", "corona")] > corona_total / 2


def test_claims_hold_in_words(corpus):
    from samendoen_analysis.analysis.claims import evaluate_claims

    result = evaluate_claims(corpus)
    assert result["holds"].all(), result.loc[~result["holds"], ["claim_id", "evidence"]].to_dict("records")


def test_no_names_of_places_or_people_left(corpus):
    # Capitalised words mid-sentence that are not in an allow-list would be names; markers are bracketed.
    markers = corpus.segments["text"].str.findall(r"\[([^\]]+)\]").explode().dropna()
    assert len(markers) > 20
    assert not corpus.segments["text"].str.contains(r"\b(?:Limburg|Randstad|Fontys|Den Bosch)\b").any()
