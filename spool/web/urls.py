"""The web pages. Handles appear as ``/@handle``; everything a logged-out visitor may read works without
JavaScript, and every button is a form that htmx upgrades to a partial swap."""

from django.urls import path

from spool.web.views import (
    auth,
    communities,
    compose,
    custom_feeds,
    discovery,
    feeds,
    for_you,
    health,
    hidden_words,
    messages,
    moderation,
    notifications,
    oauth,
    posts,
    profile,
    reports,
    rollout_flags,
    search,
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
    path("topic/<str:name>/<slug:action>", for_you.topic_follow, name="topic_follow"),
    path("for-you", for_you.for_you, name="for_you"),
    path("for-you/feedback/<int:post_id>", for_you.feedback, name="for_you_feedback"),
    path("compose", compose.compose, name="compose"),
    # Custom feeds
    path("feeds", custom_feeds.index, name="feeds"),
    path("feeds/new", custom_feeds.new, name="feed_new"),
    path("feeds/default", custom_feeds.choose_default, name="feed_default"),
    path("feeds/from-search", custom_feeds.from_search, name="feed_from_search"),
    path("feeds/<int:feed_id>", custom_feeds.feed, name="feed"),
    path("feeds/<int:feed_id>/edit", custom_feeds.edit, name="feed_edit"),
    path("feeds/<int:feed_id>/<slug:name>", custom_feeds.action, name="feed_action"),
    # Explore (trending and highlights) and communities
    path("explore", discovery.explore, name="explore"),
    path("explore/report", discovery.report_topic, name="explore_report"),
    path("explore/hide", discovery.hide_topic, name="explore_hide"),
    path("communities", communities.directory, name="communities"),
    path("c/<slug:slug>", communities.community, name="community"),
    path("c/<slug:slug>/<slug:action>", communities.community_action, name="community_action"),
    path("search", search.search, name="search"),
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
    path("settings/for-you", for_you.settings, name="settings_for_you"),
    path(
        "settings/for-you/dear-algo/<int:request_id>/revoke",
        for_you.revoke_request,
        name="settings_dear_algo_revoke",
    ),
    path("settings/account", settings.account_settings, name="settings_account"),
    path("settings/account/birth-date", settings.birth_date, name="settings_birth_date"),
    path("settings/account/deactivate", settings.deactivate, name="settings_deactivate"),
    path("settings/account/delete", settings.delete, name="settings_delete"),
    path("settings/hidden-words", hidden_words.hidden_words, name="settings_hidden_words"),
    path(
        "settings/hidden-words/<int:keyword_id>/remove",
        hidden_words.remove_hidden_word,
        name="settings_hidden_word_remove",
    ),
    path("settings/hidden-words/default", hidden_words.default_list, name="settings_hidden_words_default"),
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
    path("moderation/flags", rollout_flags.flags_page, name="moderation_flags"),
    path("moderation/flags/<slug:name>", rollout_flags.flag_page, name="moderation_flag"),
    path("moderation/<slug:kind>/<int:target_id>", moderation.target_page, name="moderation_target"),
    path("moderation/<slug:kind>/<int:target_id>/act", moderation.act, name="moderation_act"),
    # OAuth: the consent page, out-of-band codes, and the apps holding tokens
    path("oauth/authorize", oauth.authorize, name="oauth_authorize"),
    path("oauth/authorize/native", oauth.native_code, name="oauth_native"),
    path("settings/apps", oauth.apps_settings, name="settings_apps"),
    path("settings/apps/<int:application_id>/revoke", oauth.revoke_app, name="settings_app_revoke"),
]
