
import django.db.models.deletion
import neighbourhoods.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('neighbourhoods', '0003_address_keys_byte_order'),
    ]

    operations = [
        migrations.CreateModel(
            name='Postcode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('postcode', neighbourhoods.models.AsciiCodeField(editable=False, max_length=6, unique=True, verbose_name='postcode')),
                ('woonplaats', models.CharField(blank=True, editable=False, max_length=80, verbose_name='place')),
                ('gemeente_code', models.CharField(blank=True, editable=False, max_length=6, verbose_name='municipality code')),
                ('gemeente_name', models.CharField(blank=True, editable=False, max_length=100, verbose_name='municipality')),
                ('lat', models.FloatField(editable=False, verbose_name='latitude')),
                ('lon', models.FloatField(editable=False, verbose_name='longitude')),
                ('buurt', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='postcodes', to='neighbourhoods.buurt', verbose_name='buurt')),
                ('near_buurt', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='nearby_postcodes', to='neighbourhoods.buurt', verbose_name='nearby buurt')),
            ],
            options={
                'verbose_name': 'postcode',
                'verbose_name_plural': 'postcodes',
                'ordering': ['postcode'],
            },
        ),
    ]
