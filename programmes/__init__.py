"""The base app: the party-organisation tree, cadres, memberships, posts and roles, roster imports, action
programmes with their commitments, progress and evidence; and what the other apps share.

Rooms: `access/` answers who may see or do what (nothing else decides it); `models/` one module per family;
`services.py` the tree, memberships, posts and roles; `action_programmes/` a programme's life (services by
step, progress, publication, evidence, comparison); `importing/` the imports; `admin/` the admin, scoped like
the pages; `web.py`, `outbox.py`, `audit.py` and `audit_actions.py`, `idempotency.py` the common layer.

It imports no other app: reviews and publicity build on it (tests/test_architecture.py keeps it so).
"""
