"""The resident's search forms: the rules of neighbourhoods.parsing bound to fields.

Each cleans to a normalised postcode or names and a parsed `house_number` (None when not typed).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from neighbourhoods.parsing import (
    ADDITION_MESSAGE,
    HOUSE_NUMBER_MESSAGE,
    POSTCODE_MESSAGE,
    InvalidInput,
    SplitAddress,
    normalise_postcode,
    number_inside_street,
    parse_house_number,
    split_postcode_and_house_number,
    split_street_and_house_number,
)

# Text, not numeric: a house number may carry a letter or addition (13E, 13-2).
HOUSE_NUMBER_ATTRS = {
    "autocomplete": "off",
    "inputmode": "text",
    "spellcheck": "false",
    "size": "6",
}


def _same_house_number(typed: str, other: str) -> bool:
    try:
        return parse_house_number(typed) == parse_house_number(other)
    except InvalidInput:
        return False


def _split_whole_address(
    data: Any, *, field: str, split: SplitAddress | None, place_field: str = ""
) -> Any:
    """The posted fields with a whole address typed into `field` moved to where its parts go:
    into an empty house number field, or dropped when the house number field already says the
    same. Anything else is left for the form to point out."""
    if split is None:
        return data
    number = (data.get("huisnummer") or "").strip()
    if number and not _same_house_number(split.house_number, number):
        return data
    if (data.get("toevoeging") or "").strip():
        return data
    moved = data.copy()
    moved[field] = split.first
    moved["huisnummer"] = number or split.house_number
    if place_field and split.place and not (data.get(place_field) or "").strip():
        moved[place_field] = split.place
    return moved


def _postcode_in(typed: str) -> str:
    """The postcode a street field holds instead of a street ("6411 NH", alone or with a
    number), written as on letters; empty when it holds none."""
    split = split_postcode_and_house_number(typed)
    try:
        postcode = normalise_postcode(split.first if split else typed)
    except InvalidInput:
        return ""
    return f"{postcode[:4]} {postcode[4:]}"


class AddressSearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=12,
        help_text=_("For example 6411 NH"),
        # Over-long input gets the field's own advice, not a count of characters.
        error_messages={
            "required": _("Enter your postcode, for example 6411 NH."),
            "max_length": POSTCODE_MESSAGE,
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "size": "8",
            }
        ),
    )
    huisnummer = forms.CharField(
        label=_("House number"),
        max_length=12,
        required=False,
        help_text=_("For example 13 or 13E"),
        error_messages={"max_length": HOUSE_NUMBER_MESSAGE},
        widget=forms.TextInput(attrs=HOUSE_NUMBER_ATTRS),
    )
    toevoeging = forms.CharField(
        label=_("Addition (optional)"),
        max_length=8,
        required=False,
        help_text=_("For example A, 2 or bis"),
        error_messages={"max_length": ADDITION_MESSAGE},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": "4"}),
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None:
            postcode = split_postcode_and_house_number(data.get("postcode", ""))
            data = _split_whole_address(data, field="postcode", split=postcode)
        super().__init__(data, *args, **kwargs)

    def clean_postcode(self) -> str:
        typed = self.cleaned_data["postcode"]
        split = split_postcode_and_house_number(typed)
        if split is not None:
            # A number here beside a different one in its own field: say which part goes where.
            raise forms.ValidationError(
                _(
                    "Type only the postcode here (%(postcode)s). The house number "
                    "(%(number)s) goes in the house number field."
                )
                % {"postcode": split.first, "number": split.house_number},
                code="whole-address",
            )
        try:
            return normalise_postcode(typed)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message), code="invalid") from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        number, addition = cleaned.get("huisnummer", ""), cleaned.get("toevoeging", "")
        cleaned["house_number"] = None
        if (number or addition).strip():
            try:
                cleaned["house_number"] = parse_house_number(number, addition)
            except InvalidInput as error:
                # On the field the parser blames: the addition when the number alone is right.
                self.add_error(
                    error.field, forms.ValidationError(str(error.message), code="invalid")
                )
        return cleaned

    @property
    def suffix_field(self) -> str:
        """The field the letter or addition was typed in: `13 Q` leaves the addition empty."""
        return "toevoeging" if self.cleaned_data.get("toevoeging", "").strip() else "huisnummer"


class StreetSearchForm(forms.Form):
    """Street + house number + place, for residents who do not know their postcode.

    Its field ids start with `street_` so it can share the home page with the postcode form.
    """

    straat = forms.CharField(
        label=_("Street"),
        max_length=100,
        help_text=_("For example Stationstraat"),
        error_messages={
            "required": _("Enter your street, for example Stationstraat."),
            "max_length": _(
                "That is too long for a street name: type only the street, for example "
                "Stationstraat."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "address-line1", "spellcheck": "false"}),
    )
    huisnummer = forms.CharField(
        label=_("House number"),
        max_length=12,
        help_text=_("With a letter or addition if you have one, for example 13E or 13-2"),
        error_messages={
            "required": _("Enter your house number, for example 13."),
            "max_length": HOUSE_NUMBER_MESSAGE,
        },
        widget=forms.TextInput(attrs=HOUSE_NUMBER_ATTRS),
    )
    woonplaats = forms.CharField(
        label=_("Place"),
        max_length=80,
        help_text=_("For example Heerlen"),
        error_messages={
            "required": _("Enter the place you live in, for example Heerlen."),
            "max_length": _(
                "That is too long for a place name: type only the place, for example Heerlen."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "address-level2", "spellcheck": "false"}),
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "street_%s")
        if data is not None:
            street = split_street_and_house_number(data.get("straat", ""))
            data = _split_whole_address(
                data, field="straat", split=street, place_field="woonplaats"
            )
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "huisnummer" in cleaned:
            try:
                cleaned["house_number"] = parse_house_number(cleaned["huisnummer"])
            except InvalidInput as error:
                self.add_error(
                    "huisnummer", forms.ValidationError(str(error.message), code="invalid")
                )
        typed_street = self.data.get("straat", "")
        postcode = _postcode_in(typed_street)
        if postcode:
            # "6411 NH 13E" in the street field: the postcode form is the one to use.
            self.errors.pop("huisnummer", None)
            self.errors.pop("woonplaats", None)
            self.add_error(
                "straat",
                forms.ValidationError(
                    _("%(postcode)s is a postcode: search with it in the postcode form above.")
                    % {"postcode": postcode},
                    code="postcode-in-street",
                ),
            )
            cleaned.pop("straat", None)
            return cleaned
        inside = number_inside_street(typed_street)
        if inside is not None and self.has_error("huisnummer", code="required"):
            # The number is there, in the street field with more after it (the place, say):
            # "enter your house number" would send the resident looking for what they typed.
            del self.errors["huisnummer"]
            self.add_error(
                "straat",
                forms.ValidationError(
                    _(
                        "Type only the street here (%(street)s). The house number "
                        "(%(number)s) goes in the house number field, the place in the place "
                        "field."
                    )
                    % {"street": inside.first, "number": inside.house_number},
                    code="whole-address",
                ),
            )
            cleaned.pop("straat", None)
        return cleaned
