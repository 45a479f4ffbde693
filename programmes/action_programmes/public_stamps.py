"""Stamps of what the public pages show, moved by every service that changes it.

The public pages keep their costly parts in Django's cache (publicity.selectors.areas, the programme page) under
keys that carry these stamps: a service that changes a programme's publicity, versions, progress or answered
feedback moves its stamp, so that the next request misses the cache and reads the live data. The stamp moves
at once and again when the transaction commits, since a page read between the two may have cached the old state.
A stamp missing from the cache (evicted, or never set) is drawn afresh, so an old page is never found again.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

LISTING = "public-stamp:listing"
# Moved by each count of the dashboards' figures (publicity.dashboards.refresh): the public area dashboards read them.
SUMMARIES = "public-stamp:summaries"


def _programme_key(programme_id: int) -> str:
    return f"public-stamp:programme:{programme_id}"


def _stamp(key: str) -> str:
    value = cache.get(key)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(key, value, timeout=None):
            value = cache.get(key) or value
    return str(value)


def listing_stamp() -> str:
    """Moves when a programme may have entered or left the public pages."""
    return _stamp(LISTING)


def summaries_stamp() -> str:
    """Moves when the dashboards' figures were counted again."""
    return _stamp(SUMMARIES)


def summaries_changed() -> None:
    """Call once the new figures are committed: the area dashboards cached before are not found again."""
    _move([SUMMARIES])


def programme_stamp(programme_id: int) -> str:
    """Moves when what the public page of the programme shows may have changed."""
    return _stamp(_programme_key(programme_id))


def programme_stamps(programme_ids: Iterable[int]) -> dict[int, str]:
    """`programme_stamp` of several programmes (a page of the public list): one read of the cache for them all."""
    keys = {programme_id: _programme_key(programme_id) for programme_id in programme_ids}
    found = cache.get_many(list(keys.values()))
    # A stamp missing from the cache is drawn afresh, as `programme_stamp` draws it.
    return {pk: str(found[key]) if found.get(key) is not None else _stamp(key) for pk, key in keys.items()}


def _move(keys: list[str]) -> None:
    cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)


def public_programme_changed(programme_id: int, *, publicity: bool = False) -> None:
    """Call inside the service's transaction; `publicity` when the programme may have been published or withdrawn
    from the public (its public flag, which the lists and the per-area counts read)."""
    keys = [_programme_key(programme_id), *([LISTING] if publicity else [])]
    _move(keys)
    transaction.on_commit(lambda: _move(keys))
