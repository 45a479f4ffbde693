"""Forms of the account pages: a code field, Django's password-reset forms with the portal's labels, and the
choice of how each kind of notification is received."""

import typing
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from programmes.accounts import passwords
from programmes.action_programmes.notification_preferences import Preferences, language_choices
from programmes.models import Delivery, NotificationKind
from programmes.web import PlainWords, PortalForm


class TokenForm(PortalForm):
    """One code: from the authenticator app, or (where `recovery` allows it) a recovery code."""

    token = forms.CharField(label=_("Mã xác thực"), max_length=32, strip=True)

    def __init__(self, *args: Any, recovery: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["token"]
        field.widget.attrs.update({"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})
        if recovery:
            field.help_text = _("6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã dự phòng chưa dùng.")
        else:
            field.help_text = _("6 chữ số đang hiện trong ứng dụng xác thực.")
            field.widget.attrs["inputmode"] = "numeric"


class LoginForm(PlainWords, auth_forms.AuthenticationForm):
    """Django's login form, saying which field is missing ("Nhập mật khẩu")."""


class PasswordChangeForm(PlainWords, auth_forms.PasswordChangeForm):
    """Django's password change form, saying which field is missing."""


class PasswordResetRequestForm(PlainWords, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Địa chỉ thư điện tử"),
        max_length=254,
        help_text=_("Địa chỉ thư điện tử đã đăng ký cho tài khoản của đồng chí."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Queue one e-mail per matching account (none for an unknown address); the worker writes the link."""
        passwords.reset_request_record(users=list(self.get_users(self.cleaned_data["email"])))


if TYPE_CHECKING:
    # Generic in its user model for the type checker only: Django's class takes no type argument at run time.
    UserSetPasswordForm = auth_forms.SetPasswordForm[User]
else:
    UserSetPasswordForm = auth_forms.SetPasswordForm


class PasswordResetSetForm(PlainWords, UserSetPasswordForm):
    """The new password, set through the service so that the reset is on the record."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = _("Nhập lại đúng mật khẩu mới ở trên để kiểm tra.")

    def save(self, commit: bool = True) -> User:
        return passwords.password_reset(user=self.user, new_password=self.cleaned_data["new_password1"])


# The preference page's sections: each kind once, in the order a reader meets them.
PREFERENCE_GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (
        _("Kiểm điểm, đánh giá, xếp loại"),
        (
            NotificationKind.PERIOD_OPENED,
            NotificationKind.REVIEW_PROMPT,
            NotificationKind.SELF_REVIEW_SUBMITTED,
            NotificationKind.MEETING_RECORDED,
            NotificationKind.PROPOSAL_RECORDED,
            NotificationKind.DECISION_MADE,
            NotificationKind.RESULT_CONFIRMED,
            NotificationKind.RECLASSIFIED,
            NotificationKind.APPEAL_FILED,
            NotificationKind.APPEAL_RESOLVED,
            NotificationKind.RESIDENCE_COMMENT,
        ),
    ),
    (
        _("Nhắc việc"),
        (
            NotificationKind.COMMITMENT_DUE,
            NotificationKind.COMMITMENT_OVERDUE,
            NotificationKind.OVERDUE_WITHOUT_EVIDENCE,
            NotificationKind.COMMITMENT_STALLED,
            NotificationKind.SELF_REVIEW_CLOSING,
            NotificationKind.CONFIRMATION_WAITING,
            NotificationKind.FEEDBACK_OVERDUE,
            NotificationKind.RESIDENCE_COMMENT_OVERDUE,
        ),
    ),
    (
        _("Chương trình hành động và góp ý của Nhân dân"),
        (
            NotificationKind.PROGRAMME_CONFIRMATION,
            NotificationKind.EVIDENCE_REJECTED,
            NotificationKind.FEEDBACK_CASE,
            NotificationKind.FEEDBACK_FORWARDED,
        ),
    ),
    (_("Tài khoản và thông báo khác"), (NotificationKind.ACCOUNT, NotificationKind.GENERAL)),
)


def delivery_field_name(kind: str) -> str:
    return f"kind_{kind}"


class NotificationPreferencesForm(PortalForm):
    """The language of notifications and e-mails, and for each kind how it is received."""

    language = forms.ChoiceField(
        label=_("Ngôn ngữ của thông báo và thư điện tử"),
        required=False,
        help_text=_("Thông báo mới trên cổng và thư điện tử gửi cho đồng chí được viết bằng ngôn ngữ này."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        typing.cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()
        for _group, kinds in PREFERENCE_GROUPS:
            for kind in kinds:
                self.fields[delivery_field_name(kind)] = forms.ChoiceField(
                    label=NotificationKind(kind).label, choices=Delivery.choices, widget=forms.RadioSelect
                )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The delivery fields by section, for the template."""
        return [(title, [self[delivery_field_name(kind)] for kind in kinds]) for title, kinds in PREFERENCE_GROUPS]

    def deliveries(self) -> dict[str, str]:
        return {
            kind: self.cleaned_data[delivery_field_name(kind)] for _group, kinds in PREFERENCE_GROUPS for kind in kinds
        }


def preferences_initial(preferences: Preferences) -> dict[str, str]:
    return {"language": preferences.language} | {
        delivery_field_name(kind): delivery for kind, delivery in preferences.deliveries.items()
    }
