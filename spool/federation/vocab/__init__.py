"""Typed ActivityStreams 2.0 objects: what Spool reads from other servers (``from_json``, lenient about the
many shapes servers send, strict about what it relies on) and the JSON-LD context it writes."""

from spool.federation.vocab.actor import Actor
from spool.federation.vocab.base import CONTEXT, VocabError, as_list, id_of, is_public
from spool.federation.vocab.note import Attachment, Note, html_to_text

__all__ = [
    "CONTEXT",
    "Actor",
    "Attachment",
    "Note",
    "VocabError",
    "as_list",
    "html_to_text",
    "id_of",
    "is_public",
]
