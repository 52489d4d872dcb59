import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from cartable.core.models import Shareable
from cartable.core.permissions import ability_table


class SampleThing(Shareable):
    """A concrete shareable thing, for the permission tests only."""

    title = models.CharField(max_length=50, default="thing")

    class Meta:
        app_label = "core"

    ABILITIES = ability_table(
        viewer=["view"],
        commenter=["comment"],
        editor=["edit"],
        manager=["share", "delete"],
        owner=["transfer"],
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(SampleThing)
    with django_db_blocker.unblock():
        # Committed once, so that the content-type cache never points at a rolled-back row.
        ContentType.objects.get_for_model(SampleThing)
    yield
