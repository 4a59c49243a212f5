"""The resident's pages: the search flow, officer profiles, buurt pages and the A-Z list."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from neighbourhoods.lookup import InvalidInput

from . import pages
from .finding import Finding, find_officers_for_address
from .forms import AddressSearchForm


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """The home page form. It is posted, so the address never appears in a URL or an access log."""
    if request.method != "POST":
        return render(request, "officers/search.html", {"form": AddressSearchForm()})

    form = AddressSearchForm(request.POST)
    alternatives = []
    if form.is_valid():
        try:
            result = find_officers_for_address(
                postcode=form.cleaned_data["postcode"],
                huisnummer=form.cleaned_data["huisnummer"],
                toevoeging=form.cleaned_data["toevoeging"],
            )
        except InvalidInput as error:
            form.add_error(error.field, error.message)
        else:
            if result.finding == Finding.ONE_OFFICER:
                query = urlencode({"buurt": result.buurt.code})
                return _see_other(f"{result.officers[0].get_absolute_url()}?{query}")
            if result.finding in {Finding.SEVERAL_OFFICERS, Finding.NO_OFFICER}:
                return _see_other(f"{result.buurt.get_absolute_url()}?gezocht=1")
            if result.finding == Finding.OUTSIDE_AREA:
                return _see_other(reverse("officers:outside-area"))
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
                form.add_error(
                    "toevoeging",
                    _(
                        "We know this house number, but not with this letter or addition. Choose "
                        "one of the addresses below, or check your input."
                    ),
                )
            else:
                form.add_error(
                    None,
                    _(
                        "We could not find this address. Check the postcode and house number. "
                        "If they are right, call 0900-8844 and we will help you."
                    ),
                )
    return render(
        request,
        "officers/search.html",
        {"form": form, "alternatives": alternatives},
    )


@require_GET
def officer_profile(request: HttpRequest, slug: str) -> HttpResponse:
    context = pages.officer_profile_context(
        slug=slug, searched_buurt_code=request.GET.get("buurt", "")
    )
    if context is None:
        raise Http404(_("No published officer has this address."))
    return render(request, "officers/profile.html", context)


@require_GET
def buurt_detail(request: HttpRequest, code: str) -> HttpResponse:
    context = pages.buurt_page_context(code=code.upper())
    if context is None:
        raise Http404(_("No buurt has this code."))
    context["from_search"] = request.GET.get("gezocht") == "1"
    return render(request, "officers/buurt.html", context)


@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "officers/officer_list.html", pages.officer_list_context())


@require_GET
def outside_area(request: HttpRequest) -> HttpResponse:
    return render(request, "officers/outside_area.html", pages.outside_area_context())
