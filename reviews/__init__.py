"""Reviews: the annual self-criticism review of each member against the programme they registered.

A period opens for an organisation's members; each writes a self-review; the cell meets and proposes a level;
the deciding committee decides (within the quota of its rule set); its head confirms; a member may appeal once
per result. `services/` holds one module per step, `access.py` who may read or do each, `models/` the records by
topic, `rules.py` and `quota.py` the Party's rules, `reports/` the PDFs Celery produces, `presentation.py` the
wording pages and reports share. It builds on programmes and knows nothing of publicity.
"""
