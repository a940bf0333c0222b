"""The bench's reading of wrk's report and its ratio table (bench/wrk.py, bench/report.py)."""
from __future__ import annotations

import pytest

from bench.report import FAIL, NO_DATA, PASS, Row, Target, format_markdown, format_table, no_data, slower, summary
from bench.wrk import WrkOutputError, duration_ms, lua_literal, parse_wrk

WRK_OK = """Running 2s test @ http://127.0.0.1:18765/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.38ms   10.14ms  86.48ms   92.15%
    Req/Sec   498.98    161.17     0.86k    60.00%
  Latency Distribution
     50%    3.37ms
     75%    5.78ms
     90%   12.62ms
     99%   58.24ms
  2004 requests in 2.02s, 4.78MB read
Requests/sec:    991.42
Transfer/sec:      2.36MB
"""

WRK_ERRORS = """Running 10s test @ http://127.0.0.1:40000/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02s   200.00ms   1.50s    70.00%
    Req/Sec     3.00      1.00     5.00     80.00%
  Latency Distribution
     50%  718.00us
     75%    1.00s
     90%    1.20s
     99%    1.50m
  61 requests in 10.01s, 120.00KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:      6.09
Transfer/sec:     11.99KB
BENCH saved=50
BENCH conflicts=2
"""


def test_parse_wrk_reads_rate_latencies_and_counts():
    result = parse_wrk(WRK_OK)
    assert result.requests == 2004
    assert result.duration_s == pytest.approx(2.02)
    assert result.requests_per_s == pytest.approx(991.42)
    assert result.latency_avg_ms == pytest.approx(6.38)
    assert result.latency_ms == {50: 3.37, 75: 5.78, 90: 12.62, 99: 58.24}
    assert result.errors == 0 and result.socket_errors == {} and result.extra == {}


def test_parse_wrk_counts_non_2xx_3xx_socket_errors_and_script_lines():
    result = parse_wrk(WRK_ERRORS)
    assert result.latency_avg_ms == pytest.approx(1020)
    assert result.latency_ms[50] == pytest.approx(0.718)
    assert result.latency_ms[99] == pytest.approx(90000)
    assert result.non_2xx_3xx == 4
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert result.errors == 9
    assert result.extra == {"saved": "50", "conflicts": "2"}


def test_parse_wrk_refuses_output_without_figures():
    with pytest.raises(WrkOutputError):
        parse_wrk("unable to connect to 127.0.0.1:9 Connection refused\n")
    with pytest.raises(WrkOutputError):
        duration_ms("12 parsecs")


def test_lua_literal_quotes_strings_and_nests():
    assert lua_literal({"path": '/a"b', "ids": [1, 2], "ok": True}) == \
        '{["path"] = "/a\\"b", ["ids"] = {1, 2}, ["ok"] = true}'


def test_rows_pass_fail_and_no_data():
    page = Row("pages", "national round view", "200.0 req/s", "400.0 req/s", slower(200, 400), Target(3))
    slow = Row("pages", "comparison", "50.0 req/s", "400.0 req/s", slower(50, 400), Target(3))
    saves = Row("saves", "save", "60 req/s", "100 req/s", 0.6, Target(0.5, at_most=False), extra_ok=False,
                note="3 errors")
    size = Row("HTML size", "facility list", "151.0 KB", "-", 151.0, Target(150, unit=" KB"))
    missing = no_data("pages", "plan")
    assert [r.verdict for r in (page, slow, saves, size, missing)] == [PASS, FAIL, FAIL, FAIL, NO_DATA]
    assert page.ratio_text == "2.00×" and size.ratio_text == "151.0 KB"
    assert str(Target(0.5, at_most=False)) == "≥ 0.5×"


def test_table_lists_every_row_under_its_section():
    rows = [Row("pages", "national round view", "100.0 req/s", "400.0 req/s", 4.0, Target(3)),
            no_data("pages", "allocation"),
            Row("PDF", "assessment PDF", "300 ms", "200 ms", 1.5, Target(2))]
    text = format_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["operation", "app", "baseline", "ratio", "target", "result"]
    assert "[pages]" in lines and "[PDF]" in lines
    national = next(line for line in lines if line.startswith("national round view"))
    assert "4.00×" in national and "≤ 3×" in national and national.endswith(FAIL)
    assert next(line for line in lines if line.startswith("allocation")).endswith(NO_DATA)
    assert "| PDF | assessment PDF | 300 ms | 200 ms | 1.50× | ≤ 2× | pass |" in format_markdown(rows)
    assert summary(rows) == "1 pass, 1 fail, 1 no data, 0 for information"
