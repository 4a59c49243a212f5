"""Page caching: officer and buurt pages come from the cache until a staff save changes them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings

from wijkportaal.cache import cache_public_page

PROFILE = "/wijkagent/anna-voorbeeld/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def test_a_profile_is_served_from_the_cache_the_second_time(
    client, officer, django_assert_num_queries
):
    first = client.get(PROFILE)
    with django_assert_num_queries(0):
        second = client.get(PROFILE)
    assert second.status_code == 200
    assert second.content == first.content
    assert "frame-ancestors" in second["Content-Security-Policy"]


def test_a_page_says_whether_it_came_from_the_cache(client, officer):
    assert client.get(PROFILE)["X-Cache"] == "miss"
    assert client.get(PROFILE)["X-Cache"] == "hit"
    user = get_user_model().objects.create_user("beheer", is_staff=True)
    client.force_login(user)
    assert "X-Cache" not in client.get(PROFILE)


PAGES_THE_SEARCH_ENDS_ON = (
    PROFILE,
    PROFILE + "?buurt=BU00010001&via=postcode",
    "/buurt/BU00010002/?ook=BU00010001&via=postcode",
    "/buurt/BU00010001/?gezocht=1",
    "/",
)


def test_a_cached_page_costs_one_round_trip_to_redis(
    client, officer, redis_page_cache, monkeypatch, django_assert_num_queries
):
    """However many subjects a page names, and with real buurt codes in its query string."""
    import redis.connection

    for path in PAGES_THE_SEARCH_ENDS_ON:
        client.get(path)
    sent: list[object] = []
    real_send = redis.connection.AbstractConnection.send_packed_command

    def counting_send(connection, command, *args, **kwargs):
        sent.append(command)
        return real_send(connection, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting_send)
    for path in PAGES_THE_SEARCH_ENDS_ON:
        sent.clear()
        with django_assert_num_queries(0):
            response = client.get(path)
        assert response["X-Cache"] == "hit", path
        assert len(sent) == 1, path


def test_a_staff_save_shows_at_once(client, officer):
    assert "Anna Voorbeeld" in client.get(PROFILE).content.decode()
    officer.name = "Anna de Vries"
    officer.save()
    html = client.get(PROFILE).content.decode()
    assert "Anna de Vries" in html
    assert "Anna Voorbeeld" not in html


def test_a_geography_change_clears_the_buurt_page(client, officer, buurten):
    assert "West" in client.get("/buurt/BU00010001/").content.decode()
    buurten["west"].name = "Westpoort"
    buurten["west"].save()
    assert "Westpoort" in client.get("/buurt/BU00010001/").content.decode()


def test_a_deleted_assignment_disappears_from_the_list(client, officer):
    assert "Anna Voorbeeld" in client.get("/wijkagenten/testgemeente/").content.decode()
    officer.assignments.all().delete()
    officer.delete()
    assert "Anna Voorbeeld" not in client.get("/wijkagenten/testgemeente/").content.decode()


def test_each_language_has_its_own_cached_page(client, officer):
    dutch = client.get(PROFILE)
    client.cookies["django_language"] = "en"
    english = client.get(PROFILE)
    assert '<html lang="nl">' in dutch.content.decode()
    assert '<html lang="en">' in english.content.decode()


def test_the_query_string_is_part_of_the_key(client, officer):
    plain = client.get(PROFILE).content
    searched = client.get(PROFILE + "?buurt=BU00010001").content
    assert plain != searched


# The home page after a language switch emptied its form says so (templates/officers/search.html).
SWITCH_NOTICE = "De taal is gewijzigd"


@pytest.mark.parametrize("first", ["/", "/?opnieuw=1"])
def test_the_notice_after_a_language_switch_has_its_own_cached_page(client, officer, first):
    client.get(first)
    assert SWITCH_NOTICE in client.get("/?opnieuw=1").content.decode()
    assert SWITCH_NOTICE not in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/", PROFILE, "/buurt/BU00010001/"])
def test_a_query_string_the_page_does_not_read_never_reaches_another_visitor(client, officer, path):
    """The language switch returns to the page's URL; the page stored for everyone names the
    URL its cache entry is for, not the one its first visitor happened to ask."""
    client.get(path + "?postcode=6411NH&huisnummer=13")
    html = client.get(path).content.decode()
    assert "6411NH" not in html
    assert f'name="next" value="{path}"' in html


def test_a_page_that_is_not_cached_returns_to_its_full_url(client, officer, settings):
    settings.PAGE_CACHE_SECONDS = 0
    html = client.get(PROFILE + "?buurt=BU00010001&x=1").content.decode()
    assert f'name="next" value="{PROFILE}?buurt=BU00010001&amp;x=1"' in html


def cache_entries() -> int:
    from django.core.cache import cache

    return len(cache._cache)  # the local-memory cache of the tests


def test_junk_query_strings_never_take_a_cache_entry(client, officer, django_assert_num_queries):
    plain = client.get(PROFILE).content
    entries = cache_entries()
    for junk in ("?junk=1", "?x=2&y=3", "?buurt=%00", "?gezocht=2", "?buurt=bu00010001"):
        # The page they ask for is the plain one, served from its entry.
        with django_assert_num_queries(0):
            assert client.get(PROFILE + junk).content == plain
    assert cache_entries() == entries


def test_only_real_buurt_codes_take_a_cache_entry(client, officer):
    """The flood of the attack: `?buurt=<random>` on one page, each a cache entry of its own."""
    plain = client.get(PROFILE).content
    entries = cache_entries()
    for number in range(20):
        assert client.get(f"{PROFILE}?buurt=BU{90000000 + number}").content == plain
    assert cache_entries() == entries
    searched = client.get(PROFILE + "?buurt=BU00010001&junk=1").content
    assert searched != plain
    assert cache_entries() > entries
    assert client.get(PROFILE + "?buurt=BU00010001").content == searched


def test_activating_new_boundaries_clears_cached_pages(
    client, officer, buurten, dataset, django_capture_on_commit_callbacks
):
    from neighbourhoods.importing.boundaries import activate_dataset
    from tests import factories

    # Staged first (its saves clear the cache), then the page is cached, then only activation runs.
    newer = factories.make_dataset("newer", active=False)
    factories.make_buurt(newer, "BU00010001", factories.square(0, 0), name="Westpoort")
    assert "Westpoort" not in client.get("/buurt/BU00010001/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        activate_dataset(newer)
    html = client.get("/buurt/BU00010001/").content.decode()
    assert "Westpoort" in html


def test_staff_with_a_session_never_get_or_fill_the_cache(client, officer):
    client.get(PROFILE)  # cached for residents
    user = get_user_model().objects.create_user("beheer", is_staff=True)
    client.force_login(user)
    # A queryset update sends no signal, so the residents' cache still holds the old page ...
    type(officer).objects.filter(pk=officer.pk).update(name="Changed Quietly")
    # ... but staff always see the database.
    assert "Changed Quietly" in client.get(PROFILE).content.decode()
    client.logout()
    assert "Anna Voorbeeld" in client.get(PROFILE).content.decode()


def test_the_home_page_carries_no_csrf_token_and_sets_no_cookie(client, officer):
    first = client.get("/")
    assert b"csrfmiddlewaretoken" not in first.content
    assert not first.cookies


class CountingView:
    def __init__(self, respond) -> None:
        self.calls = 0
        self.respond = respond

    def __call__(self, request):
        self.calls += 1
        return self.respond(request)


def _with_cookie(request):
    response = HttpResponse("hello")
    response.set_cookie("tracking", "1")
    return response


def _with_csrf_token(request):
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


def _not_found(request):
    return HttpResponse("gone", status=404)


@pytest.mark.parametrize("respond", [_with_cookie, _with_csrf_token, _not_found])
def test_responses_with_cookies_tokens_or_errors_are_never_stored(respond):
    view = CountingView(respond)
    cached = cache_public_page(view)
    for _ in range(2):
        cached(RequestFactory().get("/wijkagent/x/"))
    assert view.calls == 2


def test_a_plain_page_is_stored_once():
    view = CountingView(lambda request: HttpResponse("plain"))
    cached = cache_public_page(view)
    for _ in range(3):
        assert cached(RequestFactory().get("/wijkagent/x/")).content == b"plain"
    assert view.calls == 1


def test_posts_are_never_cached():
    view = CountingView(lambda request: HttpResponse("posted"))
    cached = cache_public_page(view)
    for _ in range(2):
        cached(RequestFactory().post("/wijkagent/x/"))
    assert view.calls == 2


def test_the_page_cache_is_off_when_its_lifetime_is_zero(settings):
    settings.PAGE_CACHE_SECONDS = 0
    view = CountingView(lambda request: HttpResponse("plain"))
    cached = cache_public_page(view)
    for _ in range(2):
        cached(RequestFactory().get("/wijkagent/x/"))
    assert view.calls == 2


UNREACHABLE = {
    "BACKEND": "wijkportaal.cache.ReusingRedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


def test_a_cache_that_is_down_costs_speed_not_the_page(client, officer, settings):
    with override_settings(CACHES={**settings.CACHES, "default": UNREACHABLE}):
        response = client.get(PROFILE)
    assert response.status_code == 200
    assert "Anna Voorbeeld" in response.content.decode()


def test_a_staff_save_while_the_cache_is_down_is_saved(client, officer, settings):
    with override_settings(CACHES={**settings.CACHES, "default": UNREACHABLE}):
        officer.name = "Anna de Vries"
        officer.save()
        assert "Anna de Vries" in client.get(PROFILE).content.decode()
    officer.refresh_from_db()
    assert officer.name == "Anna de Vries"


def test_pages_cached_in_redis_are_invalidated_by_a_save(client, officer, settings, redis_url):
    """End to end on a real Redis, with the backend the settings use for it."""
    from django.core.cache import cache

    shared = {
        "BACKEND": "wijkportaal.cache.ReusingRedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": "wijkportaal-test",
    }
    with override_settings(CACHES={**settings.CACHES, "default": shared}):
        cache.clear()
        first = client.get(PROFILE).content
        type(officer).objects.filter(pk=officer.pk).update(name="Changed Quietly")  # no signal
        assert client.get(PROFILE).content == first  # served from Redis
        officer.name = "Anna Redis"
        officer.save()
        assert "Anna Redis" in client.get(PROFILE).content.decode()
        cache.clear()
