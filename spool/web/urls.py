"""The web pages. Handles appear as ``/@handle``; everything a logged-out visitor may read works without
JavaScript, and every button is a form that htmx upgrades to a partial swap."""

from django.urls import path

from spool.web.views import (
    auth,
    compose,
    feeds,
    health,
    messages,
    moderation,
    notifications,
    oauth,
    posts,
    profile,
    reports,
    settings,
)

app_name = "web"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Auth
    path("signup", auth.signup, name="signup"),
    path("login", auth.login_view, name="login"),
    path("logout", auth.logout_view, name="logout"),
    # Feeds and the composer
    path("", feeds.home, name="home"),
    path("new", feeds.new, name="new"),
    path("topic/<str:name>", feeds.topic, name="topic"),
    path("compose", compose.compose, name="compose"),
    # Profiles and posts
    path("@<str:handle>", profile.profile, name="profile"),
    path("@<str:handle>/relationship", profile.relationship_action, name="relationship"),
    path("@<str:handle>/post/<int:post_id>", posts.thread, name="post"),
    path("@<str:handle>/post/<int:post_id>/edit", posts.edit, name="post_edit"),
    path("@<str:handle>/post/<int:post_id>/history", posts.history, name="post_history"),
    path("@<str:handle>/post/<int:post_id>/delete", posts.delete, name="post_delete"),
    path("@<str:handle>/post/<int:post_id>/vote", posts.vote, name="post_vote"),
    path("@<str:handle>/post/<int:post_id>/<slug:action>", posts.post_action, name="post_action"),
    # Settings, follow requests, notifications
    path("settings/profile", settings.profile_settings, name="settings_profile"),
    path("settings/account", settings.account_settings, name="settings_account"),
    path("settings/account/deactivate", settings.deactivate, name="settings_deactivate"),
    path("settings/account/delete", settings.delete, name="settings_delete"),
    path("follow-requests", notifications.follow_requests, name="follow_requests"),
    path("follow-requests/@<str:handle>", notifications.answer_follow_request, name="follow_request_answer"),
    path("notifications", notifications.notifications, name="notifications"),
    path("notifications/read", notifications.mark_all_read, name="notifications_read"),
    # Direct messages
    path("messages", messages.inbox, name="messages"),
    path("messages/new", messages.start, name="messages_start"),
    path("messages/settings", messages.settings, name="messages_settings"),
    path("messages/<int:conversation_id>", messages.conversation, name="conversation"),
    path("messages/<int:conversation_id>/send", messages.send, name="messages_send"),
    path("messages/<int:conversation_id>/after/<int:message_id>", messages.after, name="messages_after"),
    path(
        "messages/<int:conversation_id>/<slug:action>",
        messages.conversation_action,
        name="conversation_action",
    ),
    path("messages/m/<int:message_id>", messages.message, name="message"),
    path("messages/m/<int:message_id>/<slug:action>", messages.message_action, name="message_action"),
    # Reports, notices and appeals; the moderators' pages (404 without a role)
    path("report/<slug:kind>/<str:ref>", reports.report, name="report"),
    path("notices", reports.notices, name="notices"),
    path("notices/<int:action_id>", reports.notice, name="notice"),
    path("suspended/<int:action_id>", reports.suspended, name="suspended_notice"),
    path("moderation", moderation.queue_page, name="moderation"),
    path("moderation/appeals", moderation.appeals_page, name="moderation_appeals"),
    path("moderation/appeals/<int:appeal_id>", moderation.decide, name="moderation_decide"),
    path("moderation/log", moderation.log_page, name="moderation_log"),
    path("moderation/<slug:kind>/<int:target_id>", moderation.target_page, name="moderation_target"),
    path("moderation/<slug:kind>/<int:target_id>/act", moderation.act, name="moderation_act"),
    # OAuth: the consent page, out-of-band codes, and the apps holding tokens
    path("oauth/authorize", oauth.authorize, name="oauth_authorize"),
    path("oauth/authorize/native", oauth.native_code, name="oauth_native"),
    path("settings/apps", oauth.apps_settings, name="settings_apps"),
    path("settings/apps/<int:application_id>/revoke", oauth.revoke_app, name="settings_app_revoke"),
]
