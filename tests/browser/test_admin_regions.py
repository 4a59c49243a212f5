"""A regional editor chooses a buurt by typing in the admin's autocomplete: only buurten of their
own municipality are offered, by code or by name."""

import pytest

from neighbourhoods.models import Municipality
from officers.models import Assignment
from tests import factories
from tests.browser.conftest import log_in_to_admin
from tests.officers.admin_support import PASSWORD, make_editor


@pytest.fixture
def site(transactional_db):
    dataset = factories.make_dataset()
    west = factories.make_buurt(dataset, "BU00010001", factories.square(0, 0), name="West")
    factories.make_buurt(dataset, "BU00010002", factories.square(1, 0), name="Westerkwartier")
    far = factories.make_buurt(dataset, "BU00020001", factories.square(9, 9), name="Westelijk Ver")
    Municipality.objects.filter(pk=far.wijk.municipality_id).update(name="Verweg")
    officer = factories.make_officer(
        "Anna Voorbeeld", slug="anna-voorbeeld", municipality=west.wijk.municipality
    )
    factories.assign(officer, west)
    editor = make_editor("heerlen", gemeenten=["GM0001"])
    return {"officer": officer, "editor": editor}


def test_the_buurt_autocomplete_offers_only_the_editors_region(site, page, live_server):
    log_in_to_admin(page, live_server, site["editor"], password=PASSWORD)

    page.goto(f"{live_server.url}/beheer/officers/officer/{site['officer'].pk}/change/")
    page.click("#assignments-group .add-row a")
    row = page.locator("#assignments-group tr.dynamic-assignments").last
    row.locator(".select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill("West")
    options = page.locator(".select2-results__option:not(.loading-results)")
    options.first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('.select2-results__option.loading-results')"
    )
    offered = options.all_inner_texts()
    assert offered == ["West (BU00010001)", "Westerkwartier (BU00010002)"]
    search.fill("BU00010002")
    page.get_by_role("option", name="Westerkwartier (BU00010002)").click()
    page.click("input[name=_save]")
    page.wait_for_url("**/beheer/officers/officer/")
    assert Assignment.objects.filter(officer=site["officer"], buurt__code="BU00010002").exists()
