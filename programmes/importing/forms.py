"""The upload form: which kind of file, for which organisation, and the file itself."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from programmes import access
from programmes.access import Action, AnyUser
from programmes.importing.services import import_job_submit
from programmes.models import ImportJob, ImportKind, PartyOrganisation
from programmes.models.organisations import CELL_KINDS
from programmes.web import PortalForm


class ImportUploadForm(PortalForm):
    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=ImportKind.choices)
    scope = forms.ModelChoiceField(
        label=_("Phạm vi"),
        queryset=PartyOrganisation.objects.none(),
        help_text=_("Chỉ các tổ chức trong phạm vi này được tạo mới hoặc cập nhật."),
    )
    file = forms.FileField(label=_("Tệp CSV hoặc Excel (.xlsx)"))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Cells are too small to be a scope; committees above them are where rosters are kept.
        scope_field = cast("forms.ModelChoiceField[PartyOrganisation]", self.fields["scope"])
        scope_field.queryset = (
            access.organisations_where(user, Action.IMPORT_ROSTER).exclude(kind__in=CELL_KINDS).order_by("path")
        )
        if access.acts_on_whole_tree(user):
            scope_field.required = False
            scope_field.help_text = _("Để trống để nhập cho toàn bộ cây tổ chức (chỉ quản trị hệ thống).")
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.helper = FormHelper()
        self.helper.form_enctype = "multipart/form-data"
        self.helper.add_input(Submit("submit", _("Tải lên và nhập")))
        self.user = user

    def submit(self) -> ImportJob | None:
        """Queue the import of a valid form; a refusal from the service becomes the file field's error."""
        try:
            return import_job_submit(
                kind=self.cleaned_data["kind"],
                uploaded_file=self.cleaned_data["file"],
                scope=self.cleaned_data["scope"],
                acting_user=self.user,
            )
        except ValidationError as error:
            self.add_error("file", error)
            return None
