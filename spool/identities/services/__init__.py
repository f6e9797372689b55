"""The write path for accounts, profiles and the social graph (see the module of each group).

Everything here validates its input, runs in a transaction and publishes events; presentation layers call
these functions and never write models themselves.
"""

from spool.identities.services.discovery import familiar_followers, search_accounts
from spool.identities.services.graph import (
    FollowOutcome,
    FollowResult,
    approve_follow_request,
    block_account,
    decline_follow_request,
    follow_account,
    follow_account_outcome,
    is_following,
    mute_account,
    remove_follower,
    restrict_account,
    unblock_account,
    unfollow_account,
    unmute_account,
    unrestrict_account,
    withdraw_follow_request,
)
from spool.identities.services.lifecycle import (
    SIGN_IN_LIMIT,
    SIGN_UP_LIMIT,
    AccountSuspended,
    authenticate_account,
    deactivate_account,
    delete_account,
    reactivate_account,
    register_account,
    set_birth_date,
    set_verified,
)
from spool.identities.services.profile import remove_avatar, set_avatar, update_profile

__all__ = [
    "SIGN_IN_LIMIT",
    "SIGN_UP_LIMIT",
    "AccountSuspended",
    "FollowOutcome",
    "FollowResult",
    "approve_follow_request",
    "authenticate_account",
    "block_account",
    "deactivate_account",
    "decline_follow_request",
    "delete_account",
    "familiar_followers",
    "follow_account",
    "follow_account_outcome",
    "is_following",
    "mute_account",
    "reactivate_account",
    "register_account",
    "remove_avatar",
    "remove_follower",
    "restrict_account",
    "search_accounts",
    "set_avatar",
    "set_birth_date",
    "set_verified",
    "unblock_account",
    "unfollow_account",
    "unmute_account",
    "unrestrict_account",
    "update_profile",
    "withdraw_follow_request",
]
