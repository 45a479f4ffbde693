"""The confirmer's two forms at the end of term: closing a programme early with a reason, and the evaluation of a
closed one (a verdict and a note per commitment, and the conclusion). The forms validate; the services decide
(services.closing), and their refusals come back onto the form."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import ClosingReason, FinalVerdict
from programmes.web import PortalForm

VERDICT_PREFIX = "verdict_"
NOTE_PREFIX = "note_"


class ClosingForm(PortalForm):
    reason = forms.ChoiceField(
        label=_("Lý do kết thúc"), choices=ClosingReason.choices, widget=forms.RadioSelect, required=True
    )
    note = forms.CharField(
        label=_("Ghi rõ lý do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi chọn “Lý do khác”; có thể ghi thêm với các lý do còn lại."),
    )


class EvaluationForm(PortalForm):
    """The conclusion, and for each commitment (by its id) its final verdict and a note."""

    conclusion = forms.CharField(
        label=_("Kết luận của người xác nhận"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Nhận xét chung về kết quả thực hiện chương trình trong nhiệm kỳ."),
    )

    def __init__(self, *args: Any, rows: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[f"{VERDICT_PREFIX}{row.commitment_id}"] = forms.ChoiceField(
                label=_("Kết quả cuối nhiệm kỳ của nội dung %(number)s") % {"number": row.number},
                choices=FinalVerdict.choices,
                initial=row.verdict or None,
            )
            self.fields[f"{NOTE_PREFIX}{row.commitment_id}"] = forms.CharField(
                label=_("Nhận xét về nội dung %(number)s") % {"number": row.number},
                required=False,
                initial=row.note,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def verdicts(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            row.commitment_id: (data[f"{VERDICT_PREFIX}{row.commitment_id}"], data[f"{NOTE_PREFIX}{row.commitment_id}"])
            for row in self.rows
        }

    def field_pairs(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """Each row with its verdict and note fields, for the page's table."""
        return [
            (row, self[f"{VERDICT_PREFIX}{row.commitment_id}"], self[f"{NOTE_PREFIX}{row.commitment_id}"])
            for row in self.rows
        ]
