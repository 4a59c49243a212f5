"""The capitalised field labels of the admin's history, listed for the translation catalogue.

Django's admin stores the label of each changed field as its form built it, in English and
capitalised ("Rank or title"), and translates it only when the history is shown. The models
give the catalogue their lower-case verbose names; these capitalised forms appear nowhere else in
the code, so they are listed here for `makemessages` to keep. Nothing imports this module.
tests/wijkportaal/test_translations.py names any editable field whose label is missing.
"""

from django.utils.translation import gettext_noop

LABELS = (
    gettext_noop("Activated at"),
    gettext_noop("Active"),
    gettext_noop("By appointment only"),
    gettext_noop("Closes"),
    gettext_noop("Dataset"),
    gettext_noop("Date"),
    gettext_noop("Ends at"),
    gettext_noop("Fictional (demo)"),
    gettext_noop("From"),
    gettext_noop("House letter"),
    gettext_noop("House number addition"),
    gettext_noop("Introduction (Dutch)"),
    gettext_noop("Introduction (English)"),
    gettext_noop("Kind"),
    gettext_noop("Label latitude"),
    gettext_noop("Label longitude"),
    gettext_noop("Latitude"),
    gettext_noop("Longitude"),
    gettext_noop("Municipality"),
    gettext_noop("Name"),
    gettext_noop("Officer"),
    gettext_noop("Opens"),
    gettext_noop("Photo description"),
    gettext_noop("Public"),
    gettext_noop("Published"),
    gettext_noop("Rank or title"),
    gettext_noop("Reason"),
    gettext_noop("Recurrence"),
    gettext_noop("Repeat until"),
    gettext_noop("Reviewed on"),
    gettext_noop("Role"),
    gettext_noop("Source id"),
    gettext_noop("Starts at"),
    gettext_noop("Station"),
    gettext_noop("Title"),
    gettext_noop("Until"),
    gettext_noop("Valid from"),
    gettext_noop("Valid until"),
    gettext_noop("Value"),
    gettext_noop("Weekday"),
    gettext_noop("Buurt code"),
    gettext_noop("Closed on"),
    gettext_noop("Created at"),
    gettext_noop("Details"),
    gettext_noop("Entry"),
    gettext_noop("Officers concerned"),
    gettext_noop("Opened on"),
    gettext_noop("Priority"),
    gettext_noop("Update"),
    gettext_noop("What the issue is"),
    gettext_noop("What the police and partners do about it"),
    gettext_noop("What was done"),
)
