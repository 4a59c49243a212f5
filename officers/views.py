"""The resident's pages: the search flow, officer profiles, buurt pages, the A-Z list and downloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from neighbourhoods.lookup import InvalidInput, served_places
from wijkportaal.formdata import urlencoded_pairs
from wijkportaal.middleware import retry_on_stale_connection

from . import calendar, pages
from .finding import (
    Finding,
    OfficerSearch,
    find_officers_for_address,
    find_officers_for_street_address,
)
from .forms import AddressSearchForm, StreetSearchForm
from .models import Event, Officer, officer_profile_path
from .vcard import officer_vcard


class SeeOther(HttpResponse):
    """303 See Other to a path of this site, the answer to a posted search.

    HttpResponseRedirect checks a URL that may come from anywhere (it quotes an IRI and refuses
    unsafe schemes); these are paths the portal builds itself from slugs and codes.
    """

    status_code = 303

    def __init__(self, path: str) -> None:
        super().__init__()
        self["Location"] = path

    @property
    def url(self) -> str:
        return self["Location"]


def _home(request: HttpRequest, **context: Any) -> HttpResponse:
    context.setdefault("form", AddressSearchForm())
    context.setdefault("street_form", StreetSearchForm())
    context["places"] = served_places()
    return render(request, "officers/search.html", context)


def _destination(result: OfficerSearch) -> str | None:
    """Where a search that found an address ends; None when the resident must correct the input.

    The URL holds an officer slug or a buurt code, never the address.
    """
    if result.finding == Finding.ONE_OFFICER:
        profile = officer_profile_path(result.officer_slugs[0])
        return f"{profile}?buurt={quote(result.buurt_code, safe='')}"
    if result.finding in {Finding.SEVERAL_OFFICERS, Finding.NO_OFFICER}:
        return f"{pages.buurt_path(result.buurt_code)}?gezocht=1"
    if result.finding == Finding.OUTSIDE_AREA:
        return reverse("officers:outside-area")
    return None


def _not_found_message() -> str:
    return _(
        "We could not find this address. Check the postcode and house number. "
        "If they are right, call 0900-8844 and we will help you."
    )


def _posted_fields(request: HttpRequest) -> Mapping[str, str]:
    """The fields of a posted form, read straight from its body.

    A browser posts the search as a short URL-encoded body in UTF-8, read with `parse_qsl` for
    about an eleventh of a search's CPU less than `request.POST`. Any other body (another content
    type or encoding, too many fields) is left to `request.POST`, which reads it as Django always
    does and refuses what it must.
    """
    if request.content_type == "application/x-www-form-urlencoded" and request.encoding is None:
        try:
            return dict(urlencoded_pairs(request.body))
        except (ValueError, RawPostDataException):
            # Not UTF-8 (a UnicodeDecodeError), too many fields, or a body read before the view.
            pass
    return request.POST


def _search_as_posted(data: Mapping[str, str]) -> OfficerSearch | None:
    """The search for the posted fields as they are, without the form's machinery (about a sixth
    of a search's CPU); None for input the resident must correct.

    The lookup parses the fields with the same rules as the form. Most searches find their
    address and redirect from this answer; anything else goes through the form, which checks each
    field and says what to correct, reusing this answer rather than searching again.
    """
    try:
        return find_officers_for_address(
            postcode=data.get("postcode", ""),
            huisnummer=data.get("huisnummer", ""),
            toevoeging=data.get("toevoeging", ""),
        )
    except InvalidInput:
        return None


# The two search forms change nothing: a post only looks an address up and redirects to a public
# page. A forged post from another site could do no more than that, so they need no CSRF token,
# and without one they work with cookies blocked and set no cookie at all.
@csrf_exempt
@retry_on_stale_connection
@require_http_methods(["GET", "HEAD", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """The home page form. It is posted, so the address never appears in a URL or an access log."""
    if request.method != "POST":
        return _home(request)
    fields = _posted_fields(request)
    result = _search_as_posted(fields)
    destination = _destination(result) if result is not None else None
    if destination is not None:
        return SeeOther(destination)

    # The fields as read above: the body is not parsed a second time for the form.
    form = AddressSearchForm(fields)
    alternatives = []
    if form.is_valid():
        try:
            if result is None:
                result = find_officers_for_address(
                    postcode=form.cleaned_data["postcode"],
                    huisnummer=form.cleaned_data["huisnummer"],
                    toevoeging=form.cleaned_data["toevoeging"],
                )
        except InvalidInput as error:
            form.add_error(error.field, error.message)
        else:
            destination = _destination(result)
            if destination is not None:
                return SeeOther(destination)
            if result.finding == Finding.HOUSE_NUMBER_REQUIRED:
                form.add_error(
                    "huisnummer",
                    _(
                        "This postcode lies in more than one buurt. Add your house number so we "
                        "can find the right wijkagent."
                    ),
                )
            elif result.finding == Finding.SUFFIX_NOT_FOUND:
                alternatives = result.alternatives
                # On the field the letter or addition was typed in: "13 Q" in the house number
                # leaves the addition empty.
                typed_in = "toevoeging" if form.cleaned_data["toevoeging"].strip() else "huisnummer"
                form.add_error(
                    typed_in,
                    _(
                        "We know this house number, but not with this letter or addition. Choose "
                        "one of the addresses below, or check your input."
                    ),
                )
            else:
                form.add_error(None, _not_found_message())
    return _home(request, form=form, alternatives=alternatives, active_form="postcode")


@csrf_exempt
@retry_on_stale_connection
@require_http_methods(["GET", "HEAD", "POST"])
def street_search(request: HttpRequest) -> HttpResponse:
    """The second home page form: street + house number + place, posted like the first."""
    if request.method != "POST":
        return SeeOther(reverse("officers:search"))
    form = StreetSearchForm(request.POST)
    context: dict[str, Any] = {"street_form": form, "active_form": "street"}
    if form.is_valid():
        try:
            result = find_officers_for_street_address(
                straat=form.cleaned_data["straat"],
                huisnummer=form.cleaned_data["huisnummer"],
                woonplaats=form.cleaned_data["woonplaats"],
            )
        except InvalidInput as error:
            form.add_error(error.field, error.message)
        else:
            destination = _destination(result)
            if destination is not None:
                return SeeOther(destination)
            _street_errors(form, result, context)
    return _home(request, **context)


def _street_errors(form: forms.Form, result: OfficerSearch, context: dict[str, Any]) -> None:
    if result.finding == Finding.PLACE_NOT_FOUND:
        context["place_suggestions"] = result.suggestions
        form.add_error(
            "woonplaats",
            _(
                "We do not know this place. Check the spelling, or choose one of the places "
                "we serve."
            ),
        )
    elif result.finding == Finding.STREET_NOT_FOUND:
        context["street_suggestions"] = result.suggestions
        message = (
            _("We do not know this street in this place. Did you mean one of the streets below?")
            if result.suggestions
            else _("We do not know this street in this place. Check the spelling.")
        )
        form.add_error("straat", message)
    elif result.finding == Finding.SUFFIX_NOT_FOUND:
        context["alternatives"] = result.alternatives
        form.add_error(
            "huisnummer",
            _(
                "We know this house number, but not with this letter or addition. Choose "
                "one of the addresses below, or check your input."
            ),
        )
    else:
        form.add_error(
            "huisnummer",
            _(
                "We could not find this house number in this street. Check it, or search "
                "with your postcode."
            ),
        )


@require_safe
def officer_profile(request: HttpRequest, slug: str) -> HttpResponse:
    context = pages.officer_profile_context(
        slug=slug, searched_buurt_code=request.GET.get("buurt", ""), language=get_language()
    )
    if context is None:
        raise Http404(_("No published officer has this address."))
    return render(request, "officers/profile.html", context)


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
    body = calendar.event_ical(
        event,
        description=description,
        url=request.build_absolute_uri(event.officer.get_absolute_url()),
        host=request.get_host().split(":")[0],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spreekuur-{event.pk}.ics"'
    return response


@require_safe
def buurt_detail(request: HttpRequest, code: str) -> HttpResponse:
    context = pages.buurt_page_context(code=code.upper())
    if context is None:
        raise Http404(_("No buurt has this code."))
    context["from_search"] = request.GET.get("gezocht") == "1"
    return render(request, "officers/buurt.html", context)


@require_safe
def officer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "officers/officer_list.html", pages.officer_list_context())


@require_safe
def outside_area(request: HttpRequest) -> HttpResponse:
    return render(request, "officers/outside_area.html", pages.outside_area_context())
