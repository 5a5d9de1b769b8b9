from __future__ import annotations

import json
import logging

from mentornet_common.telemetry import JsonFormatter, current_tenant, current_traceparent, tracer


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("mentornet.test", logging.INFO, __file__, 1, message, (), None)


def test_log_lines_are_json_with_trace_id_and_tenant() -> None:
    formatter = JsonFormatter("identity")
    token = current_tenant.set("org_a")
    try:
        with tracer("test").start_as_current_span("request") as span:
            line = json.loads(formatter.format(record("hello")))
    finally:
        current_tenant.reset(token)
    assert line["message"] == "hello"
    assert line["service"] == "identity"
    assert line["tenant"] == "org_a"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")


def test_outside_a_span_and_a_tenant_the_line_says_neither() -> None:
    line = json.loads(JsonFormatter("identity").format(record("idle")))
    assert "trace_id" not in line and "tenant" not in line


def test_the_traceparent_names_the_active_span() -> None:
    assert current_traceparent() is None
    with tracer("test").start_as_current_span("request") as span:
        traceparent = current_traceparent()
    assert traceparent is not None
    assert traceparent.split("-")[2] == format(span.get_span_context().span_id, "016x")
