"""The demo's one audit action."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoAction(models.TextChoices):
    SEED = "demo.seed", _("Nạp dữ liệu mẫu")
