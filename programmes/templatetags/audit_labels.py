"""`{{ event.action|action_label }}`: the words the audit log shows for an action code."""

from django import template

from programmes.audit import action_label as label_of

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return label_of(code)
