"""Section 08 reference: a 1-second read timeout, no retries, and a clear message when it fires."""

import os
import sys

from openai import APITimeoutError, OpenAI, Timeout

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
    timeout=Timeout(1.0, connect=5.0),  # 5 s to connect, then at most 1 s of silence
    max_retries=0,  # a timed-out call is not tried again
)

try:
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": "drill:stall Name one star."}],
    )
except APITimeoutError:
    sys.exit("No answer within 1 second, so the script gave up. Try again later.")

print(response.choices[0].message.content)
