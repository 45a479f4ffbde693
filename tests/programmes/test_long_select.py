"""The long single-choice list written in Python gives the same markup as Django's Select."""

import re

import pytest
from django import forms

from programmes.web import LongSelect

CHOICES = [("", "Tất cả"), (7, "Đảng bộ phường Bến Thành (12)"), (8, 'Chi bộ <Khu phố> "1A" & 1B')]


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", 7, "8"])
@pytest.mark.parametrize(
    "attrs",
    [{"id": "id_khu_vuc"}, {"id": "id_to_chuc", "class": "form-select", "aria-describedby": "x", "required": True}],
)
def test_the_markup_is_djangos(value, attrs):
    expected = forms.Select(choices=CHOICES).render("khu_vuc", value, attrs=attrs)
    written = LongSelect(choices=CHOICES).render("khu_vuc", value, attrs=attrs)

    assert compact(written) == compact(expected)
    assert "&lt;Khu phố&gt; &quot;1A&quot; &amp; 1B" in written


def test_a_form_field_keeps_its_choice_and_errors():
    class Form(forms.Form):
        area = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False, widget=LongSelect)

    form = Form({"area": "8"})
    assert form.is_valid() and form.cleaned_data["area"] == 8
    assert '<option value="8" selected>' in str(form["area"])
    assert not Form({"area": "9"}).is_valid()
