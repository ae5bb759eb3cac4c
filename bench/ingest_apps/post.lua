-- wrk script: every request is POST /v1/feedback with the same JSON body, read from the
-- file INGEST_BODY_FILE, and the bearer key in INGEST_TOKEN (kept off wrk's command line).
wrk.method = "POST"
local body_file = assert(io.open(assert(os.getenv("INGEST_BODY_FILE"), "INGEST_BODY_FILE unset"), "rb"))
wrk.body = body_file:read("*a")
body_file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("INGEST_TOKEN"), "INGEST_TOKEN unset")
