"""ActivityPub federation: Spool's front door for other servers (see ``docs/federation.md``)."""
