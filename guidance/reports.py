"""Residents' reports that an answer looks wrong: taking one in (same-site posts only, a few per
client an hour) and deleting it REPORT_RETENTION after staff handled it."""

from __future__ import annotations

import datetime as dt
import logging

from django.http import HttpRequest

from neighbourhoods.models import Buurt
from wijkportaal import counters
from wijkportaal.clients import client_address, client_digest

from .models import AnswerReport

logger = logging.getLogger("guidance.reports")

REPORTS_PER_HOUR = 5
_WINDOW_SECONDS = 3600


def allow_report(request: HttpRequest, *, now: float | None = None) -> bool:
    """Count a report against the client's hourly allowance; False once it is used up.

    The counter is keyed on a hash of the client's address, in the counters the other rate limits
    use. A counter store that cannot be reached lets the report in.
    """
    name = f"answer-reports:{client_digest(client_address(request))}"
    try:
        count = counters.increment(name, window=_WINDOW_SECONDS, now=now).value
    except counters.CountersUnavailable:  # A report is worth more than a perfectly enforced limit.
        logger.exception("Counters unavailable; report not rate limited")
        return True
    return count <= REPORTS_PER_HOUR


def create_report(
    *, buurt_code: str, officer_slug: str, address: str, address_consent: bool, correction: str
) -> AnswerReport:
    """Store a report; the address only when the resident agreed (the form makes sure of that)."""
    buurt = (
        Buurt.objects.active().select_related("wijk__municipality").filter(code=buurt_code).first()
        if buurt_code
        else None
    )
    return AnswerReport.objects.create(
        buurt_code=buurt.code if buurt else "",
        officer_slug=officer_slug[:120],
        municipality=buurt.wijk.municipality if buurt else None,
        address=address if address_consent else "",
        address_consent=address_consent and bool(address),
        correction=correction,
    )


def delete_handled_reports(*, now: dt.datetime) -> int:
    """Delete every report handled REPORT_RETENTION or longer before `now`; the number deleted."""
    deleted, _per_model = AnswerReport.objects.due_for_deletion(now=now).delete()
    return deleted
