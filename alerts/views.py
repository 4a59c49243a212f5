"""The alerts' pages: subscribe (from a buurt or a profile), confirm, unsubscribe, and see and end
all subscriptions.

None is cached and none sets a cookie. The two forms a stranger fills in accept posts only from
this site's own pages (the browser's Sec-Fetch-Site or Origin header, as the wrong-answer report
does), so the public buurt and profile pages stay cacheable and cookie-free. Pages reached from a
message are authorised by the signed token in their link, which a page elsewhere cannot know.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from neighbourhoods.models import Buurt, without_boundaries
from officers.models import Assignment, Officer
from wijkportaal.clients import is_same_site_post
from wijkportaal.limits import client_key

from . import subscribing, tokens
from .forms import ManageRequestForm, SubscribeForm
from .messages import Site
from .models import CONFIRMATION_DAYS, Subscriber, Subscription

FORM_METHODS = ["GET", "HEAD", "POST"]


def site_of(request: HttpRequest) -> Site:
    """SITE_URL when it is set, so links in messages never depend on the Host a request named."""
    return Site(settings.SITE_URL or f"{request.scheme}://{request.get_host()}")


def _private(response: HttpResponse) -> HttpResponse:
    # A page opened from a link with a token: the token must not travel on in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _active_buurten() -> Any:
    return Buurt.objects.active().select_related("wijk__municipality").defer(*without_boundaries())


def _subscribe_page(
    request: HttpRequest,
    *,
    buurten: list[Buurt],
    chosen: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Show or take the subscribe form for a choice of `buurten` (one on a buurt's page)."""
    choices = [(buurt.code, buurt.name) for buurt in buurten]
    context = {**context, "buurten": buurten, "days": CONFIRMATION_DAYS}
    template = "alerts/subscribe.html"
    if request.method != "POST" or not buurten:
        form = SubscribeForm(buurten=choices, initial={"buurt": chosen})
        return render(request, template, {**context, "form": form})
    if not is_same_site_post(request):
        form = SubscribeForm(buurten=choices, initial={"buurt": chosen})
        return render(request, template, {**context, "form": form, "refused": True}, status=403)
    form = SubscribeForm(request.POST, buurten=choices)
    if not form.is_valid():
        return render(request, template, {**context, "form": form}, status=400)
    if not subscribing.client_allowed(client_key(request)):
        return render(request, template, {**context, "form": form, "limited": True}, status=429)
    code = form.cleaned_data["buurt"]
    outcome = subscribing.request_subscription(
        email=form.cleaned_data["email"],
        buurt_code=code,
        buurt_name=dict(choices)[code],
        topics=form.cleaned_data["topics"],
        language=get_language(),
        site=site_of(request),
    )
    if outcome == subscribing.Outcome.REFUSED:
        form.add_error("email", _("The mail server of this address does not accept our message."))
        return render(request, template, {**context, "form": form}, status=400)
    if outcome == subscribing.Outcome.FAILED:
        return render(request, template, {**context, "form": form, "failed": True}, status=503)
    return HttpResponseRedirect(reverse("alerts:sent"), status=303)


@csrf_exempt
@never_cache
@require_http_methods(FORM_METHODS)
def buurt_subscribe(request: HttpRequest, code: str) -> HttpResponse:
    """/buurt/<code>/volgen/: alerts about one buurt."""
    buurt = _active_buurten().filter(code=code.upper()).first()
    if buurt is None:
        raise Http404(_("No buurt has this code."))
    return _subscribe_page(request, buurten=[buurt], chosen=buurt.code, context={"buurt": buurt})


@csrf_exempt
@never_cache
@require_http_methods(FORM_METHODS)
def officer_subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """/wijkagent/<slug>/volgen/: alerts about one of the officer's buurten, the one the resident
    came from (`?buurt=`) chosen already."""
    officer = Officer.objects.published().filter(slug=slug).first()
    if officer is None:
        raise Http404(_("No published officer has this address."))
    buurten = list(
        _active_buurten()
        .filter(assignments__in=Assignment.objects.current().filter(officer=officer))
        .distinct()
        .order_by("name", "code")
    )
    chosen = request.GET.get("buurt", "").upper()
    if len(buurten) == 1:
        chosen = buurten[0].code
    return _subscribe_page(request, buurten=buurten, chosen=chosen, context={"officer": officer})


@never_cache
@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    """The same answer for every accepted request, whatever the address's history."""
    return render(request, "alerts/sent.html", {"days": CONFIRMATION_DAYS})


