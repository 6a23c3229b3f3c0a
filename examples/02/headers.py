"""Section 02 reference: the status and headers of a response, with requests and with the SDK."""

import os

import requests
from openai import OpenAI

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
messages = [
    {"role": "system", "content": "You are a concise science tutor."},
    {"role": "user", "content": "What is a light-year, in one or two sentences?"},
]

response = requests.post(f"{base_url}/chat/completions", headers=headers,
                         json={"model": os.environ["MODEL"], "messages": messages}, timeout=30)
response.raise_for_status()

print("status:", response.status_code, response.reason)
for name in ("content-type", "content-length", "date", "server"):
    print(f"{name}: {response.headers.get(name)}")
request_id = response.headers.get("x-request-id")
print("x-request-id:", request_id or "(none: this server does not send one)")

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
raw = client.chat.completions.with_raw_response.create(model=os.environ["MODEL"], messages=messages)
print("SDK status:", raw.status_code)
print("SDK date:", raw.headers.get("date"))
completion = raw.parse()  # the usual ChatCompletion object
print("SDK _request_id:", completion._request_id)
print("id in the body:", completion.id)
