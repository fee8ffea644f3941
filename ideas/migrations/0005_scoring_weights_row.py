from django.db import migrations


def create_weights(apps, schema_editor):
    apps.get_model("ideas", "ScoringWeights").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("ideas", "0004_scoring_and_notifications")]

    operations = [migrations.RunPython(create_weights, migrations.RunPython.noop)]
