"""The resident's pages: the search flow, officer profiles, buurt pages, the A-Z list and downloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from neighbourhoods.covered import covered_area
from neighbourhoods.streets import served_places
from wijkportaal.limits import search_rate_limited
from wijkportaal.replicas import public_read

from . import calendar, departures, pages
from .finding import Finding, MatchedBy, Outcome, find_officers
from .forms import AddressSearchForm, StreetSearchForm
from .hours import next_midnight, station_now
from .models import Event, Officer
from .vcard import officer_vcard


def _home(request: HttpRequest, **context: Any) -> HttpResponse:
    context.setdefault("form", AddressSearchForm())
    context.setdefault("street_form", StreetSearchForm())
    context["places"] = served_places()
    context["covered_area"] = covered_area()
    return render(request, "officers/search.html", context)


def _destination(finding: Finding) -> str | None:
    """Where a search that found an address ends; None when the resident must correct the input.

    The URL holds an officer slug or buurt codes, and whether the postcode alone answered, never
    the address.
    """
    buurt = finding.buurt
    by_postcode = finding.matched_by == MatchedBy.POSTCODE
    marker = {"via": "postcode"} if by_postcode else {}
    if by_postcode and buurt is not None and finding.near_buurt is not None:
        page = reverse("officers:buurt", kwargs={"code": buurt.code})
        return f"{page}?{urlencode({'ook': finding.near_buurt.code})}"
    if finding.outcome == Outcome.ONE_OFFICER and buurt is not None:
        profile = reverse("officers:profile", kwargs={"slug": finding.officers[0].slug})
        return f"{profile}?{urlencode({'buurt': buurt.code, **marker})}"
    if finding.outcome in {Outcome.SEVERAL_OFFICERS, Outcome.NO_OFFICER} and buurt is not None:
        page = reverse("officers:buurt", kwargs={"code": buurt.code})
        return f"{page}?{urlencode({'gezocht': '1', **marker})}"
    if finding.outcome == Outcome.OUTSIDE_AREA:
        return reverse("officers:outside-area")
    return None


def _answer(
    request: HttpRequest,
    finding: Finding,
    *,
    form: AddressSearchForm | StreetSearchForm,
    context: dict[str, Any],
) -> HttpResponse:
    """Redirect to the answer, or show the form again with the finding's message and choices."""
    destination = _destination(finding)
    if destination is not None:
        return HttpResponseRedirect(destination, status=303)
    if finding.outcome == Outcome.OUTSIDE_COVERAGE:
        # An answer, not a mistake: the resident typed a real address elsewhere, so no field is
        # marked wrong and the page opens on the coverage notice instead of an error summary.
        context["outside_coverage"] = True
        return _home(request, **context)
    form.add_error(finding.field, str(finding.message))
    context["alternatives"] = finding.alternatives
    # A real address the registers lack (a postcode whose published centre is wrong, a number
    # the register does not hold yet) still has a way on: choosing the buurt from the list.
    context["address_unknown"] = finding.outcome in {
        Outcome.ADDRESS_NOT_FOUND,
        Outcome.NUMBER_NOT_FOUND,
    }
    if finding.outcome == Outcome.PLACE_NOT_FOUND:
        context["place_suggestions"] = finding.suggestions
    elif finding.outcome == Outcome.STREET_NOT_FOUND:
        context["street_suggestions"] = finding.suggestions
    return _home(request, **context)


