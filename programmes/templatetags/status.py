"""`{% status_badge %}`: every state badge of the portal, in the one palette of programmes/status_palette.py.

    {% status_badge review %}                      an object: its machine and state are known from its model
    {% status_badge review.state "review" %}       a state and the name of its machine
    {% status_badge count.state "review" count.label %}   with a label of the page's own
The label is the badge's text, so colour is never the only cue.
"""

from typing import Any

from django import template
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from programmes.status_palette import machine, machine_of

register = template.Library()


@register.simple_tag
def status_badge(subject: Any, kind: str = "", label: Any = None) -> SafeString:
    if isinstance(subject, models.Model):
        found, state = machine_of(subject)
    else:
        found, state = machine(kind), str(subject)
    return format_html(
        '<span class="badge {}" data-state="{}-{}">{}</span>',
        found.css_class(state),
        found.kind,
        state,
        found.label(state) if label is None else label,
    )


@register.simple_tag
def status_class(state: str, kind: str) -> str:
    """The badge's classes alone, for a badge whose text a template composes itself."""
    return machine(kind).css_class(str(state))
