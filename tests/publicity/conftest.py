from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Addresses are reversed in Vietnamese (no prefix), whatever language an earlier request left active."""
    with translation.override("vi"):
        yield
