from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Addresses are reversed in Vietnamese (no prefix), whatever language an earlier request left active."""
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    """The open-data files (and anything else stored) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
