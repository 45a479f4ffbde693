"""The cards of the public list (a published programme: who, which post, the term, its progress), each rendered once
and kept in the cache under the programme's stamp, as the programme's page is.

A page of the list costs the query choosing its ids, then one read of the cache for the stamps and one for the
cards; only the programmes whose card is not there are read (two queries) and rendered. The key holds the language,
the day (what is overdue changes at midnight) and the stamp that every service changing what a card shows moves
(its progress, versions, publicity, closing: `public_stamps.public_programme_changed`); the cache's time bounds only
what no service announces (an owner's new name), as for the programme's page. Which programmes are listed is read
live, or for a search by words kept under the listing's stamp (`selectors.searched_page_ids`), which a publication
or a withdrawal moves: a withdrawn programme leaves the list at the next request either way.
"""

from collections.abc import Sequence

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from programmes.action_programmes.public_stamps import programme_stamps
from publicity import selectors

CARD_TEMPLATE = "includes/public_programme_card.html"
# As long as a shared cache may keep a public page (publicity.views.PUBLIC_MAX_AGE).
CARD_SECONDS = 300


def _key(programme_id: int, stamp: str, day: str) -> str:
    return f"publicity:programme-card:{programme_id}:{get_language()}:{day}:{stamp}"


def programme_cards(ids: Sequence[int]) -> list[SafeString]:
    """The cards of the published programmes `ids`, in that order (one withdrawn meanwhile is left out)."""
    if not ids:
        return []
    day = timezone.localdate().isoformat()
    keys = {programme_id: _key(programme_id, stamp, day) for programme_id, stamp in programme_stamps(ids).items()}
    cards: dict[str, str] = cache.get_many(list(keys.values()))
    missing = [programme_id for programme_id in ids if keys[programme_id] not in cards]
    if missing:
        programmes = selectors.programmes_by_id(missing)
        rendered = {
            keys[programme.pk]: render_to_string(
                CARD_TEMPLATE, {"programme": programme, "progress": selectors.public_progress(programme)}
            )
            for programme in programmes.values()
        }
        cache.set_many(rendered, CARD_SECONDS)
        cards.update(rendered)
    # The cards are the portal's own template, rendered with its escaping.
    return [mark_safe(cards[keys[programme_id]]) for programme_id in ids if keys[programme_id] in cards]  # noqa: S308
