-- wrk script for the EKS Pod Identity Agent: a pod reaches the agent at
-- 169.254.170.23, and the agent refuses a request whose Host header names any
-- other address. The bench binds the agent to 127.0.0.1 and sends the Host a
-- pod would send.
wrk.headers["Host"] = "169.254.170.23"
