"""Forms of the web pages: they parse and redisplay what was typed; the services decide what is valid.

Fields are deliberately lenient (no lengths, no required flags) so that the message beside a field is the
service's own message — the same one the API returns — and not a second, drifting copy of the rules. A
``SpoolError`` raised by a service is attached to the field it names with :func:`add_service_error`.
"""

from __future__ import annotations

from django import forms

from spool.core.errors import SpoolError

REPLY_CONTROL_CHOICES = [
    ("everyone", "Anyone"),
    ("accounts_you_follow", "Profiles you follow"),
    ("mentioned_only", "Profiles you mention"),
    ("followers_only", "Your followers"),
    ("parent_post_author_only", "Only the author of the post you reply to"),
]

POLL_OPTION_FIELDS = ("poll_option_1", "poll_option_2", "poll_option_3", "poll_option_4")
MAX_PROFILE_LINKS = 5


def _text(label: str = "", **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=False, widget=forms.TextInput(attrs=attrs))


def add_service_error(form: forms.Form, error: SpoolError, aliases: dict[str, str] | None = None) -> None:
    """Show ``error.message`` beside the field it names (through ``aliases`` when the service's field name
    differs from the form's), or above the form when it names none the form has."""
    field = error.field or ""
    field = (aliases or {}).get(field, field)
    if field.startswith(("links", "poll_options")) and field not in form.fields:
        field = field.split(".")[0].split("[")[0]
        field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, error.message)


