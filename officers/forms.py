"""The resident's search form. Parsing rules live in neighbourhoods.lookup; this binds them to fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from neighbourhoods.lookup import InvalidInput, normalise_postcode, parse_house_number


class AddressSearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=12,
        help_text=_("For example 6411 NH"),
        error_messages={"required": _("Enter your postcode, for example 6411 NH.")},
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
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false", "size": "6"}
        ),
    )
    toevoeging = forms.CharField(
        label=_("Addition (optional)"),
        max_length=8,
        required=False,
        help_text=_("For example A, 2 or bis"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": "4"}),
    )

    def clean_postcode(self) -> str:
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code="invalid") from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        number, addition = cleaned.get("huisnummer", ""), cleaned.get("toevoeging", "")
        if (number or addition).strip():
            try:
                parse_house_number(number, addition)
            except InvalidInput as error:
                self.add_error("huisnummer", forms.ValidationError(error.message, code="invalid"))
        return cleaned
