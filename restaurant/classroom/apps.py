from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    """The course's own app: nothing the restaurant needs, everything the notebooks look at."""

    name = "restaurant.classroom"
    label = "classroom"

    def ready(self):
        from . import trail
        trail.connect()
