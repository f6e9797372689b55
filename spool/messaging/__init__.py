"""Direct messages: conversations, memberships, messages, reactions, requests and folders."""