class SignupForm(forms.Form):
    email = forms.CharField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    handle = forms.CharField(
        label="Handle",
        required=False,
        help_text="Up to 30 letters, digits, underscores and periods.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    display_name = forms.CharField(
        label="Display name", required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    birth_date = forms.CharField(
        label="Date of birth",
        required=False,
        help_text="Never shown. Under 18: your profile starts private and strangers can't message you.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )
    invite = forms.CharField(label="Invite code", required=False)


class BirthDateForm(forms.Form):
    birth_date = forms.CharField(
        label="Date of birth",
        required=False,
        help_text="Never shown. Under 18, your profile is private and people you don't follow can't "
        "message you.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )


class LoginForm(forms.Form):
    email = forms.CharField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ComposeForm(forms.Form):
    """Every post option. ``text`` may hold ``||spoiler||`` markers; ``attachment_text`` style markers."""

    text = forms.CharField(
        label="Text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Start a thread…", "data-count-limit": "500"}),
    )
    topic = forms.CharField(
        label="Topic",
        required=False,
        help_text="One topic, up to 50 characters, without '.' or '&'. A #tag in the text works too.",
    )
    reply_control = forms.ChoiceField(
        label="Who can reply", choices=REPLY_CONTROL_CHOICES, required=False, initial="everyone"
    )
    ghost = forms.BooleanField(label="Ghost post (disappears after 24 hours)", required=False)
    media_spoiler = forms.BooleanField(label="Mark media as spoiler", required=False)
    alt_texts = forms.CharField(
        label="Alt text",
        required=False,
        strip=False,
        help_text="One line per image, in the order you picked them.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    poll_option_1 = _text("Option 1")
    poll_option_2 = _text("Option 2")
    poll_option_3 = _text("Option 3 (optional)")
    poll_option_4 = _text("Option 4 (optional)")
    attachment_text = forms.CharField(
        label="Text attachment",
        required=False,
        strip=False,
        help_text=(
            "Up to 10,000 characters. **bold**, //italic//, __underline__, ~~strikethrough~~, ==highlight==."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput)
    quote_of = forms.CharField(required=False, widget=forms.HiddenInput)

    ERROR_ALIASES = {
        "spoilers": "text",
        "poll_options": "poll_option_1",
        "poll": "poll_option_1",
        "media_ids": "media",
        "media": "media",
        "alt_text": "alt_texts",
        "attachment_styles": "attachment_text",
        "reply_to_id": "text",
        "quote_of_id": "text",
        "links": "text",
        "mentions": "text",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self["reply_to"].value():
            self.fields["text"].widget.attrs["placeholder"] = "Write a reply…"
        # The upload itself is read from request.FILES (several files); this field only carries its errors.
        self.fields["media"] = forms.CharField(label="Images", required=False)

    def poll_options(self) -> list[str] | None:
        options = [self.cleaned_data.get(name) or "" for name in POLL_OPTION_FIELDS]
        filled = [option for option in options if option.strip()]
        return filled or None


class EditPostForm(forms.Form):
    text = ComposeForm.base_fields["text"]
    topic = ComposeForm.base_fields["topic"]
    media_spoiler = ComposeForm.base_fields["media_spoiler"]
    attachment_text = ComposeForm.base_fields["attachment_text"]

    ERROR_ALIASES = ComposeForm.ERROR_ALIASES


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Display name", required=False)
    bio = forms.CharField(
        label="Bio",
        required=False,
        strip=False,
        help_text="Up to 150 characters.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_private = forms.BooleanField(
        label="Private profile (people must ask to follow you; only followers see your posts)", required=False
    )
    # The upload is read from request.FILES and checked by the service; this field only carries its errors.
    avatar = forms.CharField(label="Avatar", required=False)
    remove_avatar = forms.BooleanField(label="Remove the current avatar", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for i in range(1, MAX_PROFILE_LINKS + 1):
            self.fields[f"link_{i}"] = forms.CharField(
                label=f"Link {i}", required=False, widget=forms.URLInput(attrs={"placeholder": "https://"})
            )
        self.fields["links"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def links(self) -> list[str]:
        values = [(self.cleaned_data.get(f"link_{i}") or "").strip() for i in range(1, MAX_PROFILE_LINKS + 1)]
        return [value for value in values if value]

    def link_fields(self) -> list[forms.BoundField]:
        return [self[f"link_{i}"] for i in range(1, MAX_PROFILE_LINKS + 1)]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


REASON_CHOICES = [
    ("spam", "Spam"),
    ("abuse", "Abuse or harassment"),
    ("hate", "Hate speech or symbols"),
    ("violence", "Violence or threats"),
    ("self_harm", "Self-harm or suicide"),
    ("nudity", "Nudity or sexual content"),
    ("misinformation", "False information"),
    ("illegal", "Something illegal"),
    ("other", "Something else"),
]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="Why are you reporting this?", choices=REASON_CHOICES, required=False,
                               widget=forms.RadioSelect)  # fmt: skip
    comment = forms.CharField(
        label="Anything else moderators should know? (optional)",
        required=False,
        strip=False,
        help_text="Up to 1,000 characters.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "1000"}),
    )


class NoteForm(forms.Form):
    """A moderator's note to the person, or a person's appeal."""

    text = forms.CharField(
        label="Note",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "1000"}),
    )


def _password(label: str = "Your password", autocomplete: str = "current-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _code(label: str = "Code from your app") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"}
        ),
    )


class TwoFactorCodeForm(forms.Form):
    code = _code("Code from your authenticator app, or a recovery code")


class TwoFactorConfirmForm(forms.Form):
    code = _code()


class TwoFactorDisableForm(forms.Form):
    password = _password()
    code = _code("Code from your app, or a recovery code")


class PasswordOnlyForm(forms.Form):
    password = _password()


class PasswordResetRequestForm(forms.Form):
    email = forms.CharField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class NewPasswordForm(forms.Form):
    password = _password("New password", "new-password")


class EmailChangeForm(forms.Form):
    new_email = forms.CharField(
        label="New email address", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = _password()


class InviteForm(forms.Form):
    max_uses = forms.CharField(label="Uses", required=False, initial="1")
    expires_in_days = forms.CharField(
        label="Expires after (days, empty for never)", required=False, initial="7"
    )
