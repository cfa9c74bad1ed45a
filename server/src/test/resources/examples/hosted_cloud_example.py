import requests
API_KEY = "your-api-key-here"
BASE_URL = "https://cloud.one-ware.com"
# Step 1: Exchange API key for JWT
response = requests.post(
f"{BASE_URL}/api/auth/token",
headers={"x-api-key": API_KEY}
)
token = response.text.strip('"')
# Step 2: Use JWT for authenticated requests
headers = {"Authorization": f"Bearer {token}"}
# Get credit balance
balance = requests.get(f"{BASE_URL}/api/credits/balance", headers=headers)
print(f"Balance: {balance.json()}")
# List projects
projects = requests.get(f"{BASE_URL}/api/projects?skip=0&take=10", headers=headers)
print(f"Projects: {projects.json()}")
# List jobs
jobs = requests.get(f"{BASE_URL}/api/jobs?skip=0&take=5", headers=headers)
print(f"Jobs: {jobs.json()}")
