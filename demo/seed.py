"""The whole demo written in one go: each app's builder in dependency order, in one transaction."""

from django.db import transaction

from demo.audit_actions import DemoAction
from demo.organisations import CITY_CODE, write_organisations, write_successions
from demo.people import (
    write_cadres,
    write_memberships,
    write_positions,
    write_private_details,
    write_roles,
    write_second_factor,
    write_staff_group,
    write_users,
)
from demo.plan import build_plan
from demo.programmes import write_programmes
from demo.publicity import write_feedback
from demo.reviews import write_reviews
from demo.writing import Tally
from programmes.audit import audit_record


@transaction.atomic
def seed_demo(password: str) -> Tally:
    """Write the whole demo slice in one transaction and record one DemoAction.SEED audit event with the counts."""
    plan = build_plan()
    tally = Tally()
    organisations = write_organisations(tally)
    write_successions(organisations, tally)
    users = write_users(password, plan, tally)
    write_staff_group(users["bantochuc"])
    write_second_factor(users, tally)
    cadres = write_cadres(plan, users, tally)
    write_private_details(plan, cadres, tally)
    write_memberships(plan, cadres, organisations, tally)
    write_positions(plan, cadres, organisations, tally)
    write_roles(users, organisations, tally)
    write_programmes(plan, cadres, tally)
    write_reviews(plan, cadres, organisations, users, tally)
    write_feedback(users, tally)
    # Counts only: the audit log must never carry personal data.
    audit_record(
        actor=None,
        action=DemoAction.SEED,
        obj=organisations[CITY_CODE],
        after={"created": tally.created, "updated": tally.updated, "cadres": len(plan.people)},
    )
    return tally
