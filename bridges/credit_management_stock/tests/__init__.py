from . import test_delivery_checkpoint, test_delivery_release, test_translations
