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

from publicity.feedback_forms import HumanCheck
from publicity.follow.subscription import ADDRESS_MAX_LENGTH

PROGRAMME_SCOPE = "chuong-trinh"
CADRE_SCOPE = "can-bo"


class FollowForm(HumanCheck):
    pham_vi = forms.ChoiceField(label=_("Theo dõi"), widget=forms.RadioSelect, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử của bạn"),
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_("Chỉ dùng để gửi thư báo; không bao giờ được công khai."),
    )
    # People never see this field; a robot that fills every field fills it.
    website = forms.CharField(label=_("Để trống ô này"), required=False)
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
        self.ask_challenge()
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
        self.check_human(cleaned, _("Chưa đăng ký được. Hãy kiểm tra lại và bấm gửi lần nữa."))
        return cleaned
