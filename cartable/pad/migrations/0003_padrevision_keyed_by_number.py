"""Pad revisions keyed by (pad, revision number), without the indexes no query uses.

Django cannot turn a table's single-column primary key into a composite one: the revisions are
copied into a new table, which then takes the old one's name.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = 'pad_id, rev, "update", created_at, author_id'


class Migration(migrations.Migration):
    dependencies = [("pad", "0002_padimage")]

    operations = [
        migrations.CreateModel(
            name="PadRevisionByNumber",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "pad", "rev", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("rev", models.PositiveBigIntegerField()),
                ("update", models.BinaryField()),
                ("created_at", models.DateTimeField()),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="pad.padauthor",
                    ),
                ),
                (
                    "pad",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="pad.pad",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(
            f"INSERT INTO pad_padrevisionbynumber ({COLUMNS}) SELECT {COLUMNS} FROM pad_padrevision",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.DeleteModel(name="PadRevision"),
        migrations.RenameModel(old_name="PadRevisionByNumber", new_name="PadRevision"),
        migrations.AlterField(
            model_name="padrevision",
            name="pad",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="revisions",
                to="pad.pad",
            ),
        ),
    ]
