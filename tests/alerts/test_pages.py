"""Every page of the alerts in both languages: the site's structure, no inline code, nothing
loaded or posted elsewhere, a label for every field."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from alerts import tokens
from alerts.models import Subscriber, Subscription
from tests.alerts.conftest import subscribe


@pytest.fixture
def pages(client, anna, buurten, smtp_server):
    subscribe(client, "BU00010001", "bewoner@example.org")
    subscription = Subscription.objects.get()
    subscriber = Subscriber.objects.get()
    confirm = f"{reverse('alerts:confirm')}?t={tokens.confirmation_token(subscription)}"
    manage = f"{reverse('alerts:manage')}?t={tokens.manage_token(subscriber)}"
    unsubscribe = f"{reverse('alerts:unsubscribe')}?t={tokens.unsubscribe_token(subscriber)}"

    def visit(language: str) -> dict[str, str]:
        client.cookies["django_language"] = language
        responses = {
            "subscribe": client.get("/buurt/BU00010001/volgen/"),
            "subscribe from a profile": client.get("/wijkagent/anna-voorbeeld/volgen/"),
            "sent": client.get("/volgen/verstuurd/"),
            "confirm": client.get(confirm),
            "manage request": client.get("/volgen/beheren/"),
            "manage sent": client.get("/volgen/beheren/verstuurd/"),
            "manage": client.get(manage),
            "unsubscribe": client.get(unsubscribe),
            "invalid link": client.get(f"{reverse('alerts:confirm')}?t=nep"),
            "unsubscribed": client.get(f"{reverse('alerts:unsubscribe')}?t=nep"),
        }
        for name, response in responses.items():
            assert response.status_code in {200, 400}, name
        return {name: response.content.decode() for name, response in responses.items()}

    return visit


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_is_built_like_the_sites_pages(pages, language):
    for name, html in pages(language).items():
        assert f'<html lang="{language}">' in html, name
        assert html.count("<h1>") == 1, name
        assert "<script" not in html and "style=" not in html, name
        assert not re.search(r"\son[a-z]+=", html), name
        for url in re.findall(r'<form[^>]*action="([^"]*)"', html):
            assert url.startswith("/"), f"{name} posts to {url}"
        for field in re.findall(r'<input type="(?:email|checkbox|radio)"[^>]* id="([^"]+)"', html):
            assert f'<label for="{field}">' in html, f"{name}: {field} has no label"


def test_the_pages_speak_english_when_chosen(pages):
    english = pages("en")
    assert "Keep me posted" in english["subscribe"]
    assert "What do you want to hear about?" in english["subscribe"]
    assert "Confirm your subscription" in english["confirm"]
    assert "What we send to bewoner@example.org:" in english["manage"]
