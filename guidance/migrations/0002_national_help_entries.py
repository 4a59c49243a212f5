"""The national help entries of /hulp/: which channel for which problem, in Dutch and English.

The texts are frozen here as they were when this migration was written; staff edit them in the
admin afterwards, and a municipality's own entries are added there.
"""

from django.db import migrations

NATIONAL_ENTRIES = [
    {
        "topic": "emergency",
        "order": 0,
        "channel_nl": "Alarmnummer 112",
        "channel_en": "Emergency number 112",
        "advice_nl": (
            "Bel 112 bij direct gevaar of als er nu iets ernstigs gebeurt: een inbraak, geweld, "
            "brand of een ongeluk met gewonden. Doof of slechthorend? Gebruik de 112NL-app."
        ),
        "advice_en": (
            "Call 112 when there is danger right now or something serious is happening: a "
            "burglary, violence, a fire or an accident with injured people. Deaf or hard of "
            "hearing? Use the 112NL app."
        ),
        "phone": "112",
        "website": "",
    },
    {
        "topic": "crime",
        "order": 0,
        "channel_nl": "Aangifte doen bij de politie",
        "channel_en": "Reporting a crime to the police",
        "advice_nl": (
            "Is er iets gebeurd en is er geen spoed, zoals een diefstal, vernieling of "
            "oplichting? Doe aangifte online of bel 0900-8844 voor een afspraak op het bureau."
        ),
        "advice_en": (
            "Did something happen and is it not urgent, such as a theft, vandalism or fraud? "
            "Report it online, or call 0900-8844 for an appointment at a police station."
        ),
        "phone": "0900-8844",
        "website": "https://www.politie.nl/aangifte-of-melding-doen",
    },
    {
        "topic": "anonymous",
        "order": 0,
        "channel_nl": "Meld Misdaad Anoniem",
        "channel_en": "Meld Misdaad Anoniem (report crime anonymously)",
        "advice_nl": (
            "Weet u iets over een misdrijf, maar wilt u uw naam niet geven? Bel Meld Misdaad "
            "Anoniem. Uw gegevens worden niet vastgelegd en niet doorgegeven aan de politie."
        ),
        "advice_en": (
            "Do you know something about a crime but want to keep your name to yourself? Call "
            "Meld Misdaad Anoniem. Your details are not recorded and not passed on to the police."
        ),
        "phone": "0800-7000",
        "website": "https://www.meldmisdaadanoniem.nl/",
    },
    {
        "topic": "nuisance",
        "order": 0,
        "channel_nl": "Uw wijkagent",
        "channel_en": "Your wijkagent",
        "advice_nl": (
            "Overlast op straat, jongeren die steeds op dezelfde plek problemen geven, een "
            "verdachte situatie die vaker voorkomt: daarvoor is uw wijkagent er. Bel 0900-8844 "
            "en vraag naar uw wijkagent, of kom naar het spreekuur."
        ),
        "advice_en": (
            "Nuisance in the street, young people who cause trouble at the same spot again and "
            "again, a suspicious situation that keeps coming back: that is what your wijkagent "
            "is for. Call 0900-8844 and ask for your wijkagent, or come to the spreekuur."
        ),
        "phone": "0900-8844",
        "website": "",
    },
    {
        "topic": "nuisance",
        "order": 1,
        "channel_nl": "Buurtbemiddeling",
        "channel_en": "Buurtbemiddeling (neighbour mediation)",
        "advice_nl": (
            "Ruzie of ergernis met de buren, over geluid, de tuin of parkeren? Getrainde "
            "vrijwilligers helpen u samen een oplossing te vinden. Gratis; u meldt zich aan via "
            "uw gemeente."
        ),
        "advice_en": (
            "A quarrel or annoyance with your neighbours, about noise, the garden or parking? "
            "Trained volunteers help you find a solution together. It is free; you sign up "
            "through your municipality."
        ),
        "phone": "",
        "website": "https://www.problemenmetjeburen.nl/",
    },
    {
        "topic": "domestic-violence",
        "order": 0,
        "channel_nl": "Veilig Thuis",
        "channel_en": "Veilig Thuis (safe at home)",
        "advice_nl": (
            "Geweld of dreiging in huis, of zorgen over een kind, een partner of een oudere? "
            "Bel Veilig Thuis voor advies of een melding, dag en nacht, gratis. U mag anoniem "
            "blijven. Bij direct gevaar: bel 112."
        ),
        "advice_en": (
            "Violence or threats at home, or worried about a child, a partner or an older "
            "person? Call Veilig Thuis for advice or to report it, day and night, free of "
            "charge. You may stay anonymous. In immediate danger: call 112."
        ),
        "phone": "0800-2000",
        "website": "https://www.veiligthuis.nl/",
        "quick_exit": True,
    },
    {
        "topic": "discrimination",
        "order": 0,
        "channel_nl": "Antidiscriminatievoorziening",
        "channel_en": "Antidiscriminatievoorziening (anti-discrimination service)",
        "advice_nl": (
            "Gediscrimineerd op straat, op het werk of bij het zoeken naar een woning? De "
            "antidiscriminatievoorziening van uw gemeente luistert, adviseert en helpt gratis. "
            "Gaat het om een strafbaar feit, zoals bedreiging, doe dan ook aangifte."
        ),
        "advice_en": (
            "Discriminated against in the street, at work or when looking for a home? The "
            "anti-discrimination service of your municipality listens, advises and helps, free "
            "of charge. If it is a crime, such as a threat, report it to the police as well."
        ),
        "phone": "0800-0880",
        "website": "https://www.discriminatie.nl/",
    },
    {
        "topic": "municipality",
        "order": 0,
        "channel_nl": "Uw gemeente",
        "channel_en": "Your municipality",
        "advice_nl": (
            "Een kapotte lantaarnpaal, zwerfafval, een gevaarlijke stoep, parkeren, vergunningen: "
            "dat regelt de gemeente. Veel gemeenten bereikt u op 14 met daarachter het netnummer, "
            "zoals 14 045 in Heerlen."
        ),
        "advice_en": (
            "A broken street light, litter, a dangerous pavement, parking, permits: those are for "
            "the municipality. You reach many municipalities on 14 followed by the area code, "
            "such as 14 045 in Heerlen."
        ),
        "phone": "",
        "website": "",
    },
]


def add_national_entries(apps, schema_editor):
    HelpEntry = apps.get_model("guidance", "HelpEntry")
    for entry in NATIONAL_ENTRIES:
        HelpEntry.objects.get_or_create(
            municipality=None,
            topic=entry["topic"],
            channel_nl=entry["channel_nl"],
            defaults={key: value for key, value in entry.items() if key not in {"topic", "channel_nl"}},
        )


def remove_national_entries(apps, schema_editor):
    HelpEntry = apps.get_model("guidance", "HelpEntry")
    for entry in NATIONAL_ENTRIES:
        HelpEntry.objects.filter(
            municipality=None, topic=entry["topic"], channel_nl=entry["channel_nl"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_help_entries_and_reports")]

    operations = [migrations.RunPython(add_national_entries, remove_national_entries)]
