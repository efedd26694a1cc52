"""Crisis lines: the real directory, lookup with fallback, and the schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.engine import DATA_DIR, CrisisDirectory, DataFileError, load_crisis

EXPECTED = {
    "US": ["988", "press 2", "AYUDA", "911"],
    "CA": ["9-8-8", "911"],
    "GB": ["Samaritans", "116 123", "85258", "0808 808 8000", "0800 83 85 87", "111", "999"],
    "IE": ["Samaritans", "116 123", "50808", "112", "999"],
    "AU": ["Lifeline", "13 11 14", "0477 13 11 14", "000"],
    "NZ": ["1737", "111"],
    "ES": ["024", "112"],
    "MX": ["800 911 2000", "911"],
    "OTHER": ["local emergency number", "112", "findahelpline.com"],
}


@pytest.mark.parametrize(("code", "phrases"), EXPECTED.items())
def test_numbers_per_country(crisis: CrisisDirectory, code: str, phrases: list[str]) -> None:
    entry = crisis.for_country(code)
    assert entry.code == code
    text = " ".join(entry.sentences())
    if code == "US":  # more than half of US suicide deaths involve a firearm (CDC)
        assert entry.means_safety and "firearm" in entry.means_safety
    elif code != "OTHER":
        assert entry.means_safety is None
    for phrase in phrases:
        assert phrase in text


def test_every_entry_is_dated_and_named(crisis: CrisisDirectory) -> None:
    for entry in crisis.entries:
        assert entry.checked_on >= date(2026, 12, 2)
        assert entry.name and entry.lines


def test_lookup_is_case_insensitive_with_fallback(crisis: CrisisDirectory) -> None:
    assert crisis.for_country("gb").code == "GB"
    assert crisis.for_country(" nz ").code == "NZ"
    for unknown in ("BR", "xx", "", None, "OTHER", "other"):
        assert crisis.for_country(unknown).code == "OTHER"


def test_countries_for_a_dropdown(crisis: CrisisDirectory) -> None:
    countries = crisis.countries()
    assert countries[-1] == ("OTHER", "Another country")
    names = [name for _, name in countries[:-1]]
    assert names == sorted(names)
    assert {code for code, _ in countries} == set(EXPECTED)


def test_no_links_the_app_could_load() -> None:
    text = (DATA_DIR / "crisis_resources.yaml").read_text(encoding="utf-8")
    assert "http" not in text and "www." not in text


def _load(tmp_path: Path, mutate: object) -> CrisisDirectory:
    data = yaml.safe_load((DATA_DIR / "crisis_resources.yaml").read_text(encoding="utf-8"))
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_crisis(path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["entries"][0].update(url="https://example.org"), "url"),
        (lambda d: d["entries"].append(dict(d["entries"][0])), "duplicate country codes"),
        (lambda d: d.update(fallback="ZZZ"), "fallback entry"),
        (lambda d: d["entries"][0].pop("checked_on"), "checked_on"),
        (lambda d: d["entries"][0].update(code="usa"), "code"),
    ],
)
def test_schema_rejects(tmp_path: Path, mutate: object, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        _load(tmp_path, mutate)
