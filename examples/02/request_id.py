"""Section 02 challenge 2: tag a request with your own id, and find it again in the response."""

import os
import uuid

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

my_id = uuid.uuid4().hex
raw = client.chat.completions.with_raw_response.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "Say hello in five words."}],
    extra_headers={"X-Request-Id": my_id},
)
completion = raw.parse()

print("my request id:       ", my_id)
print("response id:         ", completion.id)
print("x-request-id header: ", raw.headers.get("x-request-id") or "(none)")
print("SDK _request_id:     ", completion._request_id)
print("the response id carries my id:", completion.id == f"chatcmpl-{my_id}")
