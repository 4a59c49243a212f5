"""manage.py send_alerts: the daily digests of the e-mail alerts (run from the schedule in
docs/deployment.md; idempotent, and safe on several nodes at once)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.digests import send_digests
from alerts.messages import Site

# Where `make run` serves: the links of a development run without SITE_URL point there.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Send each confirmed subscriber one digest of what changed in their buurten since their "
        "last message, at most one a day, and tell them once when a buurt no longer exists. "
        "Run it every hour (docs/deployment.md); a second run the same day sends nothing more. "
        "Links point at SITE_URL (in development without it, http://127.0.0.1:8000)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the digests that are due; send nothing and change nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        site_url = settings.SITE_URL or (DEVELOPMENT_SITE_URL if settings.DEBUG else "")
        if not site_url:
            raise CommandError(
                "SITE_URL is not set, and the messages need the site's public address for their "
                "links: set SITE_URL, e.g. https://wijkagent.example.nl"
            )

        def progress(done: int, total: int) -> None:
            if done % 1000 == 0:
                self.stdout.write(f"  {done:,} of {total:,} addresses")

        summary = send_digests(site=Site(site_url), dry_run=dry_run, progress=progress)
        if dry_run:
            self.stdout.write(
                f"Dry run: {summary.digests} digest(s) due; {summary.nothing_new} address(es) "
                f"with nothing new. Nothing sent."
            )
            return
        self.stdout.write(
            f"Sent {summary.digests} digest(s); {summary.nothing_new} address(es) with nothing "
            f"new; {summary.had_theirs} had today's digest already; {summary.skipped} skipped "
            f"(another run has them); {summary.refused} refused by the mail server, "
            f"{summary.removed} address(es) deleted after repeated refusals."
        )
        if summary.deferred:
            raise CommandError(
                f"{summary.deferred} digest(s) could not be sent now (the mail server was "
                f"unreachable or answered 'try later'); the next run tries again."
            )
