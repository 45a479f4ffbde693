"""The form to follow a programme, a cadre or an area by e-mail.

It sits on the public programme page, which is cached whole and served to every visitor, so it is static: no CSRF
token, no one-time key; the page's question (the feedback form's small sum, signed with its time) is the same for
whoever gets that copy and is valid FEEDBACK_CHALLENGE_MAX_AGE, far longer than the copy is kept. A robot filling
every field fills the hidden trap. What is followed is in the form's address (the target, public), the e-mail
address in its body, so that it never reaches a server's access log.
"""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from publicity.feedback_forms import _with_value, challenge_terms, new_challenge
from publicity.follow.subscription import ADDRESS_MAX_LENGTH

PROGRAMME_SCOPE = "chuong-trinh"
CADRE_SCOPE = "can-bo"


class FollowForm(forms.Form):
    pham_vi = forms.ChoiceField(label=_("Theo dõi"), widget=forms.RadioSelect, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử của bạn"),
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_("Chỉ dùng để gửi thư báo; không bao giờ được công khai."),
    )
    # People never see this field; a robot that fills every field fills it.
    website = forms.CharField(label=_("Để trống ô này"), required=False)
    expired_challenge = False
    challenge = forms.CharField(widget=forms.HiddenInput)
    answer = forms.IntegerField(label=_("Câu hỏi kiểm tra"), min_value=0, max_value=99)

    def __init__(self, *args: Any, owner_name: str = "", **kwargs: Any) -> None:
        """`owner_name`: the programme's owner, offered as the wider choice; without it the form follows its
        target alone (an area)."""
        # Each copy on a page gets its own ids: the home page has a search form whose fields share names.
        kwargs.setdefault("auto_id", "theo-doi-%s")
        super().__init__(*args, **kwargs)
        scope = cast(forms.ChoiceField, self.fields["pham_vi"])
        if owner_name:
            scope.choices = [
                (PROGRAMME_SCOPE, _("Chỉ chương trình này")),
                (CADRE_SCOPE, _("Mọi chương trình được công khai của đồng chí %(name)s") % {"name": owner_name}),
            ]
            scope.initial = PROGRAMME_SCOPE
        else:
            del self.fields["pham_vi"]
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
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A token would set a cookie and make each visitor's copy of the cached page differ.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *([Field("pham_vi")] if owner_name else []),
            Field("email", autocomplete="email", inputmode="email"),
            Div(Field("website", tabindex="-1", autocomplete="off"), css_class="feedback-trap", aria_hidden="true"),
            Field("challenge"),
            Field("answer", inputmode="numeric", autocomplete="off"),
        )

    @property
    def follows_cadre(self) -> bool:
        return self.cleaned_data.get("pham_vi") == CADRE_SCOPE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            self.data = _with_value(self.data, "website", "")
            raise forms.ValidationError(_("Chưa đăng ký được. Hãy kiểm tra lại và bấm gửi lần nữa."))
        sums = challenge_terms(self.data.get("challenge", ""))
        answer = cleaned.get("answer")
        if self.expired_challenge or sums is None:
            self.add_error("answer", _("Câu hỏi kiểm tra đã hết hạn. Hãy trả lời câu hỏi mới và gửi lại."))
        elif answer is not None and answer != sums[0] + sums[1]:
            self.add_error("answer", _("Kết quả chưa đúng. Hãy tính lại và gửi lại."))
        return cleaned
