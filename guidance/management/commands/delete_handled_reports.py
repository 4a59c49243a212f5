"""manage.py delete_handled_reports: delete wrong-answer reports 90 days after they were handled."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from guidance.models import AnswerReport
from guidance.reports import delete_handled_reports


class Command(BaseCommand):
    help = (
        "Delete the wrong-answer reports handled 90 days ago or longer, as the privacy page "
        "promises. Run it daily (cron); running it again deletes nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        now = timezone.now()
        if dry_run:
            due = AnswerReport.objects.due_for_deletion(now=now).count()
            self.stdout.write(f"Dry run: {due} handled report(s) would be deleted.")
            return
        with transaction.atomic():
            deleted = delete_handled_reports(now=now)
        kept = AnswerReport.objects.count()
        self.stdout.write(f"Deleted {deleted} handled report(s); {kept} kept.")
