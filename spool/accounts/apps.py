from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "spool.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spool.accounts.sessions import note_signed_in

        # Django's own hook for "a session began" (its update_last_login uses it too): every way of signing
        # in — the sign-in form, the two-factor step, sign-up, the API — passes through django.contrib.auth's
        # login(), so Settings → Sessions lists them all without each front door remembering to.
        user_logged_in.connect(note_signed_in, dispatch_uid="spool.accounts.note_signed_in")
