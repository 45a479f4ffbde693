"""The words of the portal's forms: a required field left empty says what to do with that field, a select's empty
option says what to choose, a field's own message is kept, and every form of the portal speaks this way."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import AnonymousUser

import programmes
import publicity
import reviews
from programmes.accounts.forms import LoginForm, PasswordChangeForm
from programmes.action_programmes.forms import CommitmentForm, ProgrammeForm
from programmes.models import Cadre
from programmes.web import PlainWords, PortalForm, label_in_sentence
from reviews.report_forms import ReportFilterForm

GENERIC = "Trường này là bắt buộc."

pytestmark = pytest.mark.django_db


def test_an_empty_programme_says_what_to_enter_and_what_to_choose_in_each_field():
    form = ProgrammeForm(data={}, cadre=Cadre(pk=1))
    assert not form.is_valid()
    assert form.errors == {
        "occasion": ["Chọn lý do lập chương trình"],
        "title": ["Nhập tên chương trình"],
        "term_start": ["Nhập ngày bắt đầu thực hiện"],
        "term_end": ["Nhập ngày kết thúc thực hiện"],
    }


def test_a_field_added_by_the_form_itself_and_a_model_field_get_their_own_words():
    form = CommitmentForm(data={"milestone_1_date": "2027-01-01"}, weight_total=0)
    assert not form.is_valid()
    assert form.errors["category"] == ["Chọn nhóm nội dung"]
    assert form.errors["statement"] == ["Nhập nội dung cam kết"]
    # The form's own message for a milestone without its result stays.
    assert form.errors["milestone_1_description"] == ["Hãy ghi kết quả cần đạt ở mốc này."]
    assert GENERIC not in str(form.errors)


def test_selects_offer_choose_as_their_empty_option_and_keep_an_empty_option_of_their_own():
    commitment = CommitmentForm(weight_total=0)
    assert '<option value="" selected>Chọn nhóm nội dung</option>' in str(commitment["category"])
    assert "---------" not in str(commitment["category"])
    programme = ProgrammeForm(cadre=Cadre(pk=1))
    assert "Chọn lý do lập chương trình</option>" in str(programme["occasion"])
    assert "Không gắn chức vụ (đảng viên)</option>" in str(programme["position"])  # its own empty label
    filters = ReportFilterForm(user=AnonymousUser())
    assert "Tất cả các đợt</option>" in str(filters["dot"]) and "Tất cả các loại</option>" in str(filters["loai"])


def test_a_field_with_its_own_message_keeps_it():
    class Reason(PortalForm):
        level = forms.ChoiceField(
            label="Mức xếp loại", choices=[("a", "A")], error_messages={"required": "Hãy chọn mức khác mức hiện tại."}
        )
        note = forms.CharField(label="Ghi chú")

    form = Reason(data={})
    form.is_valid()
    assert form.errors == {"level": ["Hãy chọn mức khác mức hiện tại."], "note": ["Nhập ghi chú"]}


def test_django_login_and_password_forms_say_which_field_is_missing():
    login = LoginForm(data={})
    login.is_valid()
    assert login.errors == {"username": ["Nhập tên đăng nhập"], "password": ["Nhập mật khẩu"]}
    change = PasswordChangeForm(user=None, data={})  # type: ignore[arg-type]
    change.is_valid()
    assert change.errors["old_password"] == ["Nhập mật khẩu cũ"]


@pytest.mark.parametrize(
    ("label", "in_sentence"),
    [
        ("Tên chương trình", "tên chương trình"),
        ("UBND phường", "UBND phường"),
        ("HĐND", "HĐND"),
        ("I. Ưu điểm", "I. Ưu điểm"),
        ("Email:", "email"),
        ("", ""),
    ],
)
def test_a_label_inside_a_sentence_keeps_the_capitals_of_an_acronym(label, in_sentence):
    assert label_in_sentence(label) == in_sentence


def _portal_form_classes() -> list[type[forms.BaseForm]]:
    found = set()
    for package in (programmes, reviews, publicity):
        for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in module_info.name or ".management" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    found.add(value)
    return sorted(found, key=lambda form_class: f"{form_class.__module__}.{form_class.__qualname__}")


def test_every_form_of_the_portal_speaks_plainly():
    classes = _portal_form_classes()
    assert len(classes) > 40
    # The admin's forms keep Django's own words.
    plain = [form_class for form_class in classes if ".admin" not in form_class.__module__]
    assert [form_class for form_class in plain if not issubclass(form_class, PlainWords)] == []
    assert not issubclass(auth_forms.AuthenticationForm, PlainWords)
