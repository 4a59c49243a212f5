"""The Dutch catalogue is complete: no empty or fuzzy string, no id in the code that it lacks.

Ids are extracted the way `makemessages` does, without GNU gettext: Django's own `templatize` turns
each template into Python-like source, and Babel's Python extractor reads that and the .py files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
# Folders `makemessages` would read but that hold no interface strings of ours.
SKIPPED_DIRS = {"tests", "bench", "locale", "staticfiles", "media", "node_modules", "build"}
# Django's gettext functions (as `makemessages` passes them to xgettext): name -> argument roles.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sd]")


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="nl")


def _source_files(suffixes: set[str]) -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT).parts
        if any(part.startswith(".") for part in relative) or relative[0] in SKIPPED_DIRS:
            continue
        if path.is_file() and path.suffix in suffixes:
            yield path


def _ids_in(source: str) -> set[str]:
    ids = set()
    for _line, function, message, _comments in extract_python(
        io.BytesIO(source.encode("utf-8")), list(KEYWORDS), [], {}
    ):
        texts = message if isinstance(message, tuple) else (message,)
        # For plurals the catalogue is keyed on the singular; pgettext's context comes first.
        singular = next((text for text in texts if text), None)
        if singular is None:
            continue
        spec = KEYWORDS.get(function)
        if isinstance(spec, tuple) and spec and spec[0] == (1, "c"):
            singular = texts[1]
        ids.add(singular)
    return ids


def code_message_ids() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in _source_files({".py"}):
        if "migrations" in path.parts:
            continue
        for message in _ids_in(path.read_text(encoding="utf-8")):
            found.setdefault(message, path)
    for path in _source_files({".html", ".txt"}):
        source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for message in _ids_in(source):
            found.setdefault(message, path)
    return found


def test_every_dutch_string_is_translated_and_not_fuzzy():
    catalogue = _catalogue()
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"untranslated in {CATALOGUE.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {CATALOGUE.name}: {fuzzy}"


def test_every_translatable_string_in_the_code_is_in_the_catalogue():
    in_catalogue = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in _catalogue()
        if message.id
    }
    in_code = code_message_ids()
    missing = {
        text: str(path.relative_to(ROOT))
        for text, path in in_code.items()
        if text not in in_catalogue
    }
    assert len(in_code) > 100  # the extraction really read the templates and the code
    assert not missing, (
        "strings missing from the Dutch catalogue (run `manage.py makemessages -l nl` and "
        f"translate them): {missing}"
    )


def test_the_extraction_finds_template_and_python_strings():
    ids = code_message_ids()
    assert "Find your wijkagent" in ids  # {% translate %} in a template
    assert "Buurt %(name)s" in ids  # {% blocktranslate %} with a variable
    assert (
        "%(name)s is the wijkagent for one buurt (neighbourhood)." in ids
    )  # the singular of a plural
    assert "Enter your postcode, for example 6411 NH." in ids  # gettext_lazy in Python


# Labels that are also another string's id keep that string's translation: "Place" is the street
# search's "Woonplaats", which a station's changed city shows as well.
SHARED_LABELS = {"Place"}


def test_every_field_label_of_the_admin_history_is_translated():
    """The admin's history keeps a changed field's label as Django builds it, in English and
    capitalised, and translates it only when shown: each label needs its own entry, in the
    catalogue and in the code (wijkportaal/history_labels.py), where makemessages finds it."""
    in_code = code_message_ids()
    ours = {message.id for message in _catalogue() if isinstance(message.id, str)}
    missing = {}
    for app in ("officers", "neighbourhoods"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if not getattr(field, "editable", False) or not hasattr(field, "verbose_name"):
                    continue
                with translation.override(None):
                    stored = str(capfirst(field.verbose_name))
                with translation.override("nl"):
                    wanted = str(capfirst(field.verbose_name))
                    shown = translation.gettext(stored)
                if stored == wanted:  # the same word in both languages ("Postcode")
                    continue
                # Django's own catalogue translates a few ("Order"); ours must be in the code.
                unlisted = stored in ours and stored not in in_code
                if unlisted or (shown != wanted and stored not in SHARED_LABELS):
                    missing[f"{model.__name__}.{field.name}"] = (stored, wanted, shown)
    assert not missing, (
        "add these labels to wijkportaal/history_labels.py and to "
        f"{CATALOGUE.name} (label, its Dutch, shown now): {missing}"
    )


def test_translations_keep_the_placeholders():
    def names(text: str) -> set[str]:
        return set(PLACEHOLDER_RE.findall(text))

    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        if isinstance(message.id, str):
            if names(message.string) != names(message.id):
                problems.append(message.id)
            continue
        # Plurals: the plural form keeps every placeholder; the singular may drop the count.
        singular, plural = message.id
        if names(message.string[-1]) != names(plural):
            problems.append(message.id)
        if not names(message.string[0]) <= names(singular) | names(plural):
            problems.append(message.id)
    assert not problems, f"placeholders differ between id and Dutch string: {problems}"


@pytest.mark.django_db
def test_pages_are_dutch_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
    assert "Vind je wijkagent" in html, "the Dutch catalogue is not compiled: run `make messages`"
    assert "Find your wijkagent" not in html
