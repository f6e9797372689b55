"""Spool's default hidden words: slurs and abusive terms hidden for everyone who has not switched the list
off (``Account.hide_offensive_words``). Matched as whole words, case-insensitively. Kept deliberately short
and unambiguous (no words with common innocent meanings); operators extend it here."""

DEFAULT_OFFENSIVE_WORDS: tuple[str, ...] = (
    "chink",
    "coon",
    "dyke",
    "fag",
    "faggot",
    "gook",
    "kike",
    "nigger",
    "niggers",
    "faggots",
    "kikes",
    "retard",
    "retards",
    "spic",
    "tranny",
    "wetback",
    "kill yourself",
    "kys",
)
