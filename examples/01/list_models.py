"""Section 01 challenge 4: ask the server which models it serves."""

import os

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}

response = requests.get(f"{base_url}/models", headers=headers, timeout=30)
response.raise_for_status()

for model in response.json()["data"]:
    print(model["id"])
