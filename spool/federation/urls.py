from django.urls import path

from spool.federation import views

app_name = "federation"

urlpatterns = [
    path(".well-known/webfinger", views.webfinger_view, name="webfinger"),
    path(".well-known/host-meta", views.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/<str:version>", views.nodeinfo_document, name="nodeinfo"),
    path("ap/actor", views.site_actor, name="site_actor"),
    path("ap/inbox", views.inbox, name="shared_inbox"),
    path("ap/accounts/<int:account_id>", views.actor, name="actor"),
    path("ap/accounts/<int:account_id>/inbox", views.inbox, name="inbox"),
    path(
        "ap/accounts/<int:account_id>/<str:kind>",
        views.actor_collection,
        name="collection",
    ),
    path("ap/posts/<int:post_id>", views.post_object, name="post"),
]
