"""How a contact is indexed and how a typed query is read."""

from __future__ import annotations

import pytest

from crm_pwa.domain.phone import PhoneError, normalise_phone
from crm_pwa.domain.search import (
    COMPANY,
    FIELD_ORDER,
    NAME,
    NOTES,
    PHONE,
    TITLE,
    contact_terms,
    parse_query,
    prefix_upper_bound,
)


def _terms(**fields: object) -> set[tuple[int, str]]:
    return contact_terms(fields)


def test_name_words_are_indexed_folded_when_they_carry_accents() -> None:
    assert {(NAME, "zoe"), (NAME, "garcia")} <= _terms(name="Zoë García")


def test_every_phone_digit_run_is_a_prefix_of_a_term_when_indexed() -> None:
    terms = {term for field, term in _terms(phone_digits="14155550100") if field == PHONE}
    for fragment in ("14155550100", "4155550100", "5550100", "0100", "555"):
        assert any(term.startswith(fragment) for term in terms), fragment


def test_query_is_read_as_a_phone_number_when_it_has_only_digits_and_punctuation() -> None:
    assert parse_query("+1 (415) 555-0100").phone == "14155550100"
    assert parse_query("555 0100").phone == "5550100"
    assert parse_query("55").phone is None


def test_query_is_read_as_words_when_it_has_letters() -> None:
    query = parse_query("  Dana  Rey ")
    assert query.words == ("dana", "rey") and query.phone is None


def test_prefix_upper_bound_is_just_above_every_completion() -> None:
    bound = prefix_upper_bound("dan")
    assert "dan" < "dana" < "danzzz" < bound and not bound.startswith("dan")


def test_phone_is_stored_in_international_form_when_typed_any_way() -> None:
    assert normalise_phone("(415) 555-0100") == ("+14155550100", "14155550100")
    assert normalise_phone("+44 20 7946 0958")[0] == "+442079460958"
    assert normalise_phone("") == ("", "")


def test_phone_is_refused_when_it_is_not_a_number() -> None:
    with pytest.raises(PhoneError):
        normalise_phone("call me maybe")


def test_names_are_found_by_plain_letters_when_they_use_letters_without_accents() -> None:
    terms = _terms(name="Søren Łukasz Straße Æsa O'Brien")
    assert {
        (NAME, "soren"),
        (NAME, "lukasz"),
        (NAME, "strasse"),
        (NAME, "aesa"),
        (NAME, "obrien"),
    } <= terms
    assert parse_query("O’Brien").words == ("obrien",)


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Мария Иванова", "МАРИ"),
        ("Νίκος Παπαδόπουλος", "νικοσ"),
        ("Οδυσσέας Ελύτης", "ΟΔΥΣΣΕΑΣ"),
        ("ليلى حداد", "ليل"),
        ("مَرْحَبا", "مرحبا"),
        ("דוד כהן", "כה"),
        ("王小明", "小明"),
        ("山田太郎", "太郎"),
        ("김민준", "민준"),
        ("ｿﾆｰ Ｔｏｋｙｏ", "tokyo"),
    ],
)
def test_name_is_found_by_what_a_person_types_when_written_in_any_script(
    name: str, typed: str
) -> None:
    terms = {term for field, term in _terms(name=name) if field == NAME}
    query = parse_query(typed)
    assert query.words, typed
    for word in query.words:
        assert any(term.startswith(word) for term in terms), (name, word, terms)


def test_runs_without_spaces_are_split_from_other_scripts_when_indexed() -> None:
    terms = {term for field, term in _terms(company="Sony東京タワー") if field == COMPANY}
    assert {"sony", "東京タワー", "京タワー", "タワー", "ワー", "ー"} <= terms
    assert parse_query("sony東京").words == ("sony", "東京")


def test_connection_notes_and_title_are_indexed_when_the_notes_rank_last() -> None:
    terms = _terms(title="Head of Purchasing", connection_notes="Collects vintage vinyl")
    assert {(TITLE, "purchasing"), (NOTES, "vintage"), (NOTES, "vinyl")} <= terms
    assert FIELD_ORDER[0] == NAME and FIELD_ORDER[-1] == NOTES


def test_digits_typed_in_any_numeral_system_read_as_a_phone_number() -> None:
    assert parse_query("٤١٥ ٥٥٥ ٠١٠٠").phone == "4155550100"
    assert parse_query("４１５-５５５").phone == "415555"
