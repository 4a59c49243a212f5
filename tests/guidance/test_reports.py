""" "Klopt dit niet?": the form page, consent for the address, same-site posts only, the rate
limit, the admin and the deletion 90 days after a report is handled."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError, transaction

from guidance.models import AnswerReport
from guidance.reports import REPORTS_PER_HOUR
from tests import factories
from tests.officers.admin_support import log_in_verified

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
FORM = "/klopt-dit-niet/"


def post(client, data: dict, **headers):
    return client.post(FORM, data, **(headers or SAME_ORIGIN))


def report_data(**overrides) -> dict:
    data = {
        "buurt": "BU00010001",
        "wijkagent": "anna-voorbeeld",
        "correction": "Mijn straat hoort bij Oost.",
        "address": "",
    }
    return {**data, **overrides}


def test_the_form_page_is_never_cached_and_sets_no_cookie(client, buurten):
    response = client.get(FORM + "?buurt=BU00010001&wijkagent=anna-voorbeeld")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    html = response.content.decode()
    assert "West" in html
    assert 'value="anna-voorbeeld"' in html


def test_a_report_without_address_is_stored_and_says_thanks(client, buurten):
    response = post(client, report_data())
    assert response.status_code == 303
    assert response["Location"] == "/klopt-dit-niet/verstuurd/"
    report = AnswerReport.objects.get()
    assert report.buurt_code == "BU00010001"
    assert report.officer_slug == "anna-voorbeeld"
    assert report.municipality.name == "Testgemeente"
    assert report.address == ""
    assert report.correction == "Mijn straat hoort bij Oost."
    assert client.get(response["Location"]).status_code == 200


def test_an_address_is_stored_only_with_consent(client, buurten):
    response = post(client, report_data(address="Teststraat 1, Heerlen"))
    assert response.status_code == 400
    assert "Vink dit vakje aan" in response.content.decode()
    assert not AnswerReport.objects.exists()

    response = post(client, report_data(address="Teststraat 1, Heerlen", address_consent="on"))
    assert response.status_code == 303
    report = AnswerReport.objects.get()
    assert report.address == "Teststraat 1, Heerlen"
    assert report.address_consent


def test_the_database_refuses_an_address_without_consent(buurten):
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerReport.objects.create(correction="x", address="Teststraat 1", address_consent=False)


def test_a_correction_is_required(client, buurten):
    assert post(client, report_data(correction="  ")).status_code == 400
    assert not AnswerReport.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "http://testserver/klopt-dit-niet/"},
    ],
)
def test_posts_from_elsewhere_or_without_origin_are_refused(client, buurten, headers):
    response = client.post(FORM, report_data(), **headers)
    assert response.status_code == 403
    assert not AnswerReport.objects.exists()


def test_an_origin_of_this_site_is_enough_for_browsers_without_fetch_metadata(client, buurten):
    response = client.post(FORM, report_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 303


def test_reports_are_rate_limited_per_client(client, buurten):
    for _ in range(REPORTS_PER_HOUR):
        assert post(client, report_data()).status_code == 303
    response = post(client, report_data())
    assert response.status_code == 429
    assert AnswerReport.objects.count() == REPORTS_PER_HOUR
    other = client.post(FORM, report_data(), REMOTE_ADDR="192.0.2.7", **SAME_ORIGIN)
    assert other.status_code == 303


def test_an_unknown_buurt_code_is_dropped(client, buurten):
    post(client, report_data(buurt="<script>"))
    report = AnswerReport.objects.get()
    assert report.buurt_code == ""
    assert report.municipality is None


def test_answer_pages_from_a_search_link_to_the_form(client, buurten):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(officer, buurten["west"])
    profile = client.get("/wijkagent/anna-voorbeeld/?buurt=BU00010001").content.decode()
    assert 'href="/klopt-dit-niet/?buurt=BU00010001&amp;wijkagent=anna-voorbeeld"' in profile
    assert "/klopt-dit-niet/" not in client.get("/wijkagent/anna-voorbeeld/").content.decode()
    buurt = client.get("/buurt/BU00010002/?gezocht=1").content.decode()
    assert 'href="/klopt-dit-niet/?buurt=BU00010002"' in buurt
    assert "/klopt-dit-niet/" not in client.get("/buurt/BU00010002/").content.decode()


# --- Staff and deletion ---


@pytest.fixture
def staff_client(client, db):
    user = User.objects.create_superuser("beheer", "beheer@example.org", "secret-pass-123")
    log_in_verified(client, user)
    return client, user


def test_staff_see_reports_and_mark_them_handled(staff_client, buurten):
    client, user = staff_client
    report = AnswerReport.objects.create(buurt_code="BU00010001", correction="Klopt niet")
    listing = client.get("/beheer/guidance/answerreport/")
    assert listing.status_code == 200
    assert "BU00010001" in listing.content.decode()
    response = client.post(
        "/beheer/guidance/answerreport/",
        {"action": "mark_handled", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.handled_at is not None
    assert report.handled_by == user
    assert client.get("/beheer/guidance/answerreport/add/").status_code == 403


def test_a_report_links_to_the_pages_it_was_about(staff_client, buurten):
    client, _user = staff_client
    report = AnswerReport.objects.create(
        buurt_code="BU00010001", officer_slug="anna-voorbeeld", correction="Klopt niet"
    )
    bare = AnswerReport.objects.create(correction="Geen pagina")
    page = client.get(f"/beheer/guidance/answerreport/{report.pk}/change/").content.decode()
    assert '<a href="/buurt/BU00010001/">BU00010001</a>' in page
    assert '<a href="/wijkagent/anna-voorbeeld/">anna-voorbeeld</a>' in page
    page = client.get(f"/beheer/guidance/answerreport/{bare.pk}/change/").content.decode()
    assert 'href="/buurt/' not in page
    assert 'href="/wijkagent/' not in page


def test_anonymous_visitors_do_not_see_reports(client, db):
    response = client.get("/beheer/guidance/answerreport/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_handled_report_is_deleted_90_days_later_by_the_command(db):
    handled_at = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
    handled = AnswerReport.objects.create(correction="oud", handled_at=handled_at)
    open_report = AnswerReport.objects.create(correction="nog open")
    out = StringIO()
    with time_machine.travel(handled_at + dt.timedelta(days=89, hours=23), tick=False):
        call_command("delete_handled_reports", stdout=out)
    assert AnswerReport.objects.filter(pk=handled.pk).exists()
    assert "Deleted 0" in out.getvalue()

    with time_machine.travel(handled_at + dt.timedelta(days=90), tick=False):
        call_command("delete_handled_reports", "--dry-run", stdout=out)
        assert AnswerReport.objects.filter(pk=handled.pk).exists()
        call_command("delete_handled_reports", stdout=out)
    assert not AnswerReport.objects.filter(pk=handled.pk).exists()
    assert AnswerReport.objects.filter(pk=open_report.pk).exists()
    assert "Deleted 1 handled report(s); 1 kept." in out.getvalue()


def test_the_privacy_page_says_what_happens_to_a_report(client, db):
    html = client.get("/privacy/").content.decode()
    assert 'id="reports"' in html
    assert "90 dagen na het afhandelen" in html
    assert "alleen als je het vakje aanvinkt" in html


def test_a_regional_editor_sees_only_reports_of_their_region_and_marks_them_handled(
    client, buurten
):
    from neighbourhoods.models import Municipality
    from tests.officers.admin_support import make_editor

    # An editor as create_editor makes one: the group's permissions and one municipality.
    editor = make_editor("regio", gemeenten=["GM0001"])
    own = AnswerReport.objects.create(
        buurt_code="BU00010001",
        municipality=Municipality.objects.get(code="GM0001"),
        correction="Hier",
    )
    elsewhere = AnswerReport.objects.create(
        buurt_code="BU03630000",
        municipality=Municipality.objects.create(code="GM0363", name="Amsterdam"),
        correction="Daar",
    )
    log_in_verified(client, editor)
    listing = client.get("/beheer/guidance/answerreport/").content.decode()
    assert "BU00010001" in listing
    assert "BU03630000" not in listing
    assert client.get(f"/beheer/guidance/answerreport/{own.pk}/change/").status_code == 200
    assert client.get(f"/beheer/guidance/answerreport/{elsewhere.pk}/change/").status_code == 403
    response = client.post(
        "/beheer/guidance/answerreport/",
        {"action": "mark_handled", "_selected_action": [own.pk, elsewhere.pk]},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    elsewhere.refresh_from_db()
    assert own.handled_by == editor
    assert elsewhere.handled_at is None  # not in their region, so not in what they selected from
    # Deleting is the command's job, 90 days after handling; editors do not delete reports.
    assert client.post(f"/beheer/guidance/answerreport/{own.pk}/delete/").status_code == 403
    assert AnswerReport.objects.filter(pk=own.pk).exists()
