"""Registering an action programme, one module per step: the owner's list and a new programme (listing), the
draft editor (editor) and its commitments (commitments), then submission, withdrawal and the start of an
amendment (submission). The views are offered here for the URLconf."""

from .carrying import commitment_carry
from .commitments import commitment_add, commitment_delete, commitment_edit, commitment_move
from .editor import programme_edit, programme_quality
from .listing import programme_create, programme_list
from .submission import amendment_start, programme_submit, version_withdraw

__all__ = [
    "amendment_start",
    "commitment_add",
    "commitment_carry",
    "commitment_delete",
    "commitment_edit",
    "commitment_move",
    "programme_create",
    "programme_edit",
    "programme_list",
    "programme_quality",
    "programme_submit",
    "version_withdraw",
]
