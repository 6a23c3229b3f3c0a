"""Section 08 reference: a retry loop by hand, with backoff, jitter, Retry-After and caps."""

import os
import random
import time

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
model = os.environ["MODEL"]

RETRYABLE = {408, 409, 429, 500, 502, 503, 504}
MAX_ATTEMPTS = 4  # the first try and three retries
BASE_DELAY = 0.2  # seconds before the first retry (real code starts nearer 0.5 to 1 s)
MAX_DELAY = 8.0  # no single wait is longer than this
MAX_TOTAL_WAIT = 10.0  # give up rather than wait longer than this in all


def server_message(response):
    try:
        error = response.json().get("error")
    except ValueError:  # a proxy's HTML page, for instance
        return response.text[:200]
    return error.get("message") if isinstance(error, dict) else error


def seconds_to_wait(attempt, response):
    """The server's Retry-After if it asked for a wait in seconds; else exponential backoff with jitter."""
    retry_after = response.headers.get("retry-after") if response is not None else None
    if retry_after is not None and retry_after.isdigit() and int(retry_after) > 0:  # "0" is no reason to hurry
        return float(retry_after)
    delay = min(BASE_DELAY * 2 ** (attempt - 1), MAX_DELAY)
    return delay * random.uniform(0.75, 1.0)


def post_with_retries(payload):
    waited = 0.0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, timeout=(5, 60))
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            response, problem = None, type(exc).__name__
        else:
            if response.status_code == 200:
                return response.json()
            problem = f"{response.status_code} {server_message(response)}"
            if response.status_code not in RETRYABLE:
                raise RuntimeError(f"not retrying: {problem}")
        if attempt == MAX_ATTEMPTS:
            break
        delay = seconds_to_wait(attempt, response)
        if waited + delay > MAX_TOTAL_WAIT:
            raise RuntimeError(f"not waiting {delay:.0f} s: {problem}")
        print(f"  attempt {attempt} failed ({problem}); retrying in {delay:.2f} s")
        time.sleep(delay)
        waited += delay
    raise RuntimeError(f"gave up after {MAX_ATTEMPTS} attempts: {problem}")


def ask(question):
    return {"model": model, "messages": [{"role": "user", "content": question}]}


def try_drill(label, payload):
    print(f"{label}:")
    try:
        data = post_with_retries(payload)
        print("  ->", data["choices"][0]["message"]["content"])
    except RuntimeError as exc:
        print("  ->", exc)


try_drill("rate limited once", ask("drill:429 Name one planet."))
try_drill("overloaded twice", ask("drill:503 Name one ocean."))
try_drill("an outage", ask("drill:outage Name one river."))
try_drill("a long Retry-After", ask("drill:long-wait Name one mountain."))
try_drill("a typo in the request", {"model": model, "message": [{"role": "user", "content": "Name one lake."}]})
