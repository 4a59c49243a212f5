"""Contact channels: each kind validated and normalised, and hidden from residents unless public."""

import pytest
from django.core.exceptions import ValidationError

from officers.models import ContactChannel
from officers.validators import normalise_channel_value, normalise_dutch_phone
from tests import factories

Kind = ContactChannel.Kind


pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0900-8844", "0900-8844"),
        ("0900 8844", "0900-8844"),
        ("09008844", "0900-8844"),
        ("0800-1234567", "0800-1234567"),
        ("06-12345678", "06-12345678"),
        ("06 12 34 56 78", "06-12345678"),
        ("+31 6 12345678", "06-12345678"),
        ("+31 (0)6-1234 5678", "06-12345678"),
        ("0031612345678", "06-12345678"),
        ("043-1234567", "043-1234567"),
        ("(043) 123 45 67", "043-1234567"),
        ("+31 45 123 4567", "045-1234567"),
        ("020-1234567", "020-1234567"),
        ("0115-123456", "0115-123456"),
        ("088-1234567", "088-1234567"),
    ],
)
def test_dutch_phone_numbers_get_one_display_form(typed, stored):
    assert normalise_dutch_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("+32 2 123 45 67", "foreign_phone"),  # Belgium
        ("0049 30 1234567", "foreign_phone"),
        ("bel me", "invalid_phone"),
        ("06-1234567", "invalid_phone"),  # one digit short
        ("06-123456789", "invalid_phone"),
        ("0900-884", "invalid_phone"),
        ("0800123456", "invalid_phone"),  # 0800 numbers have 4 or 7 digits after the prefix
        ("0612345678x", "invalid_phone"),
        ("112", "invalid_phone"),
        ("0971234567", "invalid_phone"),  # machine-to-machine range
        ("0661234567", "invalid_phone"),  # pagers, not a mobile phone
    ],
)
def test_foreign_numbers_and_nonsense_are_refused(typed, code):
    with pytest.raises(ValidationError) as caught:
        normalise_dutch_phone(typed)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_whatsapp_needs_a_dutch_mobile_number():
    assert normalise_channel_value(kind=Kind.WHATSAPP, value="+31 6 1234 5678") == "06-12345678"
    with pytest.raises(ValidationError) as caught:
        normalise_channel_value(kind=Kind.WHATSAPP, value="043-1234567")
    assert caught.value.code == "not_mobile"


def test_email_uses_djangos_validator():
    assert normalise_channel_value(kind=Kind.EMAIL, value=" anna@politie.nl ") == "anna@politie.nl"
    for bad in ("anna@", "anna politie.nl", "https://politie.nl"):
        with pytest.raises(ValidationError):
            normalise_channel_value(kind=Kind.EMAIL, value=bad)


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        (Kind.INSTAGRAM, "https://www.instagram.com/wijkagent.anna"),
        (Kind.INSTAGRAM, "https://instagram.com/wijkagent.anna/"),
        (Kind.X, "https://x.com/wijkagent_anna"),
        (Kind.X, "https://twitter.com/wijkagent_anna"),
        (Kind.FACEBOOK, "https://www.facebook.com/wijkagent.anna"),
        (Kind.WEBSITE, "https://www.politie.nl/mijn-buurt/wijkagenten"),
    ],
)
def test_links_on_the_right_host_over_https_are_kept(kind, url):
    assert normalise_channel_value(kind=kind, value=url) == url


@pytest.mark.parametrize(
    ("kind", "url", "code"),
    [
        (Kind.INSTAGRAM, "http://www.instagram.com/anna", "invalid_url"),
        (Kind.INSTAGRAM, "https://www.instagram.com.evil.example/anna", "wrong_host"),
        (Kind.INSTAGRAM, "https://evilinstagram.com/anna", "wrong_host"),
        (Kind.INSTAGRAM, "https://www.facebook.com/anna", "wrong_host"),
        (Kind.INSTAGRAM, "https://www.instagram.com/", "no_profile"),
        (Kind.X, "https://x.co/anna", "wrong_host"),
        (Kind.FACEBOOK, "https://user:pw@facebook.com/anna", "invalid_url"),
        (Kind.FACEBOOK, "javascript:alert(1)", "invalid_url"),
        (Kind.WEBSITE, "http://www.politie.nl/", "invalid_url"),
        (Kind.WEBSITE, "www.politie.nl", "invalid_url"),
    ],
)
def test_links_elsewhere_or_without_https_are_refused(kind, url, code):
    with pytest.raises(ValidationError) as caught:
        normalise_channel_value(kind=kind, value=url)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("kind", "example"),
    [
        (Kind.INSTAGRAM, "https://www.instagram.com/"),
        (Kind.X, "https://x.com/"),
        (Kind.FACEBOOK, "https://www.facebook.com/"),
        (Kind.WEBSITE, "https://www.politie.nl/"),
    ],
)
def test_a_link_without_https_is_answered_with_an_example_of_its_own_kind(kind, example):
    with pytest.raises(ValidationError) as caught:
        normalise_channel_value(kind=kind, value="instagram.com/x")
    (message,) = caught.value.messages
    assert f"for example {example}" in message
    if kind != Kind.WEBSITE:
        assert "politie.nl" not in message


@pytest.mark.django_db
def test_model_clean_stores_the_normalised_number_and_the_link_still_dials():
    officer = factories.make_officer()
    channel = ContactChannel(officer=officer, kind=Kind.PHONE, value="+31 45 123 4567")
    channel.full_clean()
    assert channel.value == "045-1234567"
    assert channel.href == "tel:0451234567"
    whatsapp = ContactChannel(officer=officer, kind=Kind.WHATSAPP, value="+31 6 1234 5678")
    whatsapp.full_clean()
    assert whatsapp.href == "https://wa.me/31612345678"


@pytest.mark.django_db
def test_model_clean_puts_the_message_on_the_value_field():
    channel = ContactChannel(
        officer=factories.make_officer(), kind=Kind.X, value="https://facebook.com/anna"
    )
    with pytest.raises(ValidationError) as caught:
        channel.full_clean()
    assert list(caught.value.message_dict) == ["value"]


def test_non_public_channels_never_reach_public_pages(client, buurten):
    officer = factories.make_officer("Bea Geheim", slug="bea-geheim")
    factories.assign(officer, buurten["west"])
    factories.add_channel(officer, Kind.PHONE, "0900-8844")
    factories.add_channel(officer, Kind.PHONE, "06-87654321", public=False)
    factories.add_channel(officer, Kind.EMAIL, "bea.prive@example.org", public=False)
    pages = [
        client.get("/wijkagent/bea-geheim/"),
        client.get("/buurt/BU00010001/"),
        client.get("/wijkagenten/testgemeente/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Bea Geheim" in html
        assert "87654321" not in html
        assert "bea.prive" not in html
    assert 'href="tel:09008844"' in pages[0].content.decode()
