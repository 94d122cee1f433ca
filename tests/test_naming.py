"""Natural order of names (kairos/naming.py): numbers by value, any case, accents folded."""

from __future__ import annotations

from kairos.naming import DIGITS, KEY_LENGTH, natural_key, natural_sorted


def test_numbers_in_names_sort_by_value() -> None:
    names = ["k-0", "k-1", "k-10", "k-100", "k-1000", "k-2", "k-20"]
    assert sorted(names, key=natural_key) == ["k-0", "k-1", "k-2", "k-10", "k-20", "k-100", "k-1000"]


def test_case_and_accents_do_not_separate_names() -> None:
    assert natural_key("Web-3") == natural_key("web-3")
    assert natural_key("Été") == natural_key("ete")
    assert natural_key("Straße") == natural_key("STRASSE")
    assert natural_key("\uff2b\uff0d\uff12") == natural_key("k-2")  # fullwidth K-2 folds to ASCII (NFKD)
    assert natural_sorted(["b", "Á", "a 2", "C"], str) == ["Á", "a 2", "b", "C"]


def test_leading_zeros_and_several_numbers() -> None:
    assert natural_key("v01.10") == natural_key("v1.10")
    assert sorted(["v1.10", "v1.9", "v2.0", "v1.9.1"], key=natural_key) == ["v1.9", "v1.9.1", "v1.10", "v2.0"]
    assert sorted(["disk 0", "disk", "disk 00"], key=natural_key)[0] == "disk"


def test_a_number_longer_than_the_padding_sorts_after_every_shorter_one() -> None:
    huge = "n-" + "9" * (DIGITS + 5)
    assert sorted([huge, "n-" + "9" * DIGITS, "n-1"], key=natural_key) == ["n-1", "n-" + "9" * DIGITS, huge]


def test_the_key_stays_short_enough_for_an_index_whatever_the_name() -> None:
    # One character that decomposes into 18, and digits that each pad to 20: both bounded.
    for name in ("\ufdfa" * 200, "1 " * 100):
        key = natural_key(name)
        assert len(key) <= KEY_LENGTH and len(key.encode()) <= 2000
