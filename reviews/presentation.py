"""How a review is laid out for reading: its self-review sections and their headings, shared by the forms,
the pages and the printed reports."""

from reviews.models import Review

SELF_REVIEW_SECTIONS = (
    "strengths",
    "shortcomings",
    "remedies_done",
    "prompt_answers",
    "collective_responsibility",
    "remedy_plan",
)


def section_title(name: str) -> str:
    """A section's heading as the form prints it ("I. Ưu điểm, kết quả đạt được"), in the active language."""
    return str(getattr(Review._meta.get_field(name), "verbose_name", name))
