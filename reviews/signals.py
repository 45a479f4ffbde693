"""Signals other parts of the portal listen to, so that reviews need not know them.

period_opened(sender=ReviewPeriod, period=...) is sent inside the transaction that created the period's reviews:
verified citizen feedback (publicity) waits for it to join the cadre's next review.
"""

from django.dispatch import Signal

period_opened = Signal()
