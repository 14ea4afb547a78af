"""A small Stripe-compatible HTTP server on loopback, for the few API calls the portal makes, so the real `stripe`
library runs against it without a network (STRIPE_API_BASE points the client here).

Implements POST /v1/checkout/sessions, GET /v1/checkout/sessions/<id>, POST /v1/checkout/sessions/<id>/expire,
POST /v1/refunds: form-encoded requests
(Stripe's `a[b][0][c]=v` keys), JSON responses shaped like Stripe's objects, idempotency keys honoured (the same key
gives the same answer), a bearer key required. Tests read what was asked (`requests`) and change a session's state
(`complete_session`, `expire_session`) as Stripe would.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


def _nest(pairs: list[tuple[str, str]]) -> dict:
    """`line_items[0][price_data][unit_amount]=500` → {"line_items": {"0": {"price_data": {"unit_amount": "500"}}}}"""
    result: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


class FakeStripe:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.fail_next = 0  # answer the next N requests with a 500 api_error
        self.refund_status = "pending"
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What Stripe does on its side.
    def complete_session(self, session_id: str, paid: bool = True) -> dict:
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid" if paid else "unpaid",
                       payment_intent=session["payment_intent"] or f"pi_{secrets.token_hex(8)}")
        return session

    def expire_session(self, session_id: str) -> dict:
        self.sessions[session_id].update(status="expired")
        return self.sessions[session_id]

    # The API.
    def _create_session(self, form: dict) -> tuple[int, dict]:
        item = form.get("line_items", {}).get("0", {})
        price = item.get("price_data", {})
        if not form.get("success_url") or not price.get("unit_amount"):
            return 400, {"error": {"type": "invalid_request_error", "message": "Missing required param"}}
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id, "object": "checkout.session", "mode": form.get("mode"),
            "url": f"https://checkout.stripe.test/c/pay/{session_id}", "status": "open", "payment_status": "unpaid",
            "client_reference_id": form.get("client_reference_id"), "metadata": form.get("metadata", {}),
            "amount_total": int(price["unit_amount"]) * int(item.get("quantity", "1")),
            "currency": price.get("currency"), "customer_email": form.get("customer_email"),
            "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"),
            "payment_intent": None, "expires_at": int(time.time()) + 24 * 3600, "livemode": False,
            "line_items_requested": item,
        }
        self.sessions[session_id] = session
        return 200, session

    def _expire_session(self, session_id: str) -> tuple[int, dict]:
        """Like Stripe: only an open session can be expired (a paid one answers 400)."""
        session = self.sessions.get(session_id)
        if session is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such checkout.session"}}
        if session["status"] != "open":
            return 400, {"error": {"type": "invalid_request_error",
                                   "message": "Only Checkout Sessions with a status in [\"open\"] can be expired."}}
        session.update(status="expired")
        return 200, session

    def _create_refund(self, form: dict) -> tuple[int, dict]:
        intent = form.get("payment_intent")
        if not intent or not any(s["payment_intent"] == intent for s in self.sessions.values()):
            return 400, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
        refund_id = f"re_{secrets.token_hex(12)}"
        refund = {"id": refund_id, "object": "refund", "payment_intent": intent, "amount": int(form["amount"]),
                  "status": self.refund_status, "currency": "usd", "metadata": form.get("metadata", {})}
        self.refunds[refund_id] = refund
        return 200, refund

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = _nest(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                with fake._lock:
                    fake.requests.append((method, self.path, form | {"_idempotency_key":
                                                                     self.headers.get("Idempotency-Key")}))
                    if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
                        return self._answer(401, {"error": {"type": "invalid_request_error",
                                                            "message": "Invalid API Key"}})
                    if fake.fail_next:
                        fake.fail_next -= 1
                        return self._answer(500, {"error": {"type": "api_error", "message": "boom"}})
                    key = self.headers.get("Idempotency-Key")
                    if method == "POST" and key and key in fake.idempotent:
                        return self._answer(*fake.idempotent[key])
                    if method == "POST" and self.path == "/v1/checkout/sessions":
                        answer = fake._create_session(form)
                    elif (method == "POST" and self.path.startswith("/v1/checkout/sessions/")
                          and self.path.endswith("/expire")):
                        answer = fake._expire_session(self.path.split("/")[-2])
                    elif method == "POST" and self.path == "/v1/refunds":
                        answer = fake._create_refund(form)
                    elif method == "GET" and self.path.startswith("/v1/checkout/sessions/"):
                        session = fake.sessions.get(self.path.rsplit("/", 1)[1].split("?")[0])
                        answer = (200, session) if session else (404, {"error": {
                            "type": "invalid_request_error", "message": "No such checkout.session"}})
                    else:
                        answer = (404, {"error": {"type": "invalid_request_error", "message": "Unrecognized URL"}})
                    if method == "POST" and key:
                        fake.idempotent[key] = answer
                    return self._answer(*answer)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

        return Handler
