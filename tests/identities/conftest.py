from tests.identities.people import fast_passwords, person

__all__ = ["fast_passwords", "person"]
