"""`{% load discussions %}{% thread_block thread %}` renders a thread inside another page
(a proposal, an amendment). The discussions area owns how it looks."""

from django import template

register = template.Library()


@register.inclusion_tag("discussions/_thread_block.html", takes_context=True)
def thread_block(context, thread):
    return {"thread": thread, "request": context.get("request"),
            "user": context.get("user")}