# The two search forms change nothing: a post only looks an address up and redirects to a public
# page. A forged post from another site could do no more than that, so they need no CSRF token,
# and without one they work with cookies blocked and set no cookie at all.
@csrf_exempt
@search_rate_limited
@public_read
@require_http_methods(["GET", "HEAD", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """The home page form. It is posted, so the address never appears in a URL or an access log."""
    if request.method != "POST":
        return _home(request)
    form = AddressSearchForm(request.POST)
    context: dict[str, Any] = {"form": form, "active_form": "postcode"}
    if not form.is_valid():
        return _home(request, **context)
    finding = find_officers(
        postcode=form.cleaned_data["postcode"],
        house_number=form.cleaned_data["house_number"],
        suffix_field=form.suffix_field,
    )
    return _answer(request, finding, form=form, context=context)


@csrf_exempt
@search_rate_limited
@public_read
@require_http_methods(["GET", "HEAD", "POST"])
def street_search(request: HttpRequest) -> HttpResponse:
    """The second home page form: street + house number + place, posted like the first."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("officers:search"), status=303)
    form = StreetSearchForm(request.POST)
    context: dict[str, Any] = {"street_form": form, "active_form": "street"}
    if not form.is_valid():
        return _home(request, **context)
    finding = find_officers(
        straat=form.cleaned_data["straat"],
        woonplaats=form.cleaned_data["woonplaats"],
        house_number=form.cleaned_data["house_number"],
    )
    return _answer(request, finding, form=form, context=context)


@require_safe
def officer_profile(request: HttpRequest, slug: str) -> HttpResponse:
    context = pages.officer_profile_context(
        slug=slug, searched_buurt_code=request.GET.get("buurt", ""), language=get_language()
    )
    if context is None:
        return _former_profile(request, slug=slug)
    context["by_postcode"] = request.GET.get("via") == "postcode"
    return fresh_until_next_change(render(request, "officers/profile.html", context), context)


def _former_profile(request: HttpRequest, *, slug: str) -> HttpResponse:
    """An address residents may still hold (a card, a link) whose officer is unpublished (404) or
    deleted (410): the page says so and names who covers those buurten now."""
    former = departures.former_profile(slug=slug)
    if former is None:
        raise Http404(_("No published officer has this address."))
    return render(request, "officers/former_profile.html", {"former": former}, status=former.status)


@require_safe
def officer_contact_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The "save contact" download: the officer's public channels as a vCard."""
    context = pages.officer_profile_context(slug=slug, language=get_language())
    if context is None:
        raise Http404(_("No published officer has this address."))
    officer = context["officer"]
    area = ", ".join(buurt.name for buurt in context["buurten"])
    note = _("Wijkagent for %(area)s. Emergency: call 112. No emergency: call 0900-8844.") % {
        "area": area or _("no buurt at the moment")
    }
    card = officer_vcard(
        officer=officer,
        channels=officer.public_channels,
        station=context["station"],
        role=_("Wijkagent"),
        organisation=_("Police"),
        profile_url=request.build_absolute_uri(officer.get_absolute_url()),
        note=note,
    )
    response = HttpResponse(card, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{officer.slug}.vcf"'
    return response


@require_safe
def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """One spreekuur or meeting as an iCalendar file; past events are gone, like on the pages."""
    event = get_object_or_404(
        Event.objects.select_related("officer").filter(officer__in=Officer.objects.published()),
        pk=pk,
    )
    if calendar.next_occurrence(event, now=timezone.now()) is None:
        raise Http404(_("This event is over."))
    description = _("%(title)s with %(officer)s, wijkagent. More: %(url)s") % {
        "title": event.title,
        "officer": event.officer.name,
        "url": request.build_absolute_uri(event.officer.get_absolute_url()),
    }
    absences = pages.coming_absences_by_officer([event.officer], today=timezone.localdate())
    body = calendar.event_ical(
        event,
        description=description,
        url=request.build_absolute_uri(event.officer.get_absolute_url()),
        host=request.get_host().split(":")[0],
        absences=absences.get(event.officer_id, []),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spreekuur-{event.pk}.ics"'
    return response


@require_safe
def buurt_detail(request: HttpRequest, code: str) -> HttpResponse:
    also = request.GET.get("ook", "")
    context = pages.buurt_page_context(code=code.upper(), also_code=also)
    if context is None:
        raise Http404(_("No buurt has this code."))
    context["from_search"] = request.GET.get("gezocht") == "1"
    context["by_postcode"] = request.GET.get("via") == "postcode"
    response = fresh_until_next_change(render(request, "officers/buurt.html", context), context)
    if also and context["also"] is None:
        # Ignored, and kept out of the page cache: a code that names no other active buurt
        # must not make a cache entry of its own.
        patch_cache_control(response, private=True)
    return response


def fresh_until_next_change(response: HttpResponse, context: Mapping[str, Any]) -> HttpResponse:
    """Mark the page as true until its station's opening status next changes and never past
    midnight, when absences, deputies and spreekuren move on a day: the page cache must not keep
    "open now" past closing time, nor yesterday's absence."""
    fresh_until = next_midnight(station_now())
    opening = context.get("opening")
    if opening is not None and opening.changes_at is not None:
        fresh_until = min(fresh_until, opening.changes_at)
    response.fresh_until = fresh_until  # type: ignore[attr-defined]
    return response


@require_safe
def outside_area(request: HttpRequest) -> HttpResponse:
    return render(request, "officers/outside_area.html", {"covered_area": covered_area()})
