"""The "Klopt dit niet?" form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def buurt_code_from(value: str) -> str:
    """A CBS buurt code (BU + digits) from a query or form value, or "" for anything else."""
    code = value.strip().upper()
    return code if len(code) <= 10 and code.startswith("BU") and code[2:].isdigit() else ""


class AnswerReportForm(forms.Form):
    buurt = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    wijkagent = forms.SlugField(required=False, max_length=120, widget=forms.HiddenInput)
    correction = forms.CharField(
        label=_("What do you think is right?"),
        help_text=_("For example: which buurt or which wijkagent you expected, and why."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=_("The address you searched for"),
        help_text=_("Street, house number and place, or postcode and house number."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    address_consent = forms.BooleanField(
        label=_("The police may store this address until the report is handled and 90 days after."),
        required=False,
    )

    def clean_buurt(self) -> str:
        return buurt_code_from(self.cleaned_data["buurt"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("address", "").strip() and not cleaned.get("address_consent"):
            self.add_error(
                "address_consent",
                _("Tick this box to let us store the address, or leave the address empty."),
            )
        return cleaned
