"""Forms of citizen feedback: the citizen's form and code lookup, the oversight body's steps, the cadre's reply.

The citizen's form is kept from robots without any outside service: a field people never see (robots fill it)
and a small sum a person answers, signed so that the server keeps no state between showing and sending.
"""

import random
import re
import uuid
from collections.abc import Mapping
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from programmes import access
from programmes.access import Action, AnyUser
from programmes.models import CommitmentTerms, PartyOrganisation
from programmes.search import ListFilterForm, OrganisationFilterField
from programmes.web import PortalForm
from publicity.feedback import CODE_LENGTH, TEXT_MAX_LENGTH, normalise_code
from publicity.models import CaseState, FeedbackKind, RejectionReason, Verification

CHALLENGE_SALT = "publicity.feedback.challenge"
PHONE = re.compile(r"^\+?[0-9 .]{8,20}$")


def new_challenge() -> str:
    first, second = random.randint(1, 9), random.randint(1, 9)  # noqa: S311 - a sum for people, not a secret
    return signing.dumps([first, second], salt=CHALLENGE_SALT)


def challenge_terms(token: str) -> tuple[int, int] | None:
    try:
        first, second = signing.loads(token, salt=CHALLENGE_SALT, max_age=settings.FEEDBACK_CHALLENGE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(first), int(second)


def _with_value(data: Mapping[str, Any], key: str, value: str) -> Mapping[str, Any]:
    """A copy of the submitted data with one value replaced (a request's QueryDict cannot be changed)."""
    if isinstance(data, QueryDict):
        changed = data.copy()
        changed[key] = value
        return changed
    return {**data, key: value}


class HumanCheck(PortalForm):
    """The public forms' check that a person sends them, without a cookie or a third party: a hidden trap field
    (`website`) and a small sum signed into the page (`challenge`, `answer`), which the form declares."""

    expired_challenge = False

    def ask_challenge(self) -> None:
        """Put the sum on the form: the one sent back if still valid, else a new one."""
        token = self.data.get("challenge") if self.is_bound else None
        if not token or challenge_terms(token) is None:
            token = new_challenge()
            if self.is_bound:
                # The page shown again asks the new question, and sends the new token with the answer.
                self.data = _with_value(self.data, "challenge", token)
                self.expired_challenge = True
        self.initial["challenge"] = token
        sums = challenge_terms(token)
        if sums is not None:
            self.fields["answer"].label = _("Câu hỏi kiểm tra: %(first)s cộng %(second)s bằng bao nhiêu?") % {
                "first": sums[0],
                "second": sums[1],
            }
            self.fields["answer"].help_text = _("Ghi kết quả bằng chữ số, để chúng tôi biết người gửi là một người.")

    def check_human(self, cleaned: dict[str, Any], trap_refusal: StrOrPromise) -> None:
        """Refuse a filled trap with `trap_refusal`, and a stale or wrong answer at its field."""
        if cleaned.get("website"):
            # A person who filled it by mistake (a browser's autofill) just sends again: the page comes back
            # with the trap emptied.
            self.data = _with_value(self.data, "website", "")
            raise forms.ValidationError(trap_refusal)
        sums = challenge_terms(self.data.get("challenge", ""))
        answer = cleaned.get("answer")
        if self.expired_challenge or sums is None:
            self.add_error("answer", _("Câu hỏi kiểm tra đã hết hạn. Hãy trả lời câu hỏi mới và gửi lại."))
        elif answer is not None and answer != sums[0] + sums[1]:
            self.add_error("answer", _("Kết quả chưa đúng. Hãy tính lại và gửi lại."))


class FeedbackForm(HumanCheck):
    kind = forms.ChoiceField(
        label=_("Bạn muốn gửi"), choices=FeedbackKind.choices, initial=FeedbackKind.SUGGESTION, widget=forms.RadioSelect
    )
    commitment = forms.TypedChoiceField(label=_("Về nội dung"), coerce=int, empty_value=None, required=False)
    text = forms.CharField(
        label=_("Nội dung góp ý, phản ánh"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Nêu cụ thể việc gì, ở đâu, khi nào. Tối đa 2.000 ký tự."),
    )
    name = forms.CharField(label=_("Họ và tên"), max_length=120, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False, help_text=_("Để nhận thư báo khi có kết quả."))
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    # People never see this field; a robot that fills every field fills it.
    website = forms.CharField(label=_("Để trống ô này"), required=False)
    challenge = forms.CharField(widget=forms.HiddenInput)
    answer = forms.IntegerField(label=_("Câu hỏi kiểm tra"), min_value=0, max_value=99)
    # A new key each time the page is shown; the same page sent twice stores one case.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    def __init__(self, *args: Any, terms: list[CommitmentTerms], numbers: dict[int, str], **kwargs: Any) -> None:
        """`terms`: the public commitments in document order; `numbers`: each one's number in the version."""
        super().__init__(*args, **kwargs)
        commitment_field = cast(forms.TypedChoiceField, self.fields["commitment"])
        commitment_field.choices = [
            ("", _("Cả chương trình")),
            *[
                (
                    item.commitment_id,
                    _("Nội dung %(position)s: %(statement)s")
                    % {"position": numbers[item.commitment_id], "statement": item.statement[:90]},
                )
                for item in terms
            ],
        ]
        self.ask_challenge()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("kind"),
            Field("commitment"),
            Field("text"),
            Fieldset(
                _("Thông tin liên hệ (không bắt buộc)"),
                Field("name", autocomplete="name"),
                Field("email", autocomplete="email"),
                Field("phone", autocomplete="tel", inputmode="tel"),
            ),
            Div(Field("website", tabindex="-1", autocomplete="off"), css_class="feedback-trap", aria_hidden="true"),
            Field("challenge"),
            Field("answer", inputmode="numeric", autocomplete="off"),
            Field("submission_key"),
        )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Số điện thoại chỉ gồm chữ số (8 đến 20 ký tự), ví dụ 0903 123 456."))
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_human(cleaned, _("Không gửi được. Hãy kiểm tra lại nội dung và bấm gửi lần nữa."))
        if cleaned.get("name") and not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("email", _("Nếu ghi họ tên, hãy để lại thư điện tử hoặc số điện thoại để được liên hệ."))
        return cleaned


class TrackingForm(PortalForm):
    ma = forms.CharField(label=_("Mã tra cứu"), max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, in the language of the page.
        self.fields["ma"].help_text = _("Mã gồm %(length)s chữ và số, ví dụ ABCDE-23456.") % {"length": CODE_LENGTH}

    def clean_ma(self) -> str:
        code = normalise_code(self.cleaned_data["ma"])
        if not code:
            raise forms.ValidationError(_("Mã tra cứu gồm %(length)s chữ và số.") % {"length": CODE_LENGTH})
        return code


def _helper(*fields: str, name: str, submit: str, refusal: bool = False) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields)
    button = Submit(name, submit)
    if refusal:
        # A button that turns something down must not look like the page's main action.
        button.field_classes = "btn btn-outline-danger"
    helper.add_input(button)
    return helper


class RejectForm(PortalForm):
    reason = forms.ChoiceField(
        label=_("Lý do không tiếp nhận"), choices=RejectionReason.choices, widget=forms.RadioSelect
    )
    duplicate_code = forms.CharField(
        label=_("Mã của góp ý, phản ánh bị trùng"), max_length=20, required=False, help_text=_("Chỉ ghi khi trùng.")
    )
    note = forms.CharField(
        label=_("Giải thích cho người gửi"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "reason",
            "duplicate_code",
            "note",
            name="do_reject",
            submit=str(_("Không tiếp nhận góp ý này")),
            refusal=True,
        )


class ForwardForm(PortalForm):
    organisation = forms.TypedChoiceField(label=_("Chuyển cho"), coerce=int)
    note = forms.CharField(
        label=_("Nội dung đề nghị xác minh"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH
    )

    def __init__(self, *args: Any, committees: list[PartyOrganisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.committees = {committee.pk: committee for committee in committees}
        organisation_field = cast(forms.TypedChoiceField, self.fields["organisation"])
        organisation_field.choices = [(committee.pk, committee.name) for committee in committees]
        self.helper = _helper("organisation", "note", name="do_forward", submit=str(_("Chuyển cấp ủy xác minh")))

    def clean_organisation(self) -> PartyOrganisation:
        return self.committees[self.cleaned_data["organisation"]]


class AnswerForm(PortalForm):
    verification = forms.ChoiceField(
        label=_("Kết quả xác minh"), choices=Verification.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Trả lời công khai cho người gửi"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Người gửi đọc nội dung này bằng mã tra cứu. Không ghi thông tin cá nhân của ai."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "verification", "answer", name="do_answer", submit=str(_("Ghi kết quả và công khai trả lời"))
        )


class ReplyForm(PortalForm):
    text = forms.CharField(
        label=_("Ý kiến của đồng chí"), widget=forms.Textarea(attrs={"rows": 5}), max_length=TEXT_MAX_LENGTH
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("text", name="do_reply", submit=str(_("Gửi ý kiến")))


QUEUE_FILTERS = [
    ("open", _("Đang xử lý")),
    ("overdue", _("Quá hạn")),
    ("closed", _("Đã kết thúc")),
    ("all", _("Tất cả")),
]


class QueueFilterForm(ListFilterForm):
    """The oversight queue's tab (`loc`, its pills) and the search inside it: by tracking code or the cadre's name
    (accent-insensitive), area, state and kind."""

    field_order = ["q", "dia_ban", "trang_thai", "loai", "loc"]
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *CaseState.choices], required=False
    )
    loai = forms.ChoiceField(label=_("Loại"), choices=[("", _("Tất cả")), *FeedbackKind.choices], required=False)
    # The tab stays as the search is submitted; the pills above the form change it.
    loc = forms.ChoiceField(label=_("Hiển thị"), choices=QUEUE_FILTERS, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Mã tra cứu hoặc họ tên cán bộ; gõ có dấu hoặc không dấu.")
        self.fields["dia_ban"] = OrganisationFilterField(
            queryset=access.organisations_where(user, Action.OVERSEE_AREA), label=_("Địa bàn")
        )
        self.order_fields(self.field_order)
