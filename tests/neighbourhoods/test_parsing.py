"""Postcode and house-number parsing as residents type them."""

import pytest

from neighbourhoods.parsing import HouseNumber, InvalidInput, normalise_postcode, parse_house_number


@pytest.mark.parametrize(
    "typed",
    [
        "6411NH",
        "6411 NH",
        "6411nh",
        " 6411-nh ",
        "6411 nh",
        "6411.NH",
        "6411  -  Nh",
        "\t6411nH\n",
        # Full-width, as a Japanese or Chinese keyboard types them.
        "６４１１ＮＨ",  # noqa: RUF001
        "６４１１　ｎｈ",  # noqa: RUF001
    ],
)
def test_postcode_as_typed_is_normalised(typed):
    assert normalise_postcode(typed) == "6411NH"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "6411",
        "0411NH",
        "641NH",
        "64111NH",
        "6411N",
        "6411NHX",
        "NH6411",
        "6411 1H",
        "6411ÑH",
        "6411_NH",
        "<script>",
    ],
)
def test_anything_but_a_dutch_postcode_is_refused_with_advice(typed):
    with pytest.raises(InvalidInput) as caught:
        normalise_postcode(typed)
    assert caught.value.field == "postcode"
    assert "6411 NH" in str(caught.value.message)


@pytest.mark.parametrize(
    ("number", "extra", "expected"),
    [
        ("13", "", HouseNumber(13)),
        ("13E", "", HouseNumber(13, "E")),
        ("13 e", "", HouseNumber(13, "E")),
        ("13-E", "", HouseNumber(13, "E")),
        ("13-2", "", HouseNumber(13, "", "2")),
        ("13 bis", "", HouseNumber(13, "", "BIS")),
        ("13A-2", "", HouseNumber(13, "A", "2")),
        ("13a2", "", HouseNumber(13, "A", "2")),
        ("13", "A-2", HouseNumber(13, "A", "2")),
        ("13", "e", HouseNumber(13, "E")),
        ("13", "2", HouseNumber(13, "", "2")),
        (" 13 ", " bis ", HouseNumber(13, "", "BIS")),
        ("13 / 2", "", HouseNumber(13, "", "2")),
        ("99999", "", HouseNumber(99999)),
        ("１３Ｅ", "", HouseNumber(13, "E")),  # noqa: RUF001 (full-width)
        ("１３", "ａ－２", HouseNumber(13, "A", "2")),  # noqa: RUF001 (full-width)
        ("013", "", HouseNumber(13)),
    ],
)
def test_house_number_in_one_field_or_two(number, extra, expected):
    assert parse_house_number(number, extra) == expected


def test_suffix_runs_letter_and_addition_together():
    assert parse_house_number("13A-2").suffix == "A2"
    assert str(parse_house_number("13a-2")) == "13A-2"
    assert str(parse_house_number("13 e")) == "13E"


@pytest.mark.parametrize(
    ("number", "extra"),
    [
        ("", ""),
        ("abc", ""),
        ("0", ""),
        ("100000", ""),
        ("-13", ""),
        ("", "A"),
        ("dertien", "A"),
        ("13 #", ""),
        ("13!", ""),
        ("1" * 5000, ""),  # more digits than Python turns into an int
    ],
)
def test_bad_house_numbers_are_refused_with_advice(number, extra):
    with pytest.raises(InvalidInput) as caught:
        parse_house_number(number, extra)
    assert caught.value.field == "huisnummer"
    assert "13E" in str(caught.value.message)


@pytest.mark.parametrize(
    ("number", "extra"), [("13", "toolongaddition"), ("13A", "!"), ("13", "1" * 5000)]
)
def test_a_bad_addition_beside_a_good_number_blames_the_addition(number, extra):
    with pytest.raises(InvalidInput) as caught:
        parse_house_number(number, extra)
    assert caught.value.field == "toevoeging"
    assert "hoogstens vier letters of cijfers" in str(caught.value.message)
