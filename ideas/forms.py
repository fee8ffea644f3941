"""Forms validate and normalise input; services do the writing."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone

from ideas.choices import (
    DealStage,
    EmailFrequency,
    Importance,
    Region,
    Segment,
    SignalKind,
    Source,
    Status,
    Visibility,
)
from ideas.models import Account, Category, Idea, Tag
from portal.models import User

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


class SignalForm(forms.Form):
    """What a rep heard, fast: sensible defaults, and only the customer's words required."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.all(), required=False, widget=forms.HiddenInput
    )
    account_query = forms.CharField(label="Account", required=False, max_length=200, strip=True)
    new_account_name = forms.CharField(label="Prospect name", required=False, max_length=200)
    new_account_segment = forms.ChoiceField(
        label="Segment", required=False, choices=[("", "Unknown"), *Segment.choices]
    )
    new_account_region = forms.ChoiceField(
        label="Region", required=False, choices=[("", "Unknown"), *Region.choices]
    )
    contact_name = forms.CharField(label="Contact", required=False, max_length=150)
    contact_role = forms.CharField(label="Their role", required=False, max_length=150)
    verbatim = forms.CharField(
        label="What they said",
        max_length=5_000,
        help_text="Their own words, as close as you remember them.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write down what the customer said."},
    )
    summary = forms.CharField(
        label="Your one-line summary", required=False, max_length=200, strip=True
    )
    kind = forms.ChoiceField(
        label="What kind of chatter",
        choices=SignalKind.choices,
        initial=SignalKind.FEATURE_REQUEST,
    )
    competitor = forms.CharField(label="Competitor", required=False, max_length=120)
    source = forms.ChoiceField(label="Where", choices=Source.choices, initial=Source.MEETING)
    heard_on = forms.DateField(
        label="When", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    importance = forms.ChoiceField(
        label="How much it matters",
        choices=Importance.choices,
        initial=Importance.IMPORTANT,
        widget=forms.RadioSelect,
    )
    opportunity_value = forms.DecimalField(
        label="Opportunity value",
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
        error_messages={
            "min_value": "The value cannot be negative.",
            "max_digits": "That is more than Lode can store; check the number.",
            "max_whole_digits": "That is more than Lode can store; check the number.",
            "invalid": "Enter an amount, like 25000 or 1250.50.",
        },
    )
    deal_stage = forms.ChoiceField(
        label="Deal stage", required=False, choices=[("", "No deal"), *DealStage.choices]
    )
    idea = forms.ModelChoiceField(
        queryset=Idea.objects.none(), required=False, widget=forms.HiddenInput
    )
    proposed_title = forms.CharField(
        label="Or propose a new idea", required=False, max_length=140, strip=True
    )

    TEXT_FIELDS = (
        "account_query",
        "new_account_name",
        "contact_name",
        "contact_role",
        "summary",
        "competitor",
        "proposed_title",
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Reps may link any idea they can see, internal ones included; never a merged one
        # (the service would follow the merge, but the form should offer only live ideas).
        self.fields["idea"].queryset = Idea.objects.visible_to(user).listed()

    def clean(self) -> dict:
        data = super().clean()
        for name in self.TEXT_FIELDS:
            value = data.get(name)
            if value:
                try:
                    data[name] = " ".join(
                        reject_control_characters(value, allow_newlines=False).split()
                    )
                except ValidationError as error:
                    self.add_error(name, error)
        if data.get("verbatim"):
            try:
                reject_control_characters(data["verbatim"], allow_newlines=True)
            except ValidationError as error:
                self.add_error("verbatim", error)
        self._clean_account(data)
        if data.get("kind") == SignalKind.COMPETITOR and not data.get("competitor"):
            self.add_error("competitor", "Which competitor did they mention?")
        heard_on = data.get("heard_on")
        if heard_on and heard_on > timezone.localdate():
            self.add_error("heard_on", "The date can't be in the future.")
        elif heard_on and heard_on < timezone.localdate() - dt.timedelta(days=5 * 365):
            self.add_error("heard_on", "That is more than five years ago; check the date.")
        if data.get("idea") and data.get("proposed_title"):
            self.add_error(
                "proposed_title", "Link an existing idea or propose a new one, not both."
            )
        return data

    def _clean_account(self, data: dict) -> None:
        if data.get("new_account_name"):
            data["account"] = None
            return
        if data.get("account"):
            return
        query = data.get("account_query", "")
        if not query:
            self.add_error("account_query", "Who said it? Pick an account, or add a new prospect.")
            return
        # Without JavaScript the rep types the name; an exact name or domain is enough.
        matches = list(Account.objects.filter(Q(name__iexact=query) | Q(domain__iexact=query))[:2])
        if len(matches) == 1:
            data["account"] = matches[0]
        else:
            self.add_error(
                "account_query",
                f"No single account is called “{query}”: pick one from the list, "
                "or add it as a new prospect.",
            )


# Triage forms: a PM's decisions. Each maps onto one service.


class IdeaEditForm(forms.Form):
    title = forms.CharField(
        max_length=140,
        min_length=8,
        strip=True,
        error_messages=IdeaForm.base_fields["title"].error_messages,
    )
    body = forms.CharField(
        label="Description",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="No category"
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )

    def clean_title(self) -> str:
        title = reject_control_characters(self.cleaned_data["title"], allow_newlines=False)
        return " ".join(title.split())

    def clean_body(self) -> str:
        return reject_control_characters(self.cleaned_data["body"], allow_newlines=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    explanation = forms.CharField(
        label="Public explanation",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the idea page and sent to its followers. Required to decline.",
    )

    def clean_explanation(self) -> str:
        return reject_control_characters(self.cleaned_data["explanation"], allow_newlines=True)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == Status.DECLINED and not data.get("explanation", "").strip():
            self.add_error(
                "explanation",
                "Explain why the idea is declined: the people who asked will read it.",
            )
        return data


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=["pm", "admin"], is_active=True),
        required=False,
        empty_label="Nobody",
    )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices)


class InputsForm(forms.Form):
    effort = forms.DecimalField(
        label="Effort (person-weeks)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("9999"),
        max_digits=5,
        decimal_places=1,
    )
    strategic_fit = forms.IntegerField(
        label="Strategic fit (0–5)", required=False, min_value=0, max_value=5
    )


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Idea.objects.listed(),
        error_messages={"invalid_choice": "That idea no longer exists or was merged itself."},
    )


class RouteForm(forms.Form):
    idea = forms.ModelChoiceField(
        queryset=Idea.objects.listed(),
        error_messages={"invalid_choice": "That idea no longer exists or was merged."},
    )


class SignalIdeaForm(forms.Form):
    title = forms.CharField(label="New idea title", max_length=140, min_length=8, strip=True)
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="No category"
    )

    def clean_title(self) -> str:
        title = reject_control_characters(self.cleaned_data["title"], allow_newlines=False)
        return " ".join(title.split())


class PreferencesForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label="Email me about ideas I follow",
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )


class ReleaseNoteForm(forms.Form):
    title = forms.CharField(max_length=140, min_length=3, strip=True)
    body = forms.CharField(
        label="What shipped",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. Followers of the linked ideas get it by email.",
    )
    ideas = forms.ModelMultipleChoiceField(
        label="Shipped ideas",
        queryset=Idea.objects.listed()
        .filter(status=Status.SHIPPED)
        .order_by("-status_changed_at"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_title(self) -> str:
        return reject_control_characters(self.cleaned_data["title"], allow_newlines=False)

    def clean_body(self) -> str:
        return reject_control_characters(self.cleaned_data["body"], allow_newlines=True)
