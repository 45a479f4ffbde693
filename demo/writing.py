"""What every builder shares: the tally of rows written, and upserts that keep the history of each row."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from demo.audit_actions import DemoAction


@dataclass
class Tally:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, created: int, updated: int) -> None:
        self.created[name] = self.created.get(name, 0) + created
        self.updated[name] = self.updated.get(name, 0) + updated


def update_rows(model: type[models.Model], objs: list[Any], fields: Sequence[str]) -> int:
    if objs:
        bulk_update_with_history(objs, model, list(fields), default_change_reason=DemoAction.SEED)
    return len(objs)


def create_rows(model: type[models.Model], objs: list[Any]) -> list[Any]:
    if not objs:
        return []
    return list(bulk_create_with_history(objs, model, default_change_reason=DemoAction.SEED))
