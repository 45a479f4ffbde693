"""Forms of the account pages: a code field, and Django's password-reset forms with the portal's labels."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from programmes.accounts import passwords


class TokenForm(forms.Form):
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


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Địa chỉ thư điện tử"),
        max_length=254,
        help_text=_("Địa chỉ thư điện tử đã đăng ký cho tài khoản của bạn."),
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


class PasswordResetSetForm(UserSetPasswordForm):
    """The new password, set through the service so that the reset is on the record."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = _("Nhập lại đúng mật khẩu mới ở trên để kiểm tra.")

    def save(self, commit: bool = True) -> User:
        return passwords.password_reset(user=self.user, new_password=self.cleaned_data["new_password1"])
