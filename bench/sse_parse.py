"""SSE throughput of pycodex-model-client and time to first request.

Run: `uv run python bench/sse_parse.py [--events N]`. Prints events/s for the parser alone, the parser plus event
decoding, the full client against the scripted server on 127.0.0.1, and the warm time to first request.
"""

from __future__ import annotations

import argparse
import statistics
import time

import anyio

from pycodex_config import ModelProviderInfo
from pycodex_model_client import Completed, ModelClient
from pycodex_model_client._responses import ResponsesDecoder
from pycodex_model_client._sse import SseParser
from pycodex_test_support import ScriptedServer, encode_responses_event, ev_completed, ev_output_text_delta, sse_turn


def long_stream(n: int) -> list[dict[str, object]]:
    return [*(ev_output_text_delta(f"tok{i} ") for i in range(n)), ev_completed("r")]


def bench_parser(n: int) -> tuple[float, float]:
    body = b"".join(encode_responses_event(e) for e in long_stream(n))
    chunks = [body[i : i + 16384] for i in range(0, len(body), 16384)]
    t0 = time.perf_counter()
    parser = SseParser()
    count = sum(len(parser.feed(c)) for c in chunks)
    parse_only = count / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    parser, decoder = SseParser(), ResponsesDecoder()
    count = 0
    for c in chunks:
        for _, data in parser.feed(c):
            decoder.decode(data)
            count += 1
    return parse_only, count / (time.perf_counter() - t0)


async def bench_client(n: int, rounds: int) -> float:
    rates: list[float] = []
    with ScriptedServer([sse_turn(long_stream(n)) for _ in range(rounds)]) as server:
        provider = ModelProviderInfo(name="mock", base_url=server.base_url)
        async with ModelClient(provider, thread_id="bench") as client:
            for _ in range(rounds):
                count = 0
                t0 = time.perf_counter()
                async for event in client.stream({"model": "gpt-5.5", "input": []}):
                    count += 1
                    if isinstance(event, Completed):
                        break
                rates.append(count / (time.perf_counter() - t0))
    return statistics.median(rates)


async def bench_first_request(rounds: int) -> tuple[float, float]:
    to_request: list[float] = []
    to_done: list[float] = []
    with ScriptedServer([sse_turn([ev_completed("r")]) for _ in range(rounds)]) as server:
        provider = ModelProviderInfo(name="mock", base_url=server.base_url)
        for i in range(rounds):
            t0 = time.monotonic()
            async with ModelClient(provider, thread_id="bench") as client:  # fresh client: new pool, no reuse
                async for _ in client.stream({"model": "gpt-5.5", "input": []}):
                    pass
            to_done.append(time.monotonic() - t0)
            to_request.append(server.requests[i].time - t0)
    return statistics.median(to_request) * 1000, statistics.median(to_done) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    parse_only, parse_decode = bench_parser(args.events)
    print(f"parser alone:              {parse_only:>12,.0f} events/s")
    print(f"parser + event decoding:   {parse_decode:>12,.0f} events/s")
    rate = anyio.run(bench_client, args.events, args.rounds)
    print(f"client over HTTP (median): {rate:>12,.0f} events/s  ({args.events:,} events per stream)")
    first, done = anyio.run(bench_first_request, 20)
    print(f"warm time to first request: {first:.2f} ms (median of 20; full 1-event stream {done:.2f} ms)")


if __name__ == "__main__":
    main()
