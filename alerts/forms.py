"""The subscribe form and the form that asks for the link to all subscriptions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# In the order of subscribing.TOPIC_FIELDS, the model's fields.
TOPIC_CHOICES = [
    ("wants_wijkagent", _("A new or changed wijkagent")),
    ("wants_absences", _("An absence of the wijkagent, and who stands in")),
    ("wants_meetings", _("New office hours and meetings")),
    ("wants_priorities", _("New or updated priorities")),
]


class EmailField(forms.EmailField):
    def __init__(self) -> None:
        super().__init__(
            label=_("Your e-mail address"),
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        )


class SubscribeForm(forms.Form):
    """E-mail, buurt (a choice only on a profile with several), and what to hear about."""

    email = EmailField()
    buurt = forms.ChoiceField(
        label=_("Which buurt?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the buurt you want to hear about.")},
    )
    topics = forms.MultipleChoiceField(
        label=_("What do you want to hear about?"),
        choices=TOPIC_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to hear about.")},
    )

    def __init__(self, *args: Any, buurten: list[tuple[str, str]], **kwargs: Any) -> None:
        everything = [name for name, _label in TOPIC_CHOICES]
        kwargs["initial"] = {"topics": everything, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["buurt"].choices = buurten  # type: ignore[attr-defined]
        if len(buurten) == 1:
            self.fields["buurt"].widget = forms.HiddenInput()
            self.fields["buurt"].initial = buurten[0][0]


class ManageRequestForm(forms.Form):
    email = EmailField()
