"""manage.py send_alerts: one digest a day of what the subscriber asked for, never the same news
twice, refusals and an unreachable mail server, boundary changes, and two runs at once."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import box

from alerts.models import Subscriber, Subscription
from officers import changes
from officers.models import Assignment, ChangeLogEntry, Event, Priority
from tests import factories
from tests.alerts.conftest import SITE, body, settle
from tests.neighbourhoods.test_import_boundaries import feature, run, write_collection

ROOT = Path(__file__).resolve().parents[2]
Kind = ChangeLogEntry.Kind
TODAY = timezone.localdate()


def follow(address: str, code: str, **topics: bool) -> Subscription:
    """A confirmed subscription, made as confirming one makes it: news from now on."""
    subscriber, _created = Subscriber.objects.get_or_create(email=address)
    latest = ChangeLogEntry.objects.aggregate(top=Max("pk"))["top"] or 0
    return Subscription.objects.create(
        subscriber=subscriber,
        buurt_code=code,
        confirmed_at=timezone.now(),
        last_change_id=latest,
        **topics,
    )


def new_wijkagent(buurt, name: str = "Bram Verzonnen") -> None:
    officer = factories.make_officer(name)
    assignment = factories.assign(officer, buurt, valid_from=TODAY)
    changes.record_assignment(assignment=assignment, kind=Kind.ASSIGNMENT_NEW)


def send(**kwargs) -> str:
    out = io.StringIO()
    call_command("send_alerts", stdout=out, **kwargs)
    return out.getvalue()


def next_day(days: int = 1):
    return time_machine.travel(timezone.now() + dt.timedelta(days=days))


# -- what is sent ------------------------------------------------------------------------------


def test_only_the_chosen_topics_are_sent(smtp_server, anna, buurten):
    follow("spreekuren@example.org", "BU00010001", wants_wijkagent=False, wants_absences=False,
           wants_priorities=False)  # fmt: skip
    new_wijkagent(buurten["west"])
    settle()
    send()
    assert smtp_server.received == []
    start = timezone.now() + dt.timedelta(days=3)
    event = Event.objects.create(
        officer=anna, title="Spreekuur", place="Buurthuis", starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )  # fmt: skip
    changes.record_event(event=event, kind=Kind.EVENT_NEW, day=TODAY)
    settle()
    send()
    [digest] = smtp_server.received
    text = body(digest)
    assert "Nieuw: Spreekuur" in text
    assert "Bram Verzonnen" not in text


def test_at_most_one_digest_a_day_and_never_the_same_news_twice(smtp_server, anna, buurten):
    follow("bewoner@example.org", "BU00010001")
    new_wijkagent(buurten["west"], "Bram Verzonnen")
    settle()
    send()
    new_wijkagent(buurten["west"], "Cas Nieuw")
    settle()
    assert "Sent 0 digest(s); 0 address(es) with nothing new; 1 had today's digest" in send()
    assert len(smtp_server.received) == 1, "the second change waits for tomorrow"
    with next_day():
        send()
        send()
    first, second = smtp_server.received
    assert "Bram Verzonnen" in body(first) and "Cas Nieuw" not in body(first)
    assert "e-mail over deze buurt hebt aangevraagd" in body(first)
    assert "Cas Nieuw" in body(second) and "Bram Verzonnen" not in body(second)
    with next_day(2):
        send()
    assert len(smtp_server.received) == 2, "nothing new, nothing sent"


def test_a_priority_update_is_sent_as_it_reads_now(smtp_server, anna, buurten):
    follow("bewoner@example.org", "BU00010001")
    priority = Priority.objects.create(
        buurt=buurten["west"], title="Fietsendiefstal", issue="Fietsen weg.", action="Controles."
    )
    update = priority.updates.create(text="Twee fietsendieven aangehouden.")
    changes.record_priority(priority=priority, kind=Kind.PRIORITY_UPDATED, day=TODAY, update=update)
    update.text = "Twee fietsendieven betrapt."
    update.save()
    settle()
    send()
    [digest] = smtp_server.received
    assert "Twee fietsendieven betrapt." in body(digest)
    assert "aangehouden" not in body(digest)


def test_news_of_several_buurten_comes_in_one_message(smtp_server, anna, buurten):
    follow("bewoner@example.org", "BU00010001")
    follow("bewoner@example.org", "BU00010002")
    new_wijkagent(buurten["west"], "Bram Verzonnen")
    new_wijkagent(buurten["east"], "Cas Nieuw")
    settle()
    send()
    [digest] = smtp_server.received
    assert digest["Subject"] == "Nieuws uit je buurten"
    text = body(digest)
    assert "== West ==" in text and "== Oost ==" in text
    assert "e-mail over deze buurten hebt aangevraagd" in text


def test_changes_about_an_unpublished_officer_are_not_sent(smtp_server, buurten):
    follow("bewoner@example.org", "BU00010001")
    hidden = factories.make_officer("Dirk Verborgen", is_published=False)
    assignment = factories.assign(hidden, buurten["west"])
    changes.record_assignment(assignment=assignment, kind=Kind.ASSIGNMENT_NEW)
    settle()
    send()
    assert smtp_server.received == []


def test_a_change_still_settling_waits_for_the_next_run(smtp_server, anna, buurten):
    follow("bewoner@example.org", "BU00010001")
    new_wijkagent(buurten["west"])
    send()
    assert smtp_server.received == []
    settle()
    send()
    assert len(smtp_server.received) == 1


def test_a_dry_run_sends_and_changes_nothing(smtp_server, anna, buurten):
    subscription = follow("bewoner@example.org", "BU00010001")
    new_wijkagent(buurten["west"])
    settle()
    assert "Dry run: 1 digest(s) due" in send(dry_run=True)
    assert smtp_server.received == []
    subscription.refresh_from_db()
    assert subscription.subscriber.last_digest_at is None
    send()
    assert len(smtp_server.received) == 1


def test_links_need_the_sites_public_address(smtp_server, settings, buurten):
    settings.SITE_URL = ""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="SITE_URL is not set"):
        send()


# -- when the mail server says no --------------------------------------------------------------


def test_an_address_refused_three_times_is_deleted(smtp_server, anna, buurten):
    follow("weg@example.org", "BU00010001")
    follow("bewoner@example.org", "BU00010001")
    smtp_server.refuse["weg@example.org"] = "550 5.1.1 No such user"
    new_wijkagent(buurten["west"])
    settle()
    send()
    assert Subscriber.objects.get(email="weg@example.org").refusals == 1
    send()
    assert Subscriber.objects.get(email="weg@example.org").refusals == 2
    assert "1 refused by the mail server, 1 address(es) deleted" in send()
    assert not Subscriber.objects.filter(email="weg@example.org").exists()
    assert len(smtp_server.to("bewoner@example.org")) == 1, "the accepted one went out once"


def test_a_message_refused_for_now_is_sent_on_a_later_run(smtp_server, anna, buurten):
    follow("bewoner@example.org", "BU00010001")
    smtp_server.refuse["bewoner@example.org"] = "450 4.2.1 Mailbox busy, try later"
    new_wijkagent(buurten["west"])
    settle()
    with pytest.raises(CommandError, match="1 digest"):
        send()
    subscriber = Subscriber.objects.get()
    assert (subscriber.refusals, subscriber.last_digest_at) == (0, None)
    del smtp_server.refuse["bewoner@example.org"]
    send()
    assert len(smtp_server.received) == 1


def test_an_unreachable_mail_server_leaves_every_digest_for_the_next_run(
    smtp_server, anna, buurten, settings
):
    follow("een@example.org", "BU00010001")
    follow("twee@example.org", "BU00010001")
    new_wijkagent(buurten["west"])
    settle()
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, 1
    with pytest.raises(CommandError, match="2 digest"):
        send()
    settings.EMAIL_PORT = port
    send()
    assert sorted(message["To"] for message in smtp_server.received) == [
        "een@example.org",
        "twee@example.org",
    ]


# -- boundary changes ------------------------------------------------------------------------------


def test_subscriptions_follow_their_code_and_a_gone_buurt_is_said_once(
    smtp_server, anna, buurten, tmp_path
):
    follow("west@example.org", "BU00010001")
    follow("oost@example.org", "BU00010002")
    # The next dataset keeps West and Noord and splits Oost in two; West only touches them.
    x, y = factories.corner(1, 0)
    half = factories.STEP / 2
    new_map = write_collection(
        tmp_path / "buurten_2024.geojson",
        [
            feature(factories.square(0, 0), code="BU00010001", name="West", wijk_code="WK000100"),
            feature(factories.square(0, 1), code="BU00010003", name="Noord", wijk_code="WK000100"),
            feature(box(x, y, x + half, y + factories.STEP), code="BU00010004",
                    name="Oost-Links", wijk_code="WK000100"),
            feature(box(x + half, y, x + 2 * half, y + factories.STEP), code="BU00010005",
                    name="Oost-Rechts", wijk_code="WK000100"),
        ],
    )  # fmt: skip
    run(new_map, "--dataset", "2024", "--activate")
    assert Assignment.objects.get(officer=anna).buurt.dataset.name == "2024"
    new_wijkagent(Assignment.objects.get(officer=anna).buurt, "Bram Verzonnen")
    settle()
    send()

    [west] = smtp_server.to("west@example.org")
    assert "Bram Verzonnen is de nieuwe wijkagent voor West" in body(west)
    assert Subscription.objects.filter(buurt_code="BU00010001").exists()

    [gone] = smtp_server.to("oost@example.org")
    text = body(gone)
    assert "De buurt Oost bestaat niet meer" in text
    assert f"Oost-Links: {SITE}/buurt/BU00010004/" in text
    assert f"{SITE}/buurt/BU00010004/volgen/" in text
    assert f"Oost-Rechts: {SITE}/buurt/BU00010005/" in text
    assert "BU00010001" not in text and "BU00010003" not in text
    assert not Subscriber.objects.filter(email="oost@example.org").exists(), (
        "its only subscription ended with the message, and the address with it"
    )
    with next_day():
        send()
    assert len(smtp_server.received) == 2


def test_a_gone_buurt_is_said_even_when_nothing_else_changed(smtp_server, buurten):
    follow("oost@example.org", "BU00010002")
    follow("oost@example.org", "BU00010001")
    buurten["east"].delete()
    send()
    [gone] = smtp_server.received
    assert "De buurt BU00010002 bestaat niet meer" in body(gone)
    assert list(Subscription.objects.values_list("buurt_code", flat=True)) == ["BU00010001"]


# -- two runs at once -------------------------------------------------------------------------------


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_digest_once(smtp_server, buurten):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite's test database lives in this process's memory, out of another process's "
            "reach; there the IMMEDIATE transaction of each address makes runs take turns"
        )
    addresses = [f"bewoner{number}@example.org" for number in range(10)]
    for address in addresses:
        follow(address, "BU00010001")
    new_wijkagent(buurten["west"])
    settle()
    # Each message waits before it is accepted, so the two runs overlap for seconds.
    smtp_server.delay = 0.5
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "SITE_URL": SITE,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECRET_KEY": "two-runs-at-once-" + "abcdefghijklmnopqrstuvwxyz0123456789",
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_alerts"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _run in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in runs]
    for process, (_out, err) in zip(runs, outputs, strict=True):
        assert process.returncode == 0, err
    assert sorted(message["To"] for message in smtp_server.received) == sorted(addresses)
    sent = [int(out.split("Sent ")[1].split(" ")[0]) for out, _err in outputs]
    assert sum(sent) == len(addresses)
