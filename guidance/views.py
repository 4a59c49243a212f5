"""/hulp/ (which channel for which problem) and the "Klopt dit niet?" report form."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from neighbourhoods.covered import ServedMunicipality, served_municipalities
from neighbourhoods.models import Buurt, Municipality
from wijkportaal import clients

from . import help, reports
from .forms import AnswerReportForm, buurt_code_from


def _help_page(
    request: HttpRequest,
    *,
    municipality: Municipality | None,
    served: list[ServedMunicipality],
) -> HttpResponse:
    return render(
        request,
        "guidance/help.html",
        {
            "municipality": municipality,
            "topics": help.help_topics(municipality=municipality, language=get_language()),
            "municipalities": [(entry.municipality, entry.slug) for entry in served],
        },
    )


@require_safe
def help_page(request: HttpRequest) -> HttpResponse:
    """The national channels, and a municipality's own when the portal covers just one."""
    served = served_municipalities()
    municipality = served[0].municipality if len(served) == 1 else None
    return _help_page(request, municipality=municipality, served=served)


@require_safe
def municipality_help_page(request: HttpRequest, gemeente: str) -> HttpResponse:
    """The national channels and those of one municipality, by the slug of its name."""
    served = served_municipalities()
    municipality = next((m.municipality for m in served if m.slug == gemeente), None)
    if municipality is None:
        raise Http404(_("The portal does not cover this municipality."))
    return _help_page(request, municipality=municipality, served=served)


def _shown_buurt(code: str) -> Buurt | None:
    if not code:
        return None
    return Buurt.objects.active().select_related("wijk__municipality").filter(code=code).first()


# No CSRF token, which would need a cookie: clients.is_same_site_post checks the browser's own
# Sec-Fetch-Site and Origin headers instead. Never cached: the form page answers each visitor.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Tell the staff that an answer looks wrong."""
    data = request.POST if request.method == "POST" else request.GET
    context = {"buurt": _shown_buurt(buurt_code_from(data.get("buurt", "")))}
    if request.method != "POST":
        form = AnswerReportForm(
            initial={"buurt": data.get("buurt", ""), "wijkagent": data.get("wijkagent", "")}
        )
        return render(request, "guidance/report.html", {**context, "form": form})
    if not clients.is_same_site_post(request):
        form = AnswerReportForm(
            initial={"buurt": data.get("buurt", ""), "wijkagent": data.get("wijkagent", "")}
        )
        return render(
            request, "guidance/report.html", {**context, "form": form, "refused": True}, status=403
        )
    form = AnswerReportForm(request.POST)
    if not form.is_valid():
        return render(request, "guidance/report.html", {**context, "form": form}, status=400)
    if not reports.allow_report(request):
        return render(
            request, "guidance/report.html", {**context, "form": form, "limited": True}, status=429
        )
    reports.create_report(
        buurt_code=form.cleaned_data["buurt"],
        officer_slug=form.cleaned_data["wijkagent"],
        address=form.cleaned_data["address"].strip(),
        address_consent=form.cleaned_data["address_consent"],
        correction=form.cleaned_data["correction"].strip(),
    )
    return HttpResponseRedirect(reverse("guidance:report-sent"), status=303)


@never_cache
@require_safe
def report_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "guidance/report_sent.html")
