"""The alerts' e-mail messages, in the subscriber's language: the request to confirm, the note to
an address that already follows a buurt, the link to all subscriptions, and the daily digest.

Plain text only: no images, no tracking pixels, no redirecting links. Every message carries the
one-click unsubscribe link in its text and in the List-Unsubscribe headers (RFC 2369, RFC 8058).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import tokens
from .models import CONFIRMATION_DAYS, Subscriber, Subscription


@dataclass(frozen=True)
class Site:
    """The site's public address (scheme and host), which every link in a message starts with."""

    url: str

    def link(self, path: str, **query: str) -> str:
        return self.url.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")

    def unsubscribe(self, subscriber: Subscriber) -> str:
        return self.link(reverse("alerts:unsubscribe"), t=tokens.unsubscribe_token(subscriber))

    def manage(self, subscriber: Subscriber) -> str:
        return self.link(reverse("alerts:manage"), t=tokens.manage_token(subscriber))

    def buurt(self, code: str) -> str:
        return self.link(reverse("officers:buurt", kwargs={"code": code}))

    def follow(self, code: str) -> str:
        return self.link(reverse("alerts:buurt", kwargs={"code": code}))


@dataclass(frozen=True)
class DigestItem:
    title: str
    text: str
    link: str


@dataclass(frozen=True)
class DigestSection:
    """What a digest says about one buurt: its news, or that it is gone and what took its place."""

    code: str
    name: str
    items: list[DigestItem] = field(default_factory=list)
    gone: bool = False
    # (name, page, subscribe page) of each active buurt overlapping a buurt that is gone.
    successors: list[tuple[str, str, str]] = field(default_factory=list)


def topic_names(subscription: Subscription) -> list[str]:
    wanted = [
        (subscription.wants_wijkagent, _("a new or changed wijkagent")),
        (subscription.wants_absences, _("an absence and who stands in")),
        (subscription.wants_meetings, _("new office hours (spreekuren) and meetings")),
        (subscription.wants_priorities, _("new or updated priorities")),
    ]
    return [name for wants, name in wanted if wants]


def _message(
    subscriber: Subscriber, *, subject: str, template: str, context: dict, site: Site
) -> EmailMessage:
    unsubscribe = site.unsubscribe(subscriber)
    body = render_to_string(
        template,
        {**context, "unsubscribe_url": unsubscribe, "site_url": site.link("/")},
    )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Out-of-office replies and the like should not answer an automatic message.
            "Auto-Submitted": "auto-generated",
        },
    )


def confirmation_message(
    subscription: Subscription, *, buurt_name: str, site: Site
) -> EmailMessage:
    """The first and, until it is confirmed, only message: who asked, when, and how to ignore it."""
    subscriber = subscription.subscriber
    with translation.override(subscriber.language):
        asked_at = timezone.localtime(subscription.requested_at)
        link = site.link(reverse("alerts:confirm"), t=tokens.confirmation_token(subscription))
        return _message(
            subscriber,
            subject=_("Please confirm: e-mail about the buurt %(name)s") % {"name": buurt_name},
            template="alerts/email/confirm.txt",
            context={
                "buurt_name": buurt_name,
                "buurt_url": site.buurt(subscription.buurt_code),
                "asked_on": date_format(asked_at, "j F Y"),
                "asked_at": date_format(asked_at, "H:i"),
                "topics": topic_names(subscription),
                "confirm_url": link,
                "days": CONFIRMATION_DAYS,
            },
            site=site,
        )


def already_subscribed_message(
    subscription: Subscription, *, buurt_name: str, site: Site
) -> EmailMessage:
    """Sent instead of a second confirmation when the address already follows the buurt: the
    page answers alike either way, and the owner learns how to change what they get."""
    subscriber = subscription.subscriber
    with translation.override(subscriber.language):
        asked_at = timezone.localtime()
        return _message(
            subscriber,
            subject=_("You already get e-mail about the buurt %(name)s") % {"name": buurt_name},
            template="alerts/email/already.txt",
            context={
                "buurt_name": buurt_name,
                "asked_on": date_format(asked_at, "j F Y"),
                "asked_at": date_format(asked_at, "H:i"),
                "topics": topic_names(subscription),
                "manage_url": site.manage(subscriber),
                "manage_days": tokens.MANAGE_LINK_DAYS,
            },
            site=site,
        )


def manage_message(subscriber: Subscriber, *, site: Site) -> EmailMessage:
    with translation.override(subscriber.language):
        asked_at = timezone.localtime()
        return _message(
            subscriber,
            subject=_("Your e-mail alerts from Wijkportaal"),
            template="alerts/email/manage.txt",
            context={
                "asked_on": date_format(asked_at, "j F Y"),
                "asked_at": date_format(asked_at, "H:i"),
                "manage_url": site.manage(subscriber),
                "manage_days": tokens.MANAGE_LINK_DAYS,
            },
            site=site,
        )


def digest_message(
    subscriber: Subscriber, *, sections: list[DigestSection], site: Site
) -> EmailMessage:
    """One message with the news of every buurt the address follows (called in its language)."""
    if len(sections) == 1:
        subject = _("News from the buurt %(name)s") % {"name": sections[0].name}
    else:
        subject = _("News from your buurten")
    return _message(
        subscriber,
        subject=subject,
        template="alerts/email/digest.txt",
        context={"sections": sections, "manage_url": site.manage(subscriber)},
        site=site,
    )
