from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "spool.posts"
    label = "posts"
