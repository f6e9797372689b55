from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "spool.timelines"
    label = "timelines"

    def ready(self) -> None:
        from spool.posts import timelines as post_lists
        from spool.timelines import handlers, home

        handlers.connect()
        post_lists.set_home_reader(home.home_page)
