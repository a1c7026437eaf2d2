"""The shipped instrument definitions load, validate and say what the published
forms say; broken definitions are rejected with a message naming the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from measures.registry import (
    INSTRUMENTS_DIR,
    InvalidDefinition,
    load_all,
    load_instrument,
    loinc_check_digit_ok,
    validate_definition,
)

from .support import GAD7, PCL5, PHQ9, copy_of

FREQUENCY = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


def labels(definition: dict[str, Any]) -> list[str]:
    return [option["label"] for option in definition["options"]]


def item_codes(definition: dict[str, Any]) -> list[str]:
    return [item["loinc"] for item in definition["items"]]


def test_every_json_file_loads_and_validates() -> None:
    files = sorted(INSTRUMENTS_DIR.glob("*.json"))
    assert [path.stem for path in files] == ["gad7", "pcl5", "phq9"]
    for path in files:
        assert load_instrument(path)["code"] == path.stem
    assert set(load_all()) == {"phq9", "gad7", "pcl5"}


@pytest.mark.parametrize(
    ("definition", "count", "total_max"), [(PHQ9, 9, 27), (GAD7, 7, 21), (PCL5, 20, 80)]
)
def test_item_counts_and_total_range(
    definition: dict[str, Any], count: int, total_max: int
) -> None:
    assert [item["number"] for item in definition["items"]] == list(range(1, count + 1))
    assert definition["total"] == {"min": 0, "max": total_max}


def test_every_instrument_names_its_source_and_licence() -> None:
    assert "Kroenke" in PHQ9["source"]
    assert "16(9):606–613" in PHQ9["source"]
    assert "Spitzer" in GAD7["source"]
    assert "166(10):1092–1097" in GAD7["source"]
    assert "Weathers" in PCL5["source"]
    assert "National Center for PTSD" in PCL5["source"]
    for definition in (PHQ9, GAD7, PCL5):
        assert definition["licence"]
        assert definition["bands_source"]
        for rule in definition["change_rules"].values():
            assert rule["source"]


def test_answer_labels_are_the_published_ones() -> None:
    assert labels(PHQ9) == FREQUENCY
    assert labels(GAD7) == FREQUENCY
    assert labels(PCL5) == ["Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"]
    for definition in (PHQ9, GAD7, PCL5):
        values = [option["value"] for option in definition["options"]]
        assert values == list(range(len(values)))


def test_the_gad7_copying_error_is_absent() -> None:
    # "Not at all sure" is a known copying error (Zorowitz 2021); the form says "Not at all".
    text = (INSTRUMENTS_DIR / "gad7.json").read_text(encoding="utf-8")
    assert "not at all sure" not in text.lower()
    assert GAD7["options"][0]["label"] == "Not at all"
    assert all("sure" not in option["label"] for option in GAD7["options"])


def test_stems() -> None:
    assert PHQ9["stem"] == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert GAD7["stem"] == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert PCL5["stem"] == "In the past month, how much were you bothered by:"
    assert "in the past month" in PCL5["instructions"]


def test_key_item_wording() -> None:
    assert PHQ9["items"][0]["text"] == "Little interest or pleasure in doing things"
    assert PHQ9["items"][8]["text"] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert GAD7["items"][0]["text"] == "Feeling nervous, anxious, or on edge"
    assert GAD7["items"][6]["text"] == "Feeling afraid as if something awful might happen"
    assert PCL5["items"][0]["text"] == (
        "Repeated, disturbing, and unwanted memories of the stressful experience?"
    )
    assert PCL5["items"][19]["text"] == "Trouble falling or staying asleep?"


def test_phq9_loinc_codes() -> None:
    assert PHQ9["loinc"]["panel"] == "44249-1"
    assert PHQ9["loinc"]["total"] == "44261-6"
    assert item_codes(PHQ9) == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert [option["loinc"] for option in PHQ9["options"]] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]
    difficulty = PHQ9["unscored_items"][0]
    assert difficulty["loinc"] == "69722-7"
    assert [option["label"] for option in difficulty["options"]] == [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ]


def test_gad7_loinc_codes() -> None:
    assert GAD7["loinc"]["panel"] == "69737-5"
    assert GAD7["loinc"]["total"] == "70274-6"
    assert item_codes(GAD7) == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]


def test_pcl5_has_no_loinc_codes_until_verified() -> None:
    assert PCL5["loinc"]["panel"] == ""
    assert PCL5["loinc"]["total"] == ""
    assert set(item_codes(PCL5)) == {""}
    assert {option["loinc"] for option in PCL5["options"]} == {""}


def test_every_numeric_loinc_code_has_a_valid_check_digit() -> None:
    for definition in (PHQ9, GAD7, PCL5):
        codes = [definition["loinc"]["panel"], definition["loinc"]["total"]]
        codes += item_codes(definition)
        codes += [item["loinc"] for item in definition.get("unscored_items", [])]
        for code in filter(None, codes):
            assert loinc_check_digit_ok(code), code
    assert not loinc_check_digit_ok("44249-2")


def test_bands() -> None:
    spans = [(band["min"], band["max"], band["label"]) for band in PHQ9["bands"]]
    assert spans == [
        (0, 4, "Minimal"),
        (5, 9, "Mild"),
        (10, 14, "Moderate"),
        (15, 19, "Moderately severe"),
        (20, 27, "Severe"),
    ]
    spans = [(band["min"], band["max"], band["label"]) for band in GAD7["bands"]]
    assert spans == [(0, 4, "Minimal"), (5, 9, "Mild"), (10, 14, "Moderate"), (15, 21, "Severe")]
    pcl5_spans = [(band["min"], band["max"]) for band in PCL5["bands"]]
    assert pcl5_spans == [(0, 32), (33, 80)]
    assert PCL5["cut_point"]["default"] == 33
    assert PCL5["cut_point"]["literature_range"] == [31, 33]


def test_pcl5_clusters_and_provisional_rule() -> None:
    clusters = {c["key"]: (c["items"], c["min_endorsed"]) for c in PCL5["clusters"]}
    assert clusters == {
        "B": ([1, 2, 3, 4, 5], 1),
        "C": ([6, 7], 1),
        "D": ([8, 9, 10, 11, 12, 13, 14], 2),
        "E": ([15, 16, 17, 18, 19, 20], 2),
    }
    assert PCL5["provisional"]["endorsed_at_or_above"] == 2
    assert "not a diagnosis" in PCL5["provisional"]["label"]
    assert "not a diagnosis" in PCL5["provisional"]["not_met_label"]


def test_change_rules() -> None:
    assert PHQ9["change_rules"]["response"]["min_percent_reduction"] == 50
    assert PHQ9["change_rules"]["remission"]["total_below"] == 5
    assert PHQ9["change_rules"]["meaningful"]["min_points_reduction"] == 5
    assert set(GAD7["change_rules"]) == {"meaningful"}
    assert GAD7["change_rules"]["meaningful"]["min_points_reduction"] == 4
    assert "Toussaint" in GAD7["change_rules"]["meaningful"]["source"]
    assert any("response or remission" in note for note in GAD7["notes"])
    assert PCL5["change_rules"]["reliable"]["min_points_reduction"] == 10
    assert PCL5["change_rules"]["meaningful"]["min_points_reduction"] == 10


def test_phq9_item_9_is_the_only_safety_item() -> None:
    flagged = [
        (definition["code"], item["number"], item["safety_threshold"])
        for definition in (PHQ9, GAD7, PCL5)
        for item in definition["items"]
        if item.get("safety_item")
    ]
    assert flagged == [("phq9", 9, 0)]
    assert "Simon" in PHQ9["items"][8]["safety_source"]


# --- Broken definitions ------------------------------------------------------------


def rejected(definition: dict[str, Any]) -> str:
    with pytest.raises(InvalidDefinition) as caught:
        validate_definition(definition)
    return str(caught.value)


def test_a_gap_in_the_bands_is_rejected() -> None:
    broken = copy_of(PHQ9)
    broken["bands"][1]["max"] = 8  # mild 5–8, moderate 10–14: 9 is in no band
    assert "gap: 9–9" in rejected(broken)


def test_overlapping_bands_are_rejected() -> None:
    broken = copy_of(GAD7)
    broken["bands"][2]["min"] = 9
    assert "overlap" in rejected(broken)


def test_bands_short_of_the_range_are_rejected() -> None:
    broken = copy_of(GAD7)
    broken["bands"][-1]["max"] = 20
    assert "highest total, 21" in rejected(broken)
    broken = copy_of(GAD7)
    broken["bands"][0]["min"] = 1
    assert "0–0 is in no band" in rejected(broken)


def test_a_duplicate_option_value_is_rejected() -> None:
    broken = copy_of(PHQ9)
    broken["options"][2]["value"] = 1
    assert "value 1 is used twice" in rejected(broken)


def test_a_duplicate_option_value_in_an_unscored_item_is_rejected() -> None:
    broken = copy_of(PHQ9)
    broken["unscored_items"][0]["options"][3]["value"] = 0
    assert "value 0 is used twice" in rejected(broken)


def test_a_missing_item_is_rejected() -> None:
    broken = copy_of(PHQ9)
    del broken["items"][4]  # items 1–4, 6–9
    assert "numbered 1..8" in rejected(broken)


def test_a_total_range_that_does_not_match_the_items_is_rejected() -> None:
    broken = copy_of(PHQ9)
    broken["total"]["max"] = 30
    assert "does not match 9 items" in rejected(broken)


def test_a_cluster_naming_a_missing_item_is_rejected() -> None:
    broken = copy_of(PCL5)
    broken["clusters"][3]["items"].append(21)
    assert "item 21, which does not exist" in rejected(broken)


def test_an_item_in_two_clusters_is_rejected() -> None:
    broken = copy_of(PCL5)
    broken["clusters"][1]["items"].append(8)
    assert "item 8 is in clusters" in rejected(broken)


def test_cut_point_bands_must_match_the_default() -> None:
    broken = copy_of(PCL5)
    broken["cut_point"]["default"] = 31
    assert "cut-point bands" in rejected(broken)


def test_a_bad_loinc_code_is_rejected() -> None:
    broken = copy_of(PHQ9)
    broken["items"][0]["loinc"] = "44250-8"
    assert "check digit" in rejected(broken)
    broken["items"][0]["loinc"] = "LOINC"
    assert "not a well-formed code" in rejected(broken)


def test_an_unknown_change_rule_is_rejected() -> None:
    broken = copy_of(GAD7)
    broken["change_rules"]["response"] = {"label": "x", "source": "y"}
    assert "needs a number min_percent_reduction" in rejected(broken)
    broken["change_rules"] = {"recovery": {}}
    assert "unknown change rule 'recovery'" in rejected(broken)


def test_a_missing_field_is_rejected() -> None:
    broken = copy_of(GAD7)
    del broken["source"]
    assert "missing field(s): source" in rejected(broken)


def test_a_safety_threshold_must_be_an_answer_value() -> None:
    broken = copy_of(PHQ9)
    broken["items"][8]["safety_threshold"] = 3
    assert "safety_threshold 3" in rejected(broken)


def test_load_instrument_names_the_file(tmp_path: Path) -> None:
    broken = copy_of(PHQ9)
    broken["bands"].pop()
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match=r"^broken\.json: bands must end at the highest total"):
        load_instrument(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidDefinition, match="not valid JSON"):
        load_instrument(path)


def test_a_new_instrument_is_a_data_change(tmp_path: Path) -> None:
    # A made-up two-item instrument loads and scores without any new code.
    from measures.scoring import score

    new = {
        "schema": 1,
        "code": "demo2",
        "name": "Demo two-item scale",
        "short_name": "DEMO-2",
        "version": "1",
        "source": "Test fixture, not a clinical instrument.",
        "licence": "Test fixture.",
        "loinc": {"panel": "", "total": ""},
        "higher_is_worse": True,
        "stem": "How often?",
        "options": [{"value": 0, "label": "Never"}, {"value": 1, "label": "Often"}],
        "items": [{"number": 1, "text": "One"}, {"number": 2, "text": "Two"}],
        "total": {"min": 0, "max": 2},
        "bands": [
            {"key": "low", "label": "Low", "min": 0, "max": 0},
            {"key": "high", "label": "High", "min": 1, "max": 2},
        ],
        "bands_source": "Test fixture.",
    }
    (tmp_path / "demo2.json").write_text(json.dumps(new), encoding="utf-8")
    definitions = load_all(tmp_path)
    assert score(definitions["demo2"], {1: 1, 2: 0}).band_key == "high"
