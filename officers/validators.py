"""Contact channel values checked and normalised per kind: Dutch phone numbers, email, social links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_lazy as _

# Dutch area codes with two digits after the 0 (Amsterdam 020, Heerlen 045, Maastricht 043, ...);
# every other geographic area code has three, so a number splits as 0xx-xxxxxxx or 0xxx-xxxxxx.
TWO_DIGIT_AREA_CODES = frozenset(
    {
        "10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38", "40", "43",
        "45", "46", "50", "53", "55", "58", "70", "71", "72", "73", "74", "75", "76", "77",
        "78", "79",
    }
)  # fmt: skip
# Non-geographic ten-digit ranges written like a two-digit area code: 085/088 (companies),
# 084/087 (personal numbers), 091 (internet telephony).
NON_GEOGRAPHIC_PREFIXES = frozenset({"84", "85", "87", "88", "91"})
# Geographic area codes start with 01-05 or 07.
GEOGRAPHIC_FIRST_DIGITS = frozenset("123457")
# Free and paid information numbers: 0800/0900/0906/0909 followed by 4 or 7 digits.
SERVICE_PREFIXES = frozenset({"0800", "0900", "0906", "0909"})
# 06 numbers that reach a mobile phone (065 and 068 included; 066 are pagers, 067 data services).
MOBILE_SECOND_DIGITS = frozenset("123458")

SOCIAL_HOSTS: dict[str, frozenset[str]] = {
    "instagram": frozenset({"instagram.com"}),
    "x": frozenset({"x.com", "twitter.com"}),
    "facebook": frozenset({"facebook.com"}),
}
# An address of each network's own form, so the example in a message is one staff can copy.
SOCIAL_EXAMPLES: dict[str, str] = {
    "instagram": "https://www.instagram.com/wijkagent.voorbeeld/",
    "x": "https://x.com/wijkagentvoorbeeld",
    "facebook": "https://www.facebook.com/wijkagent.voorbeeld",
}
WEBSITE_EXAMPLE = "https://www.politie.nl/"

_SEPARATORS = re.compile(r"[\s\-./]")


def normalise_dutch_phone(value: str) -> str:
    """One display form for a Dutch number: `0900-8844`, `06-12345678`, `043-1234567`, `0115-123456`.

    Accepts spaces, dashes, dots, brackets and the +31 / 0031 forms (with or without `(0)`).
    Raises ValidationError for foreign numbers and anything that is not a dialable Dutch number.
    """
    raw = value.strip()
    compact = _SEPARATORS.sub("", raw).replace("(0)", "").replace("(", "").replace(")", "")
    if compact.startswith("+31"):
        compact = "0" + compact[3:]
    elif compact.startswith("0031"):
        compact = "0" + compact[4:]
    elif compact.startswith(("+", "00")):
        raise ValidationError(
            _("Only Dutch phone numbers can be shown. Enter a number starting with 0 or +31."),
            code="foreign_phone",
        )
    if not compact.isdigit() or not compact.startswith("0"):
        raise ValidationError(
            _("Enter a Dutch phone number with digits only, for example 0900-8844 or 06-12345678."),
            code="invalid_phone",
        )
    if compact[:4] in SERVICE_PREFIXES and len(compact) in {8, 11}:
        return f"{compact[:4]}-{compact[4:]}"
    if len(compact) != 10:
        raise ValidationError(
            _(
                "A Dutch phone number has 10 digits (or is a 0800/0900 number). Check the number, "
                "for example 043-1234567 or 06-12345678."
            ),
            code="invalid_phone",
        )
    if compact[1] == "6":
        if compact[2] not in MOBILE_SECOND_DIGITS:
            raise ValidationError(
                _("This 06 number does not reach a mobile phone. Check the number."),
                code="invalid_phone",
            )
        return f"06-{compact[2:]}"
    if compact[1:3] in NON_GEOGRAPHIC_PREFIXES:
        return f"{compact[:3]}-{compact[3:]}"
    if compact[1] in GEOGRAPHIC_FIRST_DIGITS and compact[:4] not in SERVICE_PREFIXES:
        if compact[1:3] in TWO_DIGIT_AREA_CODES:
            return f"{compact[:3]}-{compact[3:]}"
        return f"{compact[:4]}-{compact[4:]}"
    raise ValidationError(
        _("This is not a Dutch number people can call. Check the number."),
        code="invalid_phone",
    )


def normalise_dutch_mobile(value: str) -> str:
    """A Dutch mobile number (06) in the form `06-12345678`; WhatsApp needs one."""
    number = normalise_dutch_phone(value)
    if not number.startswith("06-"):
        raise ValidationError(
            _("WhatsApp needs a Dutch mobile number (06 or +31 6), for example 06-12345678."),
            code="not_mobile",
        )
    return number


def normalise_https_url(
    value: str, *, hosts: frozenset[str] | None = None, example: str = WEBSITE_EXAMPLE
) -> str:
    """An https URL, optionally only on one network's hosts (with or without `www.`); `example`
    is the address the error message shows."""
    url = value.strip()
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError as error:
        raise ValidationError(
            _("Enter a full address starting with https://, for example %(example)s."),
            code="invalid_url",
            params={"example": example},
        ) from error
    parts = urlsplit(url)
    if parts.username or parts.password or parts.port:
        raise ValidationError(
            _("Enter the address without a user name, password or port."), code="invalid_url"
        )
    if hosts is None:
        return url
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in hosts:
        raise ValidationError(
            _("This link must point to %(hosts)s."),
            code="wrong_host",
            # A slash reads the same in Dutch and English; a joined " or " would not translate.
            params={"hosts": " / ".join(sorted(hosts))},
        )
    if parts.path.strip("/") == "":
        raise ValidationError(
            _("Link to the profile page itself, not to the home page of the network."),
            code="no_profile",
        )
    return url


def normalise_email(value: str) -> str:
    email = value.strip()
    EmailValidator(message=_("Enter an email address such as name@politie.nl."))(email)
    return email


def normalise_channel_value(*, kind: str, value: str) -> str:
    """The value to store for a channel of `kind`; raises ValidationError with what to fix."""
    if kind == "phone":
        return normalise_dutch_phone(value)
    if kind == "whatsapp":
        return normalise_dutch_mobile(value)
    if kind == "email":
        return normalise_email(value)
    if kind in SOCIAL_HOSTS:
        return normalise_https_url(value, hosts=SOCIAL_HOSTS[kind], example=SOCIAL_EXAMPLES[kind])
    if kind == "website":
        return normalise_https_url(value)
    raise ValidationError(_("Choose a kind of channel."), code="invalid_kind")
