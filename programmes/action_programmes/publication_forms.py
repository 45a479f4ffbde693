"""The owner's publication forms: the level, the consent (give or withdraw), and per-item caps and flags.

The forms validate and lay out; the services in `publication` decide. A refusal from a service comes back
on the form (at the field it names, else above the form), so nothing is half-saved.
"""

from collections.abc import Callable, Sequence
from typing import Any

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes import publication
from programmes.models import ActionProgramme, Commitment, CommitmentTerms, Evidence, PublicityLevel
from programmes.web import PortalForm, add_service_error, call_service

CAP_PREFIX = "cap_"
PUBLIC_PREFIX = "public_"
# The value a cap select sends for "as the programme" (None in the service).
AS_PROGRAMME = ""


def _button(label: Promise, action: str, css_class: str) -> StrictButton:
    return StrictButton(label, type="submit", name="action", value=action, css_class=css_class)


def _helper(form_id: str, *layout: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(*layout)
    return helper


class LevelForm(PortalForm):
    """The level, offered only where the owner may put it now; the service says why another is refused."""

    level = forms.TypedChoiceField(label=_("Mức độ công khai"), choices=PublicityLevel.choices, coerce=int)

    def __init__(self, *args: Any, programme: ActionProgramme, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "level")
        kwargs.setdefault("initial", {"level": programme.publicity_level})
        super().__init__(*args, **kwargs)
        self.programme = programme
        allowed = publication.allowed_levels(programme)
        # Any level is accepted, so that the service (not a bare "invalid choice") explains a refusal.
        self.fields["level"].widget.choices = [(level.value, level.label) for level in allowed]
        if programme.publication_consent_at is None and programme.publicity_max > publication.INSIDE_PARTY:
            self.fields["level"].help_text = _(
                "Các mức “Mặt trận và HĐND” và “Công khai nhân dân” chỉ chọn được sau khi đồng chí đồng ý công khai."
            )
        self.helper = _helper("level-form", "level", _button(_("Lưu mức công khai"), "level", "btn-portal"))

    def submit(self, *, acting_user: User) -> ActionProgramme | None:
        return call_service(
            self,
            publication.publicity_set,
            programme=self.programme,
            level=self.cleaned_data["level"],
            acting_user=acting_user,
        )


class ConsentGiveForm(PortalForm):
    agree = forms.BooleanField(
        label=_(
            "Tôi đồng ý để chương trình hành động này được công khai ngoài tổ chức Đảng, "
            "trong giới hạn mức tối đa người xác nhận đã cho phép."
        ),
        error_messages={"required": _("Hãy đánh dấu ô đồng ý nếu đồng chí muốn công khai.")},
    )

    def __init__(self, *args: Any, programme: ActionProgramme, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.helper = _helper("consent-form", "agree", _button(_("Đồng ý công khai"), "consent_give", "btn-portal"))

    def submit(self, *, acting_user: User) -> ActionProgramme | None:
        return call_service(self, publication.consent_give, programme=self.programme, acting_user=acting_user)


class ConsentWithdrawForm(PortalForm):
    """Nothing to fill in: withdrawing must be as easy as giving."""

    def __init__(self, *args: Any, programme: ActionProgramme, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "withdraw")
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.helper = _helper(
            "withdraw-form", _button(_("Rút lại sự đồng ý công khai"), "consent_withdraw", "btn-outline-danger")
        )

    def submit(self, *, acting_user: User) -> ActionProgramme | None:
        return call_service(self, publication.consent_withdraw, programme=self.programme, acting_user=acting_user)


def _evidence_label(evidence: Evidence) -> str:
    if evidence.file:
        return str(
            _("Công khai tệp “%(name)s” (%(size)s)")
            % {"name": evidence.original_name or evidence.file.name, "size": filesizeformat(evidence.size or 0)}
        )
    return str(_("Công khai đường dẫn “%(name)s”") % {"name": evidence.description or evidence.link})


class ItemsForm(PortalForm):
    """A cap for each commitment in force and a public flag for each of its files and links."""

    def __init__(self, *args: Any, programme: ActionProgramme, items: Sequence[CommitmentTerms], **kwargs: Any):
        kwargs.setdefault("prefix", "items")
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.items = list(items)
        as_programme = [(AS_PROGRAMME, _("Như chương trình"))]
        every_cap = as_programme + [(str(value), label) for value, label in PublicityLevel.choices]
        offered = as_programme + [(str(level.value), level.label) for level in publication.allowed_caps(programme)]
        fieldsets = []
        for terms in self.items:
            commitment = terms.commitment
            cap_name = f"{CAP_PREFIX}{commitment.pk}"
            self.fields[cap_name] = forms.TypedChoiceField(
                label=_("Công khai nội dung này tối đa đến"),
                choices=every_cap,
                coerce=int,
                empty_value=None,
                required=False,
                initial=self._cap_initial(commitment),
            )
            # As on LevelForm: only the allowed caps are offered; the service explains any other.
            self.fields[cap_name].widget.choices = offered
            names: list[str] = [cap_name]
            for evidence in commitment.evidence.all():
                flag_name = f"{PUBLIC_PREFIX}{evidence.pk}"
                self.fields[flag_name] = forms.BooleanField(
                    label=_evidence_label(evidence), required=False, initial=evidence.is_public
                )
                names.append(flag_name)
            # Crispy renders a legend as a template and help text unescaped: the cadre's own words go only into
            # the help text, escaped; the legend holds nothing but the number.
            statement = escape(Truncator(terms.statement).words(16))
            if len(names) == 1:
                statement = format_html("{} {}", statement, _("(Nội dung này chưa có minh chứng.)"))
            self.fields[cap_name].help_text = statement
            legend = _("Nội dung %(position)s") % {"position": int(terms.position)}
            fieldsets.append(Fieldset(legend, *names))
        self.helper = _helper(
            "items-form", *fieldsets, _button(_("Lưu công khai từng nội dung"), "items", "btn-portal")
        )

    def _cap_initial(self, commitment: Commitment) -> str:
        cap = commitment.publicity_cap
        if cap is None:
            return AS_PROGRAMME
        # A cap left above a maximum an amendment lowered shows (and, once saved, is stored) at the maximum.
        return str(min(cap, self.programme.publicity_max))

    def submit(self, *, acting_user: User) -> int | None:
        """Save the changed caps and flags, all or none: the number saved, or None after a refusal (shown
        at the field it is about). Each change is one service call with its own audit event."""
        data = self.cleaned_data
        changed = 0
        try:
            with transaction.atomic():
                for terms in self.items:
                    commitment = terms.commitment
                    cap_name = f"{CAP_PREFIX}{commitment.pk}"
                    cap = data.get(cap_name)
                    if cap != commitment.publicity_cap:
                        self._call(
                            cap_name,
                            publication.commitment_publicity_set,
                            commitment=commitment,
                            cap=cap,
                            acting_user=acting_user,
                        )
                        changed += 1
                    for evidence in commitment.evidence.all():
                        flag_name = f"{PUBLIC_PREFIX}{evidence.pk}"
                        flag = bool(data.get(flag_name))
                        if flag != evidence.is_public:
                            self._call(
                                flag_name,
                                publication.evidence_publicity_set,
                                evidence=evidence,
                                is_public=flag,
                                acting_user=acting_user,
                            )
                            changed += 1
        except ValidationError:
            return None
        return changed

    def _call(self, field_name: str, service: Callable[..., Any], **arguments: Any) -> None:
        """Run one service; a refusal goes onto `field_name` and is raised again to undo the changes before it."""
        try:
            service(**arguments)
        except ValidationError as error:
            add_service_error(self, error, {"cap": field_name, "is_public": field_name})
            raise
