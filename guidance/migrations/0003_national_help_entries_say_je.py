"""The national help entries address residents as "je", as the rest of the site does.

Only texts still as migration 0002 wrote them are rewritten: an entry staff have edited keeps
their words. The texts are frozen here, like 0002's.
"""

from django.db import migrations

# (topic, field, as 0002 wrote it, as it reads now)
REWORDED = [
    (
        "anonymous",
        "advice_nl",
        "Weet u iets over een misdrijf, maar wilt u uw naam niet geven? Bel Meld Misdaad "
        "Anoniem. Uw gegevens worden niet vastgelegd en niet doorgegeven aan de politie.",
        "Weet je iets over een misdrijf, maar wil je je naam niet geven? Bel Meld Misdaad "
        "Anoniem. Je gegevens worden niet vastgelegd en niet doorgegeven aan de politie.",
    ),
    ("nuisance", "channel_nl", "Uw wijkagent", "Je wijkagent"),
    (
        "nuisance",
        "advice_nl",
        "Overlast op straat, jongeren die steeds op dezelfde plek problemen geven, een "
        "verdachte situatie die vaker voorkomt: daarvoor is uw wijkagent er. Bel 0900-8844 "
        "en vraag naar uw wijkagent, of kom naar het spreekuur.",
        "Overlast op straat, jongeren die steeds op dezelfde plek problemen geven, een "
        "verdachte situatie die vaker voorkomt: daarvoor is je wijkagent er. Bel 0900-8844 "
        "en vraag naar je wijkagent, of kom naar het spreekuur.",
    ),
    (
        "nuisance",
        "advice_nl",
        "Ruzie of ergernis met de buren, over geluid, de tuin of parkeren? Getrainde "
        "vrijwilligers helpen u samen een oplossing te vinden. Gratis; u meldt zich aan via "
        "uw gemeente.",
        "Ruzie of ergernis met de buren, over geluid, de tuin of parkeren? Getrainde "
        "vrijwilligers helpen je samen een oplossing te vinden. Gratis; je meldt je aan via "
        "je gemeente.",
    ),
    (
        "domestic-violence",
        "advice_nl",
        "Geweld of dreiging in huis, of zorgen over een kind, een partner of een oudere? "
        "Bel Veilig Thuis voor advies of een melding, dag en nacht, gratis. U mag anoniem "
        "blijven. Bij direct gevaar: bel 112.",
        "Geweld of dreiging in huis, of zorgen over een kind, een partner of een oudere? "
        "Bel Veilig Thuis voor advies of een melding, dag en nacht, gratis. Je mag anoniem "
        "blijven. Bij direct gevaar: bel 112.",
    ),
    (
        "discrimination",
        "advice_nl",
        "Gediscrimineerd op straat, op het werk of bij het zoeken naar een woning? De "
        "antidiscriminatievoorziening van uw gemeente luistert, adviseert en helpt gratis. "
        "Gaat het om een strafbaar feit, zoals bedreiging, doe dan ook aangifte.",
        "Gediscrimineerd op straat, op het werk of bij het zoeken naar een woning? De "
        "antidiscriminatievoorziening van je gemeente luistert, adviseert en helpt gratis. "
        "Gaat het om een strafbaar feit, zoals bedreiging, doe dan ook aangifte.",
    ),
    ("municipality", "channel_nl", "Uw gemeente", "Je gemeente"),
    (
        "municipality",
        "advice_nl",
        "Een kapotte lantaarnpaal, zwerfafval, een gevaarlijke stoep, parkeren, vergunningen: "
        "dat regelt de gemeente. Veel gemeenten bereikt u op 14 met daarachter het netnummer, "
        "zoals 14 045 in Heerlen.",
        "Een kapotte lantaarnpaal, zwerfafval, een gevaarlijke stoep, parkeren, vergunningen: "
        "dat regelt de gemeente. Veel gemeenten bereik je op 14 met daarachter het netnummer, "
        "zoals 14 045 in Heerlen.",
    ),
]


def say_je(apps, schema_editor):
    HelpEntry = apps.get_model("guidance", "HelpEntry")
    for topic, field, formal, informal in REWORDED:
        HelpEntry.objects.filter(municipality=None, topic=topic, **{field: formal}).update(
            **{field: informal}
        )


def say_u(apps, schema_editor):
    HelpEntry = apps.get_model("guidance", "HelpEntry")
    for topic, field, formal, informal in REWORDED:
        HelpEntry.objects.filter(municipality=None, topic=topic, **{field: informal}).update(
            **{field: formal}
        )


class Migration(migrations.Migration):
    dependencies = [("guidance", "0002_national_help_entries")]

    operations = [migrations.RunPython(say_je, say_u)]
