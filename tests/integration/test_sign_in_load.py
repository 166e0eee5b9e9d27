"""A flood of sign-ins neither starves other requests nor eats the memory (a real server)."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest

from crm_pwa.api.app import MAX_BODY_BYTES
from tests.utils.api_server import RunningApi, running_api
from tests.utils.app_server import PASSWORD, REP

PARALLEL_SIGN_INS = 16


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    with running_api(tmp_path_factory.mktemp("api")) as running:
        yield running


def _token(api: RunningApi) -> str:
    answer = httpx.post(
        f"{api.url}/api/v1/auth/token", json={"email": REP, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _memory(pid: int) -> int:
    server = psutil.Process(pid)
    return server.memory_info().rss + sum(
        child.memory_info().rss for child in server.children(recursive=True)
    )


def _p90(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=10)[-1]


def _ms(seconds: list[float]) -> list[int]:
    return [round(value * 1000) for value in seconds]


def test_other_requests_answer_within_100_ms_when_16_sign_ins_arrive_at_once(
    api: RunningApi,
) -> None:
    headers = {"Authorization": f"Bearer {_token(api)}"}
    start = threading.Barrier(PARALLEL_SIGN_INS + 1)

    def sign_in(number: int) -> httpx.Response:
        start.wait()
        return httpx.post(
            f"{api.url}/api/v1/auth/token",
            json={"email": f"nobody{number}@example.com", "password": "a wrong guess"},
            timeout=60,
        )

    def timed(probe: httpx.Client) -> float:
        began = time.perf_counter()
        assert probe.get("/api/v1/me").status_code == 200
        return time.perf_counter() - began

    probes: list[float] = []
    peak = _memory(api.pid)
    with httpx.Client(base_url=api.url, headers=headers, timeout=10) as probe:
        quiet = [timed(probe) for _ in range(20)]
        with ThreadPoolExecutor(max_workers=PARALLEL_SIGN_INS) as pool:
            answers = [pool.submit(sign_in, number) for number in range(PARALLEL_SIGN_INS)]
            start.wait()
            while not all(answer.done() for answer in answers):
                probes.append(timed(probe))
                peak = max(peak, _memory(api.pid))
                time.sleep(0.05)
        quiet += [timed(probe) for _ in range(20)]
    codes = sorted(answer.result().status_code for answer in answers)
    assert set(codes) <= {401, 503} and 401 in codes
    for answer in answers:
        if answer.result().status_code == 503:
            assert int(answer.result().headers["Retry-After"]) > 0
    assert len(probes) >= 5
    figures = f"probes {_ms(probes)}, quiet {_ms(quiet)}, load {os.getloadavg()}"
    # The figure: the typical request answers within 100 ms during the flood.
    assert statistics.median(probes) < 0.100, figures
    # None waits behind hashing: one queued behind the sign-ins waited seconds.
    assert max(probes) < 1.0, figures
    # Nine in ten within 100 ms too, as far as the machine allows: when other work
    # on it (a shared 2-core test machine) already delays the quiet probes past
    # that, the flood may add at most 100 ms to their 90th percentile.
    allowed = max(0.100, _p90(quiet) + 0.100)
    assert _p90(probes) < allowed, figures
    assert peak < 600 * 1024 * 1024, f"server memory peaked at {peak // 2**20} MiB"


def test_chunked_upload_gets_413_when_it_outgrows_the_limit_on_a_real_server(
    api: RunningApi,
) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"items": ['
        for _ in range(MAX_BODY_BYTES // (1024 * 1024) + 2):
            yield b" " * (1024 * 1024)
        yield b"]}"

    answer = httpx.post(
        f"{api.url}/api/v1/sync",
        content=body(),
        headers={"Authorization": f"Bearer {_token(api)}", "content-type": "application/json"},
        timeout=60,
    )
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert answer.json()["detail"] == "Request body too large: send at most 12 MiB at once."
