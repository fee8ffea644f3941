"""Forms validate and normalise input; services do the writing."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from ideas.models import Category

# C0/C1 control characters and NUL, except the tab and newlines a body may hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters Lode reserves as search-highlight markers (see queries.MARK_START).
RESERVED = re.compile(r"[\ue000\ue001]")


def reject_control_characters(value: str, *, allow_newlines: bool) -> str:
    if CONTROL_CHARACTERS.search(value) or RESERVED.search(value):
        raise ValidationError("Remove the invisible control characters from this text.")
    if not allow_newlines and ("\n" in value or "\r" in value):
        raise ValidationError("Keep this to a single line.")
    return value


class IdeaForm(forms.Form):
    title = forms.CharField(
        max_length=140,
        min_length=8,
        strip=True,
        help_text="A short summary: what would you like to be able to do?",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "maxlength": 140,
                # The title sits above the similar-ideas panel, outside the <form> element,
                # so that panel's vote buttons are not nested forms.
                "form": "idea-form",
                "hx-get": reverse_lazy("ideas:similar"),
                "hx-trigger": "input changed delay:350ms, search",
                "hx-target": "#similar-ideas",
                "hx-sync": "this:replace",
                "aria-describedby": "id_title_helptext similar-ideas",
            }
        ),
        error_messages={
            "required": "Give your idea a title.",
            "min_length": "Make the title a little longer: at least %(limit_value)d characters "
            "(it has %(show_value)d).",
            "max_length": "Keep the title to %(limit_value)d characters at most "
            "(it has %(show_value)d).",
        },
    )
    body = forms.CharField(
        label="Description",
        required=False,
        max_length=10_000,
        strip=True,
        help_text="Why does it matter, and what do you do today instead? Markdown works.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": "Keep the description to %(limit_value)d characters at most "
            "(it has %(show_value)d)."
        },
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="Choose a category"
    )

    def clean_title(self) -> str:
        title = reject_control_characters(self.cleaned_data["title"], allow_newlines=False)
        title = " ".join(title.split())
        if len(title) < 8:
            raise ValidationError("Make the title a little longer: at least 8 characters.")
        return title

    def clean_body(self) -> str:
        return reject_control_characters(self.cleaned_data["body"], allow_newlines=True)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=5_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Add to the discussion…"}),
        error_messages={
            "required": "Write something before posting.",
            "max_length": "Keep comments to %(limit_value)d characters at most "
            "(this one has %(show_value)d).",
        },
    )
    is_internal = forms.BooleanField(
        label="Private note (only the company sees it)", required=False
    )

    def clean_body(self) -> str:
        return reject_control_characters(self.cleaned_data["body"], allow_newlines=True)
