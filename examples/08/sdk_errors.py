"""Section 08 reference: the SDK's own retries and its exception classes."""

import os

from openai import APIStatusError, AuthenticationError, OpenAI, RateLimitError

model = os.environ["MODEL"]
client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])


def ask(some_client, question):
    response = some_client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content


def server_message(error):
    """e.body is the "error" object of a JSON body, or the raw body when that is not an object."""
    return error.body.get("message") if isinstance(error.body, dict) else error.body


# Two 503s, then an answer: the default client retries twice on its own.
print("503 drill:", ask(client, "drill:503 Name one ocean."))

# Retries off for one call: the 429 comes straight back as an exception.
try:
    ask(client.with_options(max_retries=0), "drill:429 Name one planet.")
except RateLimitError as e:
    print("429 drill:", e.status_code, server_message(e), "| Retry-After:", e.response.headers.get("retry-after"))

# One retry, then give up.
try:
    ask(client.with_options(max_retries=1), "drill:outage Name one river.")
except APIStatusError as e:
    print("outage drill:", e.status_code, server_message(e))

# A wrong key is never retried.
wrong = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key="not-my-key")
try:
    ask(wrong, "Say hello.")
except AuthenticationError as e:
    print("wrong key:", e.status_code, server_message(e))