def _buurt_names(codes: list[str]) -> dict[str, str]:
    return dict(Buurt.objects.active().filter(code__in=codes).values_list("code", "name"))


# The token in the link authorises the post; a page elsewhere cannot know it.
@csrf_exempt
@never_cache
@require_http_methods(FORM_METHODS)
def confirm(request: HttpRequest) -> HttpResponse:
    """The link of the confirmation message: a button, so that a mail scanner that opens every
    link does not confirm a subscription its reader never asked for."""
    token = request.GET.get("t", "")
    subscription = tokens.subscription_to_confirm(token)
    if subscription is None:
        return _private(
            render(
                request,
                "alerts/link_invalid.html",
                {"kind": "confirm", "days": CONFIRMATION_DAYS},
                status=400,
            )
        )
    buurt = _active_buurten().filter(code=subscription.buurt_code).first()
    context = {"subscription": subscription, "buurt": buurt, "token": token}
    if request.method == "POST":
        subscribing.confirm(subscription, language=get_language())
        return _private(render(request, "alerts/confirmed.html", context))
    return _private(render(request, "alerts/confirm.html", context))


# RFC 8058: mail programs post the one-click unsubscribe here, with no cookie or form token.
@csrf_exempt
@never_cache
@require_http_methods(FORM_METHODS)
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """Every message's unsubscribe link: a button on GET, and the one-click POST."""
    token = request.GET.get("t", "")
    subscriber = tokens.subscriber_to_unsubscribe(token)
    if request.method == "POST":
        if subscriber is not None:
            subscribing.unsubscribe(subscriber)
        return _private(render(request, "alerts/unsubscribed.html"))
    return _private(
        render(request, "alerts/unsubscribe.html", {"subscriber": subscriber, "token": token})
    )


@csrf_exempt
@never_cache
@require_http_methods(FORM_METHODS)
def manage_request(request: HttpRequest) -> HttpResponse:
    """Ask for a link to all subscriptions of an address, sent to that address."""
    template = "alerts/manage_request.html"
    if request.method != "POST":
        return render(request, template, {"form": ManageRequestForm()})
    if not is_same_site_post(request):
        return render(request, template, {"form": ManageRequestForm(), "refused": True}, status=403)
    form = ManageRequestForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    if not subscribing.client_allowed(client_key(request)):
        return render(request, template, {"form": form, "limited": True}, status=429)
    outcome = subscribing.request_manage_link(
        email=form.cleaned_data["email"], site=site_of(request)
    )
    if outcome == subscribing.Outcome.FAILED:
        return render(request, template, {"form": form, "failed": True}, status=503)
    return HttpResponseRedirect(reverse("alerts:manage-sent"), status=303)


@never_cache
@require_safe
def manage_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/manage_sent.html")


def _manage_page(request: HttpRequest, subscriber: Subscriber, **context: Any) -> HttpResponse:
    subscriptions: list[Subscription] = list(subscriber.subscriptions.all())
    names = _buurt_names([subscription.buurt_code for subscription in subscriptions])
    rows = [(subscription, names.get(subscription.buurt_code)) for subscription in subscriptions]
    return _private(
        render(
            request,
            "alerts/manage.html",
            {**context, "subscriber": subscriber, "rows": rows, "token": request.GET["t"]},
        )
    )


# The token in the link authorises the post; a page elsewhere cannot know it.
@csrf_exempt
@never_cache
@require_http_methods(FORM_METHODS)
def manage(request: HttpRequest) -> HttpResponse:
    """All subscriptions of the address the link was sent to, each with a button to end it."""
    subscriber = tokens.subscriber_to_manage(request.GET.get("t", ""))
    if subscriber is None:
        return _private(
            render(
                request,
                "alerts/link_invalid.html",
                {"kind": "manage", "days": tokens.MANAGE_LINK_DAYS},
                status=400,
            )
        )
    if request.method != "POST":
        return _manage_page(request, subscriber)
    end = request.POST.get("end", "")
    if end == "all":
        subscribing.unsubscribe(subscriber)
        return _private(render(request, "alerts/unsubscribed.html"))
    if not end.isascii() or not end.isdigit():
        return _manage_page(request, subscriber)
    ended = subscriber.subscriptions.filter(pk=int(end)).first()
    if ended is None:
        return _manage_page(request, subscriber)
    if not subscribing.end_subscription(subscriber, subscription_id=ended.pk):
        return _private(render(request, "alerts/unsubscribed.html"))
    name = _buurt_names([ended.buurt_code]).get(ended.buurt_code, ended.buurt_code)
    return _manage_page(request, subscriber, ended=name)
