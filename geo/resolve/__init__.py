"""Resolution: records grouped into persons with stable ids, the review queue, and the report of
duplicated support."""

from geo.resolve.report import DuplicatedSupport, duplicated_support
from geo.resolve.resolver import ResolveReport, resolve
from geo.resolve.review import DECISIONS, ReviewItem, decide_review, review_queue

__all__ = [
    "DECISIONS",
    "DuplicatedSupport",
    "ResolveReport",
    "ReviewItem",
    "decide_review",
    "duplicated_support",
    "resolve",
    "review_queue",
]
