"""GET /api/v1/officers and /officers/<slug>: published officers and only their public data."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api.views import OFFICERS_PER_PAGE
from officers.models import Absence, Event
from tests import factories


def test_the_list_holds_published_officers_a_to_z(client, register):
    response = client.get("/api/v1/officers")
    assert response.status_code == 200
    answer = response.json()
    assert [officer["slug"] for officer in answer["officers"]] == [
        "anna-voorbeeld",
        "bram-verzonnen",
        "carla-fictief",
    ]
    assert answer["count"] == 3
    assert (answer["page"], answer["pages"], answer["next"], answer["previous"]) == (
        1,
        1,
        None,
        None,
    )


def test_an_officer_with_area_channels_and_station(client, register):
    response = client.get("/api/v1/officers/anna-voorbeeld")
    assert response.status_code == 200
    anna = response.json()
    assert anna["name"] == "Anna Voorbeeld"
    assert anna["rank"] == "Hoofdagent"
    assert anna["profile_url"] == "http://testserver/wijkagent/anna-voorbeeld/"
    assert anna["photo"] == {"url": None, "alt": ""}
    assert anna["buurten"] == [{"code": "BU00010001", "name": "West", "role": "primary"}]
    assert anna["channels"] == [{"kind": "phone", "value": "0900-8844", "href": "tel:09008844"}]
    assert anna["station"]["name"] == "Bureau West"
    assert anna["absence"] is None
    assert anna["events"] == []
    assert "role" not in anna


def test_an_unpublished_officer_is_not_found(client, register):
    response = client.get("/api/v1/officers/verborgen-agent")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not-found"
    assert "verborgen-agent" not in client.get("/api/v1/officers").content.decode()


def test_an_absence_names_the_published_deputy(client, register, away):
    anna = client.get("/api/v1/officers/anna-voorbeeld").json()
    assert anna["absence"]["starts_on"] == away.starts_on.isoformat()
    assert anna["absence"]["ends_on"] == away.ends_on.isoformat()
    assert anna["absence"]["deputy"]["slug"] == "carla-fictief"


def test_an_unpublished_deputy_is_not_named(client, register, away):
    away.deputy = register["hidden"]
    away.save()
    anna = client.get("/api/v1/officers/anna-voorbeeld").json()
    assert anna["absence"]["deputy"] is None


def test_a_deputy_who_is_away_himself_is_not_named(client, register, away):
    Absence.objects.create(
        officer=register["carla"], starts_on=dt.date.today(), ends_on=away.ends_on
    )
    anna = client.get("/api/v1/officers/anna-voorbeeld").json()
    assert anna["absence"]["ends_on"] == away.ends_on.isoformat()
    assert anna["absence"]["deputy"] is None


def test_sessions_on_a_day_the_officer_is_away_are_marked_cancelled(client, register):
    now = timezone.now()
    today = timezone.localdate()
    Absence.objects.create(
        officer=register["anna"],
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=4),
    )
    for title, days in (("Tijdens de vakantie", 2), ("Daarna", 9)):
        Event.objects.create(
            officer=register["anna"],
            title=title,
            place="Buurthuis",
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=1),
        )
    for url in ("/api/v1/officers/anna-voorbeeld", "/api/v1/officers"):
        answer = client.get(url).json()
        anna = answer if "slug" in answer else answer["officers"][0]
        cancelled = {event["title"]: event["cancelled"] for event in anna["events"]}
        assert cancelled == {"Tijdens de vakantie": True, "Daarna": False}, url


def test_a_photo_has_an_absolute_url_and_its_alt_text(client, register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    anna = register["anna"]
    anna.photo = SimpleUploadedFile("anna.jpg", b"not really a jpeg", content_type="image/jpeg")
    anna.photo_alt = "Anna in uniform"
    anna.save()
    photo = client.get("/api/v1/officers/anna-voorbeeld").json()["photo"]
    assert photo["url"].startswith("http://testserver/media/officers/anna")
    assert photo["alt"] == "Anna in uniform"


def test_upcoming_events_only(client, register):
    now = timezone.now()
    anna = register["anna"]
    Event.objects.create(
        officer=anna,
        title="Afgelopen",
        place="Buurthuis",
        starts_at=now - dt.timedelta(days=2),
        ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=1),
    )
    Event.objects.create(
        officer=anna,
        title="Spreekuur",
        place="Buurthuis",
        starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=3) + dt.timedelta(hours=1),
        recurrence=Event.Recurrence.WEEKLY,
    )
    Event.objects.create(
        officer=anna,
        title="Buurtschouw",
        place="Markt",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=2),
    )
    events = client.get("/api/v1/officers/anna-voorbeeld").json()["events"]
    assert [event["title"] for event in events] == ["Buurtschouw", "Spreekuur"]
    spreekuur = events[1]
    starts = dt.datetime.fromisoformat(spreekuur["starts_at"])
    assert spreekuur["recurrence"] == "weekly"
    assert now < starts + dt.timedelta(hours=1) <= now + dt.timedelta(days=7, hours=1)


def test_the_list_pages_by_a_hundred(client, db):
    for number in range(OFFICERS_PER_PAGE + 1):
        factories.make_officer(f"Agent {number:03d}", slug=f"agent-{number:03d}")
    first = client.get("/api/v1/officers").json()
    assert (first["count"], first["pages"], len(first["officers"])) == (101, 2, 100)
    assert first["next"] == "http://testserver/api/v1/officers?page=2"
    second = client.get(first["next"]).json()
    assert [officer["slug"] for officer in second["officers"]] == ["agent-100"]
    assert second["previous"] == "http://testserver/api/v1/officers?page=1"
    missing = client.get("/api/v1/officers?page=3")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not-found"


def test_an_invalid_page(client, db):
    for page in ("0", "-1", "two", "1.5"):
        response = client.get("/api/v1/officers", {"page": page})
        assert response.status_code == 400, page
        assert response.json()["code"] == "invalid-page"


def test_the_list_takes_a_fixed_number_of_queries(
    client, register, away, django_assert_max_num_queries
):
    for number in range(30):
        officer = factories.make_officer(f"Extra {number:02d}")
        factories.add_channel(officer, "email", f"extra{number}@example.org")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/officers")
    assert response.json()["count"] == 33


def test_one_officer_takes_a_fixed_number_of_queries(
    client, register, away, django_assert_max_num_queries
):
    # Officer with station, assignments, channels, absences, events, priorities.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/officers/anna-voorbeeld")
    assert response.json()["absence"]["deputy"]["slug"] == "carla-fictief"


def test_overlapping_absences_show_the_latest_return_as_the_profile_does(client, register, away):
    # A course inside the holiday: Anna is back when the holiday ends, with Carla standing in.
    today = dt.date.today()
    Absence.objects.create(
        officer=register["anna"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
        deputy=register["bram"],
    )
    anna = client.get("/api/v1/officers/anna-voorbeeld").json()
    assert anna["absence"]["ends_on"] == away.ends_on.isoformat()
    assert anna["absence"]["deputy"]["slug"] == "carla-fictief"
    html = client.get("/wijkagent/anna-voorbeeld/").content.decode()
    assert 'href="/wijkagent/carla-fictief/"' in html
    assert 'href="/wijkagent/bram-verzonnen/"' not in html
