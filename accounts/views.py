"""The sign-in steps after the password: the code, enrolling an authenticator, recovery codes."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import django_otp
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from . import twofactor
from .forms import CodeForm

logger = logging.getLogger("accounts.twofactor")

# Recovery codes wait here between the enrolment that made them and the page that shows them once.
RECOVERY_CODES_SESSION_KEY = "recovery_codes_to_show"


def _next_url(request: HttpRequest) -> str:
    """Where the user was going: a local address only, else the admin's index."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


def _step_url(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}"


def redirect_to_second_step(request: HttpRequest) -> HttpResponseRedirect:
    """The code step for an account with an authenticator, enrolment for one without."""
    if twofactor.has_authenticator(request.user):
        return HttpResponseRedirect(_step_url("admin:second_factor", request))
    return HttpResponseRedirect(_step_url("admin:second_factor_enrol", request))


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {
        **admin.site.each_context(request),
        "next": _next_url(request),
        "username": request.user.get_username(),
        **extra,
    }


def _not_for_this_step(request: HttpRequest) -> HttpResponseRedirect | None:
    """Anyone but a staff user who signed in with a password and still needs the code goes elsewhere."""
    user = request.user
    if not (user.is_authenticated and user.is_active and getattr(user, "is_staff", False)):
        return HttpResponseRedirect(reverse("admin:login"))
    if not twofactor.needs_second_factor(user):
        return HttpResponseRedirect(_next_url(request))
    return None


@sensitive_post_parameters("code")
@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _not_for_this_step(request)) is not None:
        return elsewhere
    if not twofactor.has_authenticator(request.user):
        return redirect_to_second_step(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device = twofactor.verify_code(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            # A new session key for the now fully signed-in session, as after the password.
            request.session.cycle_key()
            django_otp.login(request, device)
            logger.info(
                "Second factor accepted",
                extra={"user_id": request.user.pk, "device": type(device).__name__},
            )
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(count)d recovery code is left.",
                        "You signed in with a recovery code; %(count)d recovery codes are left.",
                        left,
                    )
                    % {"count": left},
                )
            return HttpResponseRedirect(_next_url(request))
        logger.warning("Second factor refused", extra={"user_id": request.user.pk})
        wait = twofactor.seconds_to_wait(user=request.user)
        form.add_error(
            "code",
            ngettext(
                "That code is not right. Wait %(seconds)d second before the next try.",
                "That code is not right. Wait %(seconds)d seconds before the next try.",
                wait,
            )
            % {"seconds": wait}
            if wait
            else _("That code is not right. Type the code your app shows now, or a recovery code."),
        )
    return render(
        request,
        "accounts/second_factor.html",
        _context(request, form=form, title=_("Sign-in code")),
    )


@sensitive_post_parameters("code")
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _not_for_this_step(request)) is not None:
        return elsewhere
    if twofactor.has_authenticator(request.user):
        return redirect_to_second_step(request)
    device = twofactor.pending_authenticator(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = twofactor.confirm_authenticator(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return HttpResponseRedirect(_step_url("admin:recovery_codes", request))
        form.add_error(
            "code",
            _("That code is not right. Check the time on your phone and type the newest code."),
        )
    return render(
        request,
        "accounts/enrol.html",
        _context(
            request,
            form=form,
            title=_("Set up your sign-in app"),
            qr_code=twofactor.qr_code_svg(device),
            secret=twofactor.secret_for_display(device),
        ),
    )


@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once; a verified user may replace them with a new set."""
    if not admin.site.has_permission(request):
        return HttpResponseRedirect(reverse("admin:login"))
    if request.method == "POST":
        codes = twofactor.new_recovery_codes(user=request.user)
        logger.info("Recovery codes replaced", extra={"user_id": request.user.pk})
        request.session[RECOVERY_CODES_SESSION_KEY] = codes
        return HttpResponseRedirect(_step_url("admin:recovery_codes", request))
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        _context(
            request,
            title=_("Recovery codes"),
            codes=codes,
            codes_left=twofactor.recovery_codes_left(user=request.user),
        ),
    )


@require_POST
def cancel(request: HttpRequest) -> HttpResponseRedirect:
    """Sign out from the middle of the sign-in (the admin's own log-out wants a verified session)."""
    logout(request)
    return HttpResponseRedirect(reverse("admin:login"))
