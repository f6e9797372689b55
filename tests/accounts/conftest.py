from tests.identities.people import person

__all__ = ["person"]
