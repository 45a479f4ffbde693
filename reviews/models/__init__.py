"""Self-criticism reviews and quality ratings under the Party's rule sets (DOMAIN section 1, 6, 7.2).

A period is opened for an organisation's subtree under one rule set, which it keeps. Opening it
creates one review per member and place. A review then goes: self-review by the member, the cell's
proposal recorded by the secretary, the deciding committee's decision, and the head's confirmation on
concrete grounds; after that an appeal or a later re-classification may change the level, each kept.
"""

# In dependency order: each module imports only from the ones above it (never from this package).
# isort: off
from .rules import LEVEL_ORDER, RatingLevel, RuleSet, Verdict
from .periods import PeriodKind, PeriodState, ReviewPeriod
from .reviews import (
    ENDED_REVIEW_STATES,
    CommitmentAssessment,
    InputSource,
    Review,
    ReviewForm,
    ReviewInput,
    ReviewPrompt,
    ReviewState,
)
from .residence import (
    RESIDENCE_POINTS,
    PointAssessment,
    ResidenceComment,
    ResidenceCommentChannel,
    ResidenceCommentState,
)
from .cell import CellMeeting, CellProposal, ConsistencyNote, MeetingAttendance
from .decisions import Appeal, AppealState, Decision, DecisionState, LevelChange
from .reports import ItemState, Report, ReportBatch, ReportBatchItem, ReportKind
from .collective import CollectiveReport, OrganisationRating
# isort: on

__all__ = [
    "ENDED_REVIEW_STATES",
    "LEVEL_ORDER",
    "RESIDENCE_POINTS",
    "Appeal",
    "AppealState",
    "CellMeeting",
    "CellProposal",
    "CollectiveReport",
    "CommitmentAssessment",
    "ConsistencyNote",
    "Decision",
    "DecisionState",
    "InputSource",
    "ItemState",
    "LevelChange",
    "MeetingAttendance",
    "OrganisationRating",
    "PeriodKind",
    "PeriodState",
    "PointAssessment",
    "RatingLevel",
    "Report",
    "ReportBatch",
    "ReportBatchItem",
    "ReportKind",
    "ResidenceComment",
    "ResidenceCommentChannel",
    "ResidenceCommentState",
    "Review",
    "ReviewForm",
    "ReviewInput",
    "ReviewPeriod",
    "ReviewPrompt",
    "ReviewState",
    "RuleSet",
    "Verdict",
]
