from django.utils import translation

from cartable.core.templatetags.sizes import size


def test_sizes_in_decimal_units():
    with translation.override("en"):
        assert size(1) == "1 byte"
        assert size(999) == "999 bytes"
        assert size(46_900) == "46.9\u00a0kB"
        assert size(100 * 1000**3) == "100\u00a0GB"
    with translation.override("fr"):
        assert size(2_300_000) == "2,3\u00a0Mo"
        assert size("") == ""
