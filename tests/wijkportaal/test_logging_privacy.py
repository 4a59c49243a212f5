"""No log line holds a resident's address, not even the development server's request log."""

import logging

from django.conf import settings

from wijkportaal.logs import DropQueryStringFilter


def server_record(request_line: str) -> logging.LogRecord:
    return logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', (request_line, "200", "512"), None
    )


def test_the_request_line_loses_its_query_string():
    record = server_record("GET /api/v1/lookup?postcode=6411NH&huisnummer=13 HTTP/1.1")
    assert DropQueryStringFilter().filter(record)
    assert record.getMessage() == '"GET /api/v1/lookup HTTP/1.1" 200 512'


def test_a_request_without_a_query_string_is_untouched():
    record = server_record("GET /wijkagent/anna-voorbeeld/ HTTP/1.1")
    DropQueryStringFilter().filter(record)
    assert record.getMessage() == '"GET /wijkagent/anna-voorbeeld/ HTTP/1.1" 200 512'


def test_the_development_server_logger_uses_the_filter():
    logger = settings.LOGGING["loggers"]["django.server"]
    filters = {
        name
        for handler in logger["handlers"]
        for name in settings.LOGGING["handlers"][handler]["filters"]
    }
    assert "no_query_string" in filters
    configured = logging.getLogger("django.server").handlers
    assert any(
        isinstance(f, DropQueryStringFilter) for handler in configured for f in handler.filters
    )
