"""Each rule of reviews.access exists once, as a check with its queryset twin: here, that they agree.

- `result_appealed` (was the result in force appealed? one appeal per result) against
  `result_appealed_annotation`, the column the member's work list reads, through a review's whole life:
  decided, appealed, upheld, re-classified (a new result), appealed again.
- `can_decide` against `deciding_condition` and `can_resolve_appeal` against `appeals_resolvable_by`, for the
  committees of two wards and of the city, the member and the cell's secretary.
"""

import pytest
from django.db.models import Exists

from reviews import access, services
from reviews.models import Review
from reviews.services import current_change
from tests.reviews.review_data import final_review
from tests.reviews.test_appeals import Committees, appeal, reclassify

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _check_and_twin_on_appealed(review):
    checked = access.result_appealed(review, current_change(review))
    annotated = Review.objects.annotate(appealed=access.result_appealed_annotation()).get(pk=review.pk).appealed
    return checked, annotated


def test_result_appealed_and_its_queryset_twin_agree_through_a_reviews_life(cast):
    review = final_review(cast)
    committees = Committees(cast)
    seen = [_check_and_twin_on_appealed(review)]

    first = appeal(review, cast)
    seen.append(_check_and_twin_on_appealed(review))
    services.appeal_resolve(appeal=first, upheld=True, resolution="Giữ nguyên kết quả.", acting_user=committees.ward)
    review.refresh_from_db()
    seen.append(_check_and_twin_on_appealed(review))

    # A re-classification is a new result, not appealed yet; then it is.
    reclassify(review, committees.ward)
    review.refresh_from_db()
    seen.append(_check_and_twin_on_appealed(review))
    appeal(review, cast)
    seen.append(_check_and_twin_on_appealed(review))

    assert seen == [(False, False), (True, True), (True, True), (False, False), (True, True)]


def test_deciding_and_resolving_checks_agree_with_their_queryset_twins(cast):
    review = final_review(cast)
    committees = Committees(cast)
    pending = appeal(review, cast)
    users = [
        cast.member.user,
        cast.secretary.user,
        cast.committee_staff.user,
        cast.head.user,
        committees.ward,
        committees.other_ward,
        committees.city,
        cast.org_board,
        cast.overseer,
    ]
    resolvers = set()
    for user in users:
        deciding = access.deciding_condition(user)
        in_queue = deciding is not None and Review.objects.filter(deciding, pk=review.pk).exists()
        assert access.can_decide(user, review) == in_queue, user

        appeals = access.appeals_resolvable_by(user)
        listed = appeals is not None and Review.objects.filter(Exists(appeals.filter(pk=pending.pk)), pk=review.pk)
        may_resolve = access.can_resolve_appeal(user, pending)
        assert may_resolve == bool(listed and listed.exists()), user
        if may_resolve:
            resolvers.add(user.username)

    # Not vacuous: the ward's and the city's committees resolve; the deciding one and the other ward do not.
    assert resolvers == {"ward_member", "city_member"}
