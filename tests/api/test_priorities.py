"""Priorities in the API: in the buurt and officer documents, as the OpenAPI document says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from officers.models import Priority, PriorityUpdate

TODAY = timezone.localdate()


@pytest.fixture
def priorities(register, buurten):
    east = Priority.objects.create(
        buurt=buurten["east"],
        title="Fietsendiefstal",
        issue="Fietsen weg.",
        action="Controles.",
        opened_on=TODAY - dt.timedelta(days=20),
    )
    PriorityUpdate.objects.create(priority=east, date=TODAY - dt.timedelta(days=9), text="Eerste.")
    PriorityUpdate.objects.create(priority=east, date=TODAY - dt.timedelta(days=2), text="Tweede.")
    wijk = Priority.objects.create(
        wijk=buurten["west"].wijk,
        title="Inbraken",
        issue="Meer inbraken.",
        action="Preventie.",
        opened_on=TODAY - dt.timedelta(days=40),
        status="closed",
        closed_on=TODAY - dt.timedelta(days=5),
        outcome="Voorlichting gegeven.",
    )
    Priority.objects.create(
        buurt=buurten["west"], title="Alleen West", issue="x", action="y", opened_on=TODAY
    )
    return {"east": east, "wijk": wijk}


def test_the_buurt_document_has_its_and_its_wijks_priorities_with_updates(client, priorities):
    body = client.get("/api/v1/buurten/BU00010002").json()
    assert [p["title"] for p in body["priorities"]] == ["Fietsendiefstal", "Inbraken"]
    first, closed = body["priorities"]
    assert first["area"] == {"kind": "buurt", "code": "BU00010002", "name": "Oost"}
    assert first["status"] == "open" and first["closed_on"] is None
    assert first["last_update_on"] == (TODAY - dt.timedelta(days=2)).isoformat()
    assert [u["text"] for u in first["updates"]] == ["Tweede.", "Eerste."]
    assert closed["area"]["kind"] == "wijk"
    assert (closed["status"], closed["outcome"]) == ("closed", "Voorlichting gegeven.")


def test_officer_documents_carry_the_priorities_of_their_areas(client, priorities):
    bram = client.get("/api/v1/officers/bram-verzonnen").json()
    assert [p["title"] for p in bram["priorities"]] == ["Fietsendiefstal", "Inbraken"]
    listed = {o["slug"]: o for o in client.get("/api/v1/officers").json()["officers"]}
    assert [p["title"] for p in listed["anna-voorbeeld"]["priorities"]] == [
        "Alleen West",
        "Inbraken",
    ]
    assert listed["bram-verzonnen"]["priorities"] == bram["priorities"]


def test_the_officer_list_takes_two_queries_for_all_priorities(
    client, priorities, django_assert_max_num_queries, register
):
    with django_assert_max_num_queries(10) as captured:
        client.get("/api/v1/officers")
    priority_queries = [q for q in captured.captured_queries if "officers_priority" in q["sql"]]
    assert len(priority_queries) == 2  # the priorities, then their updates


def test_the_openapi_document_describes_priorities(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "priorities" in schemas["Officer"]["required"]
    assert schemas["Priority"]["properties"]["status"]["enum"] == ["open", "closed"]
    answer = schemas["BuurtAnswer"]["allOf"][1]["properties"]
    assert answer["priorities"]["items"] == {"$ref": "#/components/schemas/Priority"}
