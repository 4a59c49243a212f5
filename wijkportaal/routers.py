"""The database router of a deployment with a read replica (DATABASE_REPLICA_URL): writes, the admin
and migrations on the primary, public reads on the replica when wijkportaal.replicas allows it."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from . import replicas


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return replicas.choose_read_database()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return replicas.PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both aliases hold the same rows: the replica is a copy of the primary.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == replicas.PRIMARY
